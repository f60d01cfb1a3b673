from tests.coursework.teacher.base import TeacherTestCase


class ArchiveCourseTests(TeacherTestCase):
    def test_it_asks_before_archiving(self):
        response = self.tara.get(f"/teach/courses/{self.course.pk}/archive/")
        self.assertContains(response, "Archive English 10?")
        self.course.refresh_from_db()
        self.assertFalse(self.course.is_archived)

    def test_it_archives_and_lists_the_course_as_archived(self):
        response = self.tara.post(f"/teach/courses/{self.course.pk}/archive/")
        self.assertRedirects(response, "/teacher/")
        self.course.refresh_from_db()
        self.assertTrue(self.course.is_archived)
        home = self.tara.get("/teacher/")
        self.assertContains(home, "Archived courses")
        self.assertContains(home, "You have no active courses")

    def test_it_keeps_an_archived_course_readable_without_new_assignment_links(self):
        self.tara.post(f"/teach/courses/{self.course.pk}/archive/")
        response = self.tara.get(f"/teach/courses/{self.course.pk}/")
        self.assertContains(response, "This course was archived")
        self.assertNotContains(response, "New assignment")

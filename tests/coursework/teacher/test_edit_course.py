from auditlog.models import LogEntry

from coursework.actions import do_archive_course
from tests.coursework.teacher.base import TeacherTestCase


class EditCourseTests(TeacherTestCase):
    def setUp(self):
        super().setUp()
        self.path = f"/teach/courses/{self.course.pk}/edit/"

    def test_it_renames_the_course_adds_a_section_and_audits_it(self):
        self.assertContains(self.tara.get(self.path), "Sections now: A, B.")
        response = self.tara.post(self.path, {"title": "English 10 Honours", "term": "Autumn 2026", "code": "ENG10H",
                                              "sections": "B, C"})
        self.assertRedirects(response, f"/teach/courses/{self.course.pk}/")
        self.course.refresh_from_db()
        self.assertEqual((self.course.title, self.course.code), ("English 10 Honours", "ENG10H"))
        self.assertEqual(sorted(self.course.sections.values_list("name", flat=True)), ["A", "B", "C"])
        entry = LogEntry.objects.get_for_object(self.course).filter(changes__has_key="title").latest("timestamp")
        self.assertEqual(entry.actor, self.person("teacher"))

    def test_it_refuses_an_archived_course(self):
        do_archive_course(self.course, acting_user=self.person("teacher"))
        response = self.tara.post(self.path, {"title": "Renamed", "term": "Autumn 2026"})
        self.assertContains(response, "This course is archived, so it cannot be changed.")

    def test_it_is_a_404_for_other_teachers_and_other_institutions(self):
        self.assertEqual(self.signed_in_client("other_teacher").get(self.path).status_code, 404)
        self.assertEqual(self.signed_in_client("riverside_teacher", self.riverside).get(self.path).status_code, 404)

from coursework.models import Course
from tests.coursework.teacher.base import TeacherTestCase


class CreateCourseTests(TeacherTestCase):
    def test_it_creates_a_course_with_sections_from_a_list(self):
        response = self.tara.post("/teach/courses/new/", {
            "title": "English 11", "term": "Spring 2027", "code": "ENG11", "sections": "A, B\nC\n b \n"})
        course = Course.objects.get(title="English 11")
        self.assertRedirects(response, f"/teach/courses/{course.pk}/students/")
        self.assertEqual([s.name for s in course.sections.all()], ["A", "B", "C"])
        self.assertEqual(list(course.teachers.all()), [self.person("teacher")])
        self.assertEqual(course.code, "ENG11")

    def test_it_shows_errors_next_to_the_fields_and_keeps_what_was_typed(self):
        response = self.tara.post("/teach/courses/new/", {"title": "", "term": "", "sections": "A, B"})
        self.assertContains(response, 'id="id_title_error"')
        self.assertContains(response, 'id="id_term_error"')
        self.assertContains(response, "A, B")
        self.assertFalse(Course.objects.filter(title="").exists())

    def test_it_refuses_an_over_long_section_name(self):
        response = self.tara.post("/teach/courses/new/", {"title": "X", "term": "Y", "sections": "S" * 101})
        self.assertContains(response, "Section names are at most 100 characters")
        self.assertFalse(Course.objects.filter(title="X").exists())

    def test_it_shows_the_empty_form(self):
        response = self.tara.get("/teach/courses/new/")
        self.assertContains(response, '<label for="id_title">Title</label>', html=True)

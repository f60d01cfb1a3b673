from coursework.actions import do_archive_course
from coursework.models import Enrolment
from tests.coursework.teacher.base import TeacherTestCase


class EnrolStudentTests(TeacherTestCase):
    def students_page(self):
        return f"/teach/courses/{self.course.pk}/students/"

    def test_it_offers_only_students_not_yet_enrolled(self):
        response = self.tara.get(self.students_page())
        options = response.context["enrol_form"].fields["student"].queryset
        self.assertEqual(list(options), [self.person("outsider")])
        self.assertContains(response, "Sam Student")  # listed as enrolled

    def test_it_enrols_a_student_in_a_section(self):
        section = self.course.sections.get(name="B")
        response = self.tara.post(f"/teach/courses/{self.course.pk}/students/enrol/",
                                  {"student": self.person("outsider").pk, "section": section.pk})
        self.assertRedirects(response, self.students_page())
        enrolment = Enrolment.objects.get(course=self.course, student=self.person("outsider"))
        self.assertEqual(enrolment.section, section)

    def test_it_refuses_someone_who_is_not_an_unenrolled_student(self):
        for person in ("student", "teacher", "other_teacher"):
            with self.subTest(person):
                response = self.tara.post(f"/teach/courses/{self.course.pk}/students/enrol/",
                                          {"student": self.person(person).pk})
                self.assertContains(response, 'id="id_student_error"')
        self.assertEqual(self.course.enrolments.count(), 2)

    def test_it_unenrols_after_asking(self):
        sam = self.person("student")
        path = f"/teach/courses/{self.course.pk}/students/{sam.pk}/unenrol/"
        self.assertContains(self.tara.get(path), "Unenrol Sam Student from English 10?")
        self.assertTrue(Enrolment.objects.filter(course=self.course, student=sam).exists())
        self.assertRedirects(self.tara.post(path), self.students_page())
        self.assertFalse(Enrolment.objects.filter(course=self.course, student=sam).exists())

    def test_it_cannot_unenrol_someone_not_in_the_course(self):
        path = f"/teach/courses/{self.course.pk}/students/{self.person('outsider').pk}/unenrol/"
        self.assertEqual(self.tara.post(path).status_code, 404)

    def test_it_refuses_to_enrol_into_an_archived_course(self):
        do_archive_course(self.course, acting_user=self.person("teacher"))
        response = self.tara.post(f"/teach/courses/{self.course.pk}/students/enrol/",
                                  {"student": self.person("outsider").pk})
        self.assertContains(response, "This course is archived")
        self.assertFalse(Enrolment.objects.filter(student=self.person("outsider"), course=self.course).exists())

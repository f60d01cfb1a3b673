from coursework.actions import do_archive_course
from coursework.models import Enrolment
from tests.coursework.teacher.base import TeacherTestCase


class EnrolStudentTests(TeacherTestCase):
    def students_page(self):
        return f"/teach/courses/{self.course.pk}/students/"

    def test_it_offers_only_students_not_yet_enrolled(self):
        response = self.tara.get(self.students_page())
        self.assertEqual(response.context["matches"], [self.person("outsider")])
        self.assertContains(response, f'value="{self.person("outsider").pk}"')
        self.assertContains(response, "Sam Student")  # listed as enrolled
        self.assertNotContains(response, f'name="student" value="{self.person("student").pk}"')

    def add_pupils(self, count):
        from accounts.actions import do_create_user
        from accounts.models import Role

        start = getattr(self, "pupils", 0)
        self.pupils = start + count
        return [do_create_user(f"pupil{n:03d}@northside.example", f"Pupil {n:03d}", Role.STUDENT, acting_user=None)
                for n in range(start, start + count)]

    def test_a_large_school_is_searched_not_listed(self):
        self.add_pupils(30)
        page = self.tara.get(self.students_page())
        self.assertEqual(len(page.context["matches"]), 20)
        self.assertContains(page, "Showing the first 20. Type more of a name or email to find someone else.")
        found = self.tara.get(self.students_page(), {"find": "pupil 017"})  # every word must match
        self.assertEqual([s.full_name for s in found.context["matches"]], ["Pupil 017"])
        self.assertContains(found, 'checked required')  # the only match is chosen already
        by_email = self.tara.get(self.students_page(), {"find": "PUPIL029@"})
        self.assertEqual([s.email for s in by_email.context["matches"]], ["pupil029@northside.example"])
        nobody = self.tara.get(self.students_page(), {"find": "Sam Student"})  # enrolled already
        self.assertContains(nobody, "No student outside this course matches “Sam Student”.")

    def test_the_search_costs_the_same_queries_for_any_school_size(self):
        # Session and user; the course (access check); the matching students (one query, at most
        # 21 rows); whether the course has sections, and its sections (the enrol form's select);
        # the enrolments with their students and sections; the sections for the upload's help.
        self.add_pupils(1)
        small, _, _ = self.count_queries(self.tara, self.students_page() + "?find=pupil")
        self.assertEqual(small, 8)
        self.add_pupils(40)
        large, response, sql = self.count_queries(self.tara, self.students_page() + "?find=pupil")
        self.assertEqual(len(response.context["matches"]), 20)
        self.assertEqual(small, large, sql)

    def test_htmx_search_answers_with_the_matches_alone(self):
        self.add_pupils(3)
        response = self.tara.get(self.students_page(), {"find": "pupil 001"}, HTTP_HX_REQUEST="true")
        self.assertTemplateUsed(response, "coursework/teacher/_enrol_matches.html")
        self.assertTemplateNotUsed(response, "coursework/teacher/students.html")
        self.assertContains(response, "Pupil 001")
        self.assertNotContains(response, "Pupil 002")

    def test_it_never_finds_another_institutions_students(self):
        rory = self.person("riverside_student")
        response = self.tara.get(self.students_page(), {"find": rory.full_name.split()[0]})
        self.assertEqual(response.context["matches"], [])
        self.assertNotContains(response, rory.email)

    def test_it_asks_to_choose_a_student(self):
        response = self.tara.post(f"/teach/courses/{self.course.pk}/students/enrol/", {})
        self.assertContains(response, "Choose a student to enrol.")
        self.assertEqual(self.course.enrolments.count(), 2)

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

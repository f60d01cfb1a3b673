from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.actions import do_create_user
from accounts.models import Role
from coursework.models import Enrolment
from tests.coursework.teacher.base import TeacherTestCase


class ImportStudentsCsvTests(TeacherTestCase):
    def upload(self, content, name="class.csv"):
        data = content if isinstance(content, bytes) else content.encode()
        return self.tara.post(f"/teach/courses/{self.course.pk}/students/import/",
                              {"file": SimpleUploadedFile(name, data, content_type="text/csv")})

    def test_it_enrols_every_row_of_a_good_file(self):
        nia = do_create_user("nia@northside.example", "Nia New", Role.STUDENT, acting_user=None)
        response = self.upload("email,section\notto@northside.example,A\nNIA@northside.example,b\n")
        self.assertRedirects(response, f"/teach/courses/{self.course.pk}/students/")
        enrolled = {e.student: e.section.name for e in self.course.enrolments.select_related("student", "section")
                    if e.section}
        self.assertEqual(enrolled, {self.person("outsider"): "A", nia: "B"})

    def test_it_reads_excel_files_with_a_bom_and_semicolons(self):
        response = self.upload("\ufeffEmail;Section\r\notto@northside.example;A\r\n".encode("utf-8"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Enrolment.objects.filter(course=self.course, student=self.person("outsider")).exists())

    def test_it_imports_nothing_and_lists_each_bad_row(self):
        response = self.upload(
            "email,section\n"
            "otto@northside.example,A\n"         # row 2: fine on its own
            "nobody@northside.example,A\n"       # row 3: unknown person
            "tara@northside.example,\n"          # row 4: a teacher
            "otto@northside.example,A\n"         # row 5: twice
            "cleo@northside.example,Z\n"         # row 6: no such section
            ",A\n")                              # row 7: empty email
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Enrolment.objects.filter(student=self.person("outsider"), course=self.course).exists())
        self.assertContains(response, "The file was not imported")
        errors = dict(response.context["csv_form"].result.errors)
        self.assertEqual(sorted(errors), [3, 4, 5, 6, 7])
        self.assertContains(response, "<tr><th scope=\"row\">3</th><td>No one at this institution has the email "
                                      "nobody@northside.example.</td></tr>", html=True)
        self.assertContains(response, "This course has no section called &#x27;Z&#x27;.")

    def test_it_explains_a_file_without_an_email_column(self):
        response = self.upload("name\nOtto\n")
        self.assertContains(response, "must name the columns, including &#x27;email&#x27;")
        self.assertEqual(self.course.enrolments.count(), 2)

    def test_it_refuses_a_file_that_is_far_too_big(self):
        response = self.upload("email\n" + "x@northside.example\n" * 30000)
        self.assertContains(response, "too large for a class list")

    def test_it_asks_for_a_file(self):
        response = self.tara.post(f"/teach/courses/{self.course.pk}/students/import/", {})
        self.assertContains(response, 'id="id_file_error"')

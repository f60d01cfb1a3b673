import csv
import io
from decimal import Decimal

from coursework.actions import do_grade_submission, do_release_feedback
from tests.coursework.teacher.base import TeacherTestCase


class GradebookTests(TeacherTestCase):
    def setUp(self):
        super().setUp()
        self.path = f"/teach/courses/{self.course.pk}/gradebook/"

    def grade(self, student, text, grade, release=False):
        submission = self.submit(self.write(student, text))
        do_grade_submission(submission, grade=Decimal(grade), acting_user=self.person("teacher"))
        if release:
            do_release_feedback(submission, acting_user=self.person("teacher"))
        return submission

    def test_it_shows_grades_and_where_each_piece_of_work_stands(self):
        sams = self.grade(self.person("student"), "Sam's essay.", "87.50", release=True)
        self.write(self.person("classmate"), "Cleo is drafting.")
        response = self.tara.get(self.path)
        book = response.context["book"]
        self.assertEqual([row.name for row in book.rows], ["Cleo Classmate", "Sam Student"])
        self.assertEqual([(c.status, c.grade) for c in book.rows[1].cells], [("returned", Decimal("87.50"))])
        self.assertEqual(book.rows[0].cells[0].status, "drafting")
        self.assertContains(response, f'<a href="/teach/submissions/{sams.pk}/">87.5<span class="visually-hidden"> '
                                      f'feedback released</span></a>', html=True)
        self.assertContains(response, '<th scope="col">Student</th>', html=True)
        self.assertContains(response, "87.5%")  # Sam's graded-so-far percentage: 87.5 of 100

    def test_it_escapes_names_in_the_table(self):
        self.person("student").full_name = "<b>Sam</b>"
        self.person("student").save()
        response = self.tara.get(self.path)
        self.assertContains(response, "&lt;b&gt;Sam&lt;/b&gt;")
        self.assertNotContains(response, "<b>Sam</b>")

    def test_it_exports_the_grades_as_csv_safe_for_spreadsheets(self):
        self.grade(self.person("student"), "Sam's essay.", "90")
        self.person("classmate").full_name = "=HYPERLINK(\"x\")"
        self.person("classmate").save()
        response = self.tara.get(f"/teach/courses/{self.course.pk}/gradebook.csv")
        self.assertEqual(response["Content-Type"], "text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        self.assertEqual(rows[0], ["Student", "Email", "Section", "Persuasive essay (out of 100)", "Graded so far (%)"])
        self.assertIn(["Sam Student", "sam@northside.example", "", "90", "90.0"], rows)
        self.assertIn("'=HYPERLINK(\"x\")", [row[0] for row in rows])

    def test_it_shows_the_gradebook_in_six_queries_however_many_students_and_assignments(self):
        # 1 session, 2 the teacher, 3 the course (access check), 4 its assignments, 5 enrolments with
        # names and sections, 6 submissions as tuples (never their text)
        self.grade(self.person("student"), "Essay.", "70")
        queries, _, sql = self.count_queries(self.tara, self.path)
        self.assertEqual(queries, 6, sql)
        for n in range(6):
            self.grade(self.new_student(n), f"Essay {n}.", "60")
        self.new_assignment("Poem")
        more, response, sql = self.count_queries(self.tara, self.path)
        self.assertEqual(more, 6, sql)
        self.assertEqual(len(response.context["book"].rows), 8)

    def test_it_says_when_there_is_no_one_to_grade(self):
        from coursework.actions import do_create_course

        course = do_create_course("Empty", "Autumn 2026", acting_user=self.person("teacher"))
        self.assertContains(self.tara.get(f"/teach/courses/{course.pk}/gradebook/"), "No students are enrolled yet")

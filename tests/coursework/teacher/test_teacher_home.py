from coursework.actions import do_archive_course, do_create_course
from tests.coursework.teacher.base import TeacherTestCase


class TeacherHomeTests(TeacherTestCase):
    def test_it_lists_active_courses_before_archived_ones(self):
        old = do_create_course("English 9", "Spring 2026", acting_user=self.person("teacher"))
        do_archive_course(old, acting_user=self.person("teacher"))
        response = self.tara.get("/teacher/")
        self.assertContains(response, "Teaching at Northside Academy")
        self.assertContains(response, "New course")
        body = response.content.decode()
        self.assertLess(body.index("English 10"), body.index("Archived courses"))
        self.assertLess(body.index("Archived courses"), body.index("English 9"))

    def test_it_shows_only_her_own_courses(self):
        self.assertNotContains(self.tara.get("/teacher/"), "History 9")

    def test_it_counts_students_and_work_awaiting_feedback(self):
        self.submit(self.write(self.person("student"), "Schools should start later."))
        response = self.tara.get("/teacher/")
        self.assertContains(response, '<span class="tag warn">1</span>', html=True)

    def test_it_shows_the_home_in_three_queries_however_many_courses(self):
        # 1 session row, 2 the signed-in person, 3 her courses with their counts (subqueries)
        queries, _, sql = self.count_queries(self.tara, "/teacher/")
        self.assertEqual(queries, 3, sql)
        for n in range(3):
            course = do_create_course(f"Extra {n}", "Autumn 2026", acting_user=self.person("teacher"))
            self.new_student(n, course=course)
        more, response, sql = self.count_queries(self.tara, "/teacher/")
        self.assertEqual(more, 3, sql)
        self.assertContains(response, "Extra 2")

    def test_it_keeps_students_out(self):
        self.assertEqual(self.signed_in_client("student").get("/teacher/").status_code, 403)

from coursework.actions import do_archive_course, do_create_course
from tests.coursework.api.base import ApiTestCase


class CoursesApiTests(ApiTestCase):
    def test_it_lists_a_teachers_courses(self):
        response = self.api("teacher").get("/api/courses")
        self.assertEqual([c["title"] for c in response.json()], ["English 10"])

    def test_it_lists_a_students_courses_but_not_archived_ones(self):
        self.assertEqual([c["title"] for c in self.api("student").get("/api/courses").json()], ["English 10"])
        do_archive_course(self.course, acting_user=self.person("teacher"))
        self.assertEqual(self.api("student").get("/api/courses").json(), [])

    def test_it_lists_nothing_for_other_roles(self):
        self.assertEqual(self.api("privacy_officer").get("/api/courses").json(), [])

    def test_it_shows_one_course(self):
        response = self.api("student").get(f"/api/courses/{self.course.pk}")
        self.assertEqual(response.json(), {"id": self.course.pk, "title": "English 10", "term": "Autumn 2026",
                                           "code": ""})

    def test_it_is_404_for_a_course_not_yours(self):
        url = f"/api/courses/{self.other_course.pk}"
        self.assert_not_found_for(["teacher", "student", "privacy_officer"], "get", url)

    def test_it_is_404_for_another_institutions_course(self):
        # Riverside has one course; a Northside id that is not its id does not exist there.
        northside_id = next(c.pk for c in (self.course, self.other_course) if c.pk != self.riverside_course.pk)
        self.assert_not_found_for([("riverside_teacher", self.riverside), ("riverside_student", self.riverside)],
                                  "get", f"/api/courses/{northside_id}")

    def test_it_refuses_a_visitor(self):
        self.assertEqual(self.client.get("/api/courses").status_code, 403)

    def test_it_lists_in_the_same_number_of_queries_for_any_number_of_courses(self):
        # 1 session, 2 user, 3 courses
        client = self.api("teacher")
        self.assert_list_queries(client, "/api/courses", 3, rows=1)
        for title in ("Drama", "Poetry"):
            do_create_course(title, "Autumn 2026", acting_user=self.person("teacher"))
        self.assert_list_queries(client, "/api/courses", 3, rows=3)

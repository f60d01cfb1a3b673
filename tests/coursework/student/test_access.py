"""Who may open the student pages: the student, for their own work in their own courses, only."""

from coursework.actions import do_archive_course, do_release_feedback, do_submit_stage
from tests.coursework.student.base import StudentPagesTestCase


class StudentPageAccessTests(StudentPagesTestCase):
    def submission_urls(self, submission):
        base = f"/write/{submission.pk}"
        return {"get": [f"{base}/history/", f"{base}/history/1/", f"{base}/history/compare/?old=1&new=2",
                        f"{base}/feedback/"],
                "post": [f"{base}/autosave", f"{base}/submit"]}

    def assert_not_found(self, client, submission):
        urls = self.submission_urls(submission)
        for url in urls["get"]:
            with self.subTest(url):
                self.assertEqual(client.get(url).status_code, 404)
        for url in urls["post"]:
            with self.subTest(url):
                response = client.post(url, {"text": "Overwritten!", "base_revision": submission.revision_number,
                                             "reflection": ""}, HTTP_HX_REQUEST="true")
                self.assertEqual(response.status_code, 404)

    def released_work(self, key="classmate"):
        submission = self.save(self.start(key), "Cleo's first line.", "Cleo's second line.")
        do_submit_stage(submission, acting_user=submission.student)
        do_release_feedback(submission, acting_user=self.tara)
        return submission

    def test_it_hides_a_classmates_work(self):
        cleos = self.released_work()
        self.assert_not_found(self.client, cleos)
        cleos.refresh_from_db()
        self.assertEqual(cleos.text, "Cleo's second line.")

    def test_it_hides_an_assignment_of_a_course_the_student_is_not_in(self):
        outsider = self.signed_in_client("outsider")  # Otto is in History 9, not English 10
        self.assertEqual(outsider.get(f"/write/{self.essay.pk}/").status_code, 404)
        self.assertNotContains(outsider.get("/student/"), "Persuasive essay")

    def test_it_hides_unpublished_assignments(self):
        draft = self.assignment("Not yet", publish=False)
        self.assertEqual(self.client.get(f"/write/{draft.pk}/").status_code, 404)

    def test_it_hides_assignments_of_archived_courses(self):
        do_archive_course(self.course, acting_user=self.tara)
        self.assertEqual(self.client.get(f"/write/{self.essay.pk}/").status_code, 404)

    def test_it_hides_another_institutions_assignment_and_work(self):
        riverside_assignment = self.riverside_assignment()
        rorys_work = self.riverside_submission()
        self.assertEqual(self.client.get(f"/write/{riverside_assignment.pk}/").status_code, 404)
        self.assert_not_found(self.client, rorys_work)

    def test_it_hides_northside_work_from_a_riverside_student(self):
        sams = self.released_work("student")
        rory = self.signed_in_client("riverside_student", self.riverside)
        self.assertEqual(rory.get(f"/write/{self.essay.pk}/").status_code, 404)
        self.assert_not_found(rory, sams)

    def test_it_keeps_teachers_and_staff_out(self):
        sams = self.released_work("student")
        for key in ("teacher", "admin", "privacy_officer"):
            client = self.signed_in_client(key)
            for url in ["/student/", f"/write/{self.essay.pk}/", *self.submission_urls(sams)["get"]]:
                with self.subTest(key=key, url=url):
                    self.assertIn(client.get(url).status_code, (403, 302))  # 302: admin must enrol TOTP first

    def test_it_sends_visitors_to_sign_in(self):
        sams = self.released_work("student")
        for url in ["/student/", f"/write/{self.essay.pk}/", *self.submission_urls(sams)["get"]]:
            with self.subTest(url):
                response = self.client_for(self.northside).get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith("/accounts/login/"))

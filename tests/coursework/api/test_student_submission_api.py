from coursework.actions import (
    do_grade_submission,
    do_release_feedback,
    do_save_draft,
    do_unenrol_student,
    get_or_start_submission,
)
from coursework.models import Revision, Submission
from tests.base import InstitutionClient
from tests.coursework.api.base import ApiTestCase


class StudentSubmissionApiTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.submission = get_or_start_submission(self.essay, self.person("student"))
        self.url = f"/api/submissions/{self.submission.pk}"

    def autosave(self, text, base, key="student", **process):
        return self.post(self.api(key), f"{self.url}/autosave",
                         {"text": text, "base_revision": base, "process": process})

    def test_it_gets_the_students_submission_for_an_assignment(self):
        response = self.api("student").get(f"/api/assignments/{self.essay.pk}/submission")
        self.assertEqual(response.json()["id"], self.submission.pk)
        self.assertEqual(response.json()["status"], Submission.Status.NOT_STARTED)

    def test_it_starts_a_submission_when_there_is_none(self):
        response = self.api("classmate").get(f"/api/assignments/{self.essay.pk}/submission")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(Submission.objects.filter(student=self.person("classmate"), assignment=self.essay).exists())

    def test_it_autosaves_and_answers_with_the_new_revision_number(self):
        response = self.autosave("Schools should start later.", 0, active_seconds=30, typed_chars=27,
                                 pasted_chars=0, paste_sizes=[])
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json(), {"revision_number": 1, "word_count": 4, "saved": True})
        revision = Revision.objects.get(submission=self.submission)
        self.assertEqual((revision.process.active_seconds, revision.process.typed_chars), (30, 27))
        response = self.autosave("Schools should start much later.", 1)
        self.assertEqual(response.json()["revision_number"], 2)

    def test_it_answers_409_with_the_current_revision_when_another_tab_saved(self):
        self.autosave("First tab", 0)
        self.autosave("First tab, edited", 1)
        response = self.autosave("Second tab", 1)
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["current_revision"], 2)
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.text, "First tab, edited")

    def test_it_treats_a_retried_save_of_the_same_text_as_saved(self):
        self.autosave("Lost response", 0)
        response = self.autosave("Lost response", 0)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"revision_number": 1, "word_count": 2, "saved": False})

    def test_it_refuses_invalid_figures(self):
        response = self.autosave("Text", 0, active_seconds=-1)
        self.assertEqual(response.status_code, 400)
        self.assertIn("process", response.json())
        self.assertEqual(self.post(self.api("student"), f"{self.url}/autosave", {"text": "x"}).status_code, 400)

    def test_it_submits_the_stage(self):
        self.autosave("Schools should start later.", 0)
        response = self.post(self.api("student"), f"{self.url}/submit", {"reflection": "I worked on my claim."})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], Submission.Status.SUBMITTED)
        self.assertEqual(self.submission.stage_submissions.get().reflection, "I worked on my claim.")

    def test_it_explains_a_refused_submission(self):
        response = self.post(self.api("student"), f"{self.url}/submit")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"non_field_errors": ["There is nothing to submit yet."]})

    def test_it_hides_the_grade_until_feedback_is_released(self):
        do_grade_submission(self.submission, grade=80, general_comment="Good", acting_user=self.person("teacher"))
        body = self.api("student").get(self.url).json()
        self.assertEqual((body["grade"], body["general_comment"]), (None, ""))
        do_release_feedback(self.submission, acting_user=self.person("teacher"))
        body = self.api("student").get(self.url).json()
        self.assertEqual((body["grade"], body["general_comment"]), ("80.00", "Good"))

    def test_it_is_404_for_anyone_elses_submission(self):
        people = ["classmate", "outsider", ("riverside_student", self.riverside)]
        self.assert_not_found_for(people, "get", self.url)
        self.assert_not_found_for(people, "post", f"{self.url}/autosave", {"text": "Mine now", "base_revision": 0})
        self.assert_not_found_for(people + ["teacher"], "post", f"{self.url}/submit")
        self.assert_not_found_for(["teacher", "outsider", ("riverside_student", self.riverside)], "get",
                                  f"/api/assignments/{self.essay.pk}/submission")
        self.assertEqual(Revision.objects.count(), 0)

    def test_it_is_404_to_write_once_unenrolled(self):
        do_save_draft(self.submission, "Before", base_revision=0, acting_user=self.person("student"))
        do_unenrol_student(self.course, self.person("student"), acting_user=self.person("teacher"))
        self.assert_not_found(self.autosave("After", 1))

    def test_it_enforces_csrf(self):
        client = InstitutionClient(self.northside, enforce_csrf_checks=True)
        client.force_login(self.person("student"))
        response = self.post(client, f"{self.url}/autosave", {"text": "x", "base_revision": 0})
        self.assertEqual(response.status_code, 403)
        self.assertIn("CSRF", response.json()["detail"])

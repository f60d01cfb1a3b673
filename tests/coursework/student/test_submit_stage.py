from datetime import timedelta

from coursework.actions import do_release_feedback, do_submit_stage
from coursework.models import Assignment, StageSubmission, Submission
from tests.coursework.student.base import StudentPagesTestCase


class SubmitStageTests(StudentPagesTestCase):
    def submit(self, submission, text=None, base=None, reflection=""):
        data = {"reflection": reflection}
        if text is not None:
            data.update(text=text, base_revision=submission.revision_number if base is None else base)
        return self.client.post(f"/write/{submission.pk}/submit", data)

    def test_it_submits_the_current_stage_with_a_reflection(self):
        submission = self.save(self.start(), "Schools should start later.")
        response = self.submit(submission, "Schools should start later.", reflection="I focused on my thesis.")
        self.assertRedirects(response, f"/write/{self.essay.pk}/", fetch_redirect_response=False)
        row = StageSubmission.objects.get(submission=submission)
        self.assertEqual((row.stage.kind, row.reflection, row.revision.number), ("draft", "I focused on my thesis.", 1))
        self.assertContains(self.client.get(f"/write/{self.essay.pk}/"), "Submitted. Your teacher can now read")

    def test_it_saves_the_text_on_screen_before_submitting_it(self):
        submission = self.save(self.start(), "An early draft.")
        self.submit(submission, "A later draft, typed just before clicking Submit.")
        row = StageSubmission.objects.get(submission=submission)
        self.assertEqual(row.revision.number, 2)
        submission.refresh_from_db()
        self.assertEqual(submission.text, "A later draft, typed just before clicking Submit.")

    def test_it_refuses_an_empty_text_next_to_the_editor(self):
        response = self.submit(self.start(), "   ")
        self.assertContains(response, "There is nothing to submit yet: write something first.", status_code=400)
        self.assertContains(response, 'aria-invalid="true"', status_code=400)
        self.assertFalse(StageSubmission.objects.exists())

    def test_it_shows_why_a_submission_was_refused_and_keeps_the_reflection(self):
        closed = self.assignment("Closed", due_in=timedelta(hours=-1), late_policy=Assignment.LatePolicy.REFUSE)
        submission = self.save(self.start(assignment=closed), "Too late.")
        response = self.submit(submission, "Too late, but saved.", reflection="Sorry it's late.")
        self.assertContains(response, "does not accept late work", status_code=400)
        self.assertContains(response, 'role="alert"', status_code=400)
        self.assertContains(response, "Sorry it&#x27;s late.", status_code=400)
        submission.refresh_from_db()
        self.assertEqual(submission.text, "Too late, but saved.")  # refused, but nothing lost

    def test_it_refuses_a_second_submission_before_feedback(self):
        homework = self.assignment("Once until feedback")
        submission = self.save(self.start(assignment=homework), "Done.")
        do_submit_stage(submission, acting_user=self.sam)
        response = self.submit(submission)
        self.assertContains(response, "This stage has already been submitted.", status_code=400)

    def test_it_resubmits_after_feedback_when_allowed(self):
        homework = self.assignment("Revise and resubmit")
        submission = self.save(self.start(assignment=homework), "First go.")
        do_submit_stage(submission, acting_user=self.sam)
        do_release_feedback(submission, acting_user=self.tara)
        submission.refresh_from_db()
        response = self.submit(submission, "Second go, better.", reflection="I used the feedback.")
        self.assertEqual(response.status_code, 302)
        attempts = list(StageSubmission.objects.filter(submission=submission).values_list("attempt", flat=True))
        self.assertEqual(attempts, [1, 2])
        self.assertEqual(Submission.objects.get(pk=submission.pk).status, Submission.Status.SUBMITTED)

    def test_it_does_not_submit_over_another_tabs_newer_text(self):
        submission = self.save(self.start(), "Loaded in this tab.")
        self.save(submission, "Changed in another tab.")
        response = self.submit(submission, "This tab's text.", base=1)
        self.assertContains(response, "changed in another window or tab", status_code=409)
        self.assertContains(response, "This tab&#x27;s text.", status_code=409)
        self.assertFalse(StageSubmission.objects.exists())

    def test_it_submits_only_the_students_own_work(self):
        cleos = self.save(self.start("classmate"), "Cleo's essay.")
        self.assertEqual(self.submit(cleos).status_code, 404)
        self.assertFalse(StageSubmission.objects.exists())

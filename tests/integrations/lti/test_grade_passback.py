"""Grade passback (AGS) failures: visible to the teacher, retried with backoff, never lost."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from coursework.actions import do_grade_submission, do_release_feedback, get_or_start_submission
from integrations.lti import tasks
from integrations.lti.models import GradePassback
from tests.integrations.lti.base import LtiTestCase
from tests.integrations.lti.helpers import set_up_linked_assignment


class GradePassbackTests(LtiTestCase):
    def setUp(self):
        super().setUp()
        self.link, self.teacher, self.student = set_up_linked_assignment(self)
        self.submission = get_or_start_submission(self.link.assignment, self.student)

    def release(self, grade=80):
        with self.captureOnCommitCallbacks(execute=True):
            do_grade_submission(self.submission, grade=grade, acting_user=self.teacher)
            do_release_feedback(self.submission, acting_user=self.teacher)
        return GradePassback.objects.get(submission=self.submission)

    def run_due(self, passback):
        """What the countdown delivers later: move the clock past next_attempt_at and run the task."""
        GradePassback.objects.filter(pk=passback.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        with self.captureOnCommitCallbacks(execute=True):
            tasks.post_grade.apply_async((passback.pk,), headers={"_schema_name": self.northside.schema_name})
        passback.refresh_from_db()
        return passback

    def test_work_never_submitted_is_not_reported_as_completed(self):
        self.release()
        self.assertEqual(self.platform.scores[0][1]["activityProgress"], "Initialized")

    def test_a_server_error_is_retried_with_backoff_until_it_lands(self):
        self.platform.score_failures = [503, 502]
        passback = self.release()
        self.assertEqual((passback.state, passback.attempts), ("retrying", 1))
        self.assertIn("503", passback.last_error)
        self.assertAlmostEqual((passback.next_attempt_at - timezone.now()).total_seconds(), 60, delta=5)
        passback = self.run_due(passback)
        self.assertEqual((passback.state, passback.attempts), ("retrying", 2))
        self.assertAlmostEqual((passback.next_attempt_at - timezone.now()).total_seconds(), 120, delta=5)
        passback = self.run_due(passback)
        self.assertEqual(passback.state, "sent")
        self.assertEqual(len(self.platform.scores), 1)

    def test_an_early_copy_of_a_retry_does_nothing(self):
        self.platform.score_failures = [503]
        passback = self.release()
        with self.captureOnCommitCallbacks(execute=True):
            tasks.post_grade.apply_async((passback.pk,), headers={"_schema_name": self.northside.schema_name})
        passback.refresh_from_db()
        self.assertEqual((passback.state, passback.attempts), ("retrying", 1))

    def test_a_refusal_fails_at_once_shows_the_teacher_and_can_be_sent_again(self):
        self.platform.score_failures = [422]
        passback = self.release()
        self.assertEqual(passback.state, "failed")
        teacher = self.browser()
        teacher.force_login(self.teacher)
        page = teacher.get(reverse("lti_course", args=[self.link.assignment.course_id]))
        self.assertContains(page, "Failed (retry by hand)")
        self.assertContains(page, "score endpoint answered 422")
        with self.captureOnCommitCallbacks(execute=True):
            teacher.post(reverse("lti_passback_retry", args=[self.link.assignment.course_id, passback.pk]))
        passback.refresh_from_db()
        self.assertEqual(passback.state, "sent")

    def test_it_gives_up_after_the_last_attempt_and_keeps_the_row(self):
        self.platform.score_failures = [500] * tasks.MAX_ATTEMPTS
        passback = self.release()
        for _ in range(tasks.MAX_ATTEMPTS - 1):
            passback = self.run_due(passback)
        self.assertEqual((passback.state, passback.attempts), ("failed", tasks.MAX_ATTEMPTS))

    def test_the_nightly_sweep_resends_a_retry_whose_message_was_lost(self):
        self.platform.score_failures = [503]
        passback = self.release()
        GradePassback.objects.filter(pk=passback.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
        with self.captureOnCommitCallbacks(execute=True):
            tasks.sweep_lti.apply_async(headers={"_schema_name": self.northside.schema_name})
        passback.refresh_from_db()
        self.assertEqual(passback.state, "sent")

    def test_an_unreachable_platform_is_a_retry_not_a_loss(self):
        import requests

        self.platform.http.replace("POST", self.platform.token_url, body=requests.ConnectionError("down"))
        passback = self.release()
        self.assertEqual(passback.state, "retrying")
        self.assertIn("unreachable", passback.last_error)

    def test_no_passback_for_a_student_not_from_the_lms_or_a_link_without_line_item(self):
        sam = self.person("student")
        from coursework.actions import do_enrol_student

        do_enrol_student(self.link.assignment.course, sam, acting_user=self.teacher)
        other = get_or_start_submission(self.link.assignment, sam)
        with self.captureOnCommitCallbacks(execute=True):
            do_grade_submission(other, grade=50, acting_user=self.teacher)
            do_release_feedback(other, acting_user=self.teacher)
        self.assertFalse(GradePassback.objects.filter(submission=other).exists())

    def test_the_access_token_is_cached_until_it_expires(self):
        self.release(80)
        self.assertEqual(self.platform.token_requests, 1)
        with self.captureOnCommitCallbacks(execute=True):
            do_grade_submission(self.submission, grade=81, acting_user=self.teacher)
        self.assertEqual(self.platform.token_requests, 1)
        from django.core.cache import cache

        from integrations.lti.services import SCOPE_SCORE, _token_cache_key

        # Stored for expires_in (3600 s) less a minute of margin.
        self.assertIsNotNone(cache.get(_token_cache_key(self.registration, [SCOPE_SCORE])))

"""Erasure and export cover the writing assistant's log and the integrity signals (privacy/registry.py)."""

from assist.actions import do_request_help, do_set_stage_assist, do_write_reflection
from assist.models import Exchange, Unlock
from coursework.actions import do_submit_stage
from integrity import checks
from integrity.models import IntegrityJob, Observation, Signature, SimilarityMatch
from privacy.actions import do_answer_consent
from privacy.models import PrivacyRequest, Purpose
from tests.privacy.base import PrivacyTestCase

REFLECTION = ("I am trying to argue that school should start later, using research about sleep. I am stuck on "
              "how to answer people who worry about buses and sports, and my second paragraph feels weak to me.")
TEXT = ("Schools should start later, because sleep matters. Teenagers need more sleep than adults, and an early "
        "bell means tired students who remember little of their first lessons and arrive late more often.")


class WritingSupportRightsTests(PrivacyTestCase):
    def setUp(self):
        super().setUp()
        sam, cleo = self.person("student"), self.person("classmate")
        self.sams = self.write(sam, [TEXT])
        with self.captureOnCommitCallbacks(execute=True):
            do_submit_stage(self.sams, acting_user=sam)  # resubmission is refused; this is the next stage
        self.cleos = self.write(cleo, [TEXT + " I agree."])
        with self.captureOnCommitCallbacks(execute=True):
            do_submit_stage(self.cleos, acting_user=cleo)
        do_set_stage_assist(self.essay.stages.last(), ["clarity"], acting_user=self.person("teacher"))
        do_answer_consent(sam, Purpose.AI_ASSISTANCE, "accepted", acting_user=sam)
        self.sams.refresh_from_db()
        do_write_reflection(self.sams, REFLECTION, acting_user=sam)
        do_request_help(self.sams, "clarity", acting_user=sam)

    def test_the_setup_made_rows_to_erase(self):
        self.assertTrue(Exchange.objects.filter(submission=self.sams).exists())
        self.assertTrue(SimilarityMatch.objects.filter(other=self.sams).exists())
        self.assertTrue(Observation.objects.filter(submission=self.sams).exists())

    def test_erasure_removes_the_log_the_signals_and_the_matches_both_ways(self):
        filed = self.file("student", PrivacyRequest.Kind.ERASURE)
        self.approve(filed)
        filed.refresh_from_db()
        self.assertEqual(filed.state, "completed")
        for model in (Exchange, Unlock, Observation, Signature, IntegrityJob):
            with self.subTest(model.__name__):
                self.assertFalse(model.objects.filter(submission_id=self.sams.pk).exists())
        self.assertFalse(SimilarityMatch.objects.filter(other_id=self.sams.pk).exists())
        self.assertFalse(SimilarityMatch.objects.filter(submission_id=self.sams.pk).exists())
        self.assertTrue(Observation.objects.filter(submission=self.cleos).exists())  # Cleo's own stay
        job = IntegrityJob.objects.filter(submission=self.cleos).first()
        self.assertEqual(checks.run(job.pk), IntegrityJob.State.DONE)  # a redelivered check does not break

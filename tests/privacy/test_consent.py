"""Consent per purpose: answered on the privacy page, enforced where the data is used."""

from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.actions import do_create_user
from accounts.models import Role
from coursework.actions import do_allocate_peer_reviews, do_configure_peer_review, do_submit_stage
from coursework.models import PeerReviewAllocation, Stage
from privacy.actions import do_answer_consent, do_link_guardian
from privacy.consent import has_consent
from privacy.models import Consent, Purpose
from privacy.tasks import analytics_cache_key, build_writing_analytics
from scribetree.celery import send_after_commit
from tests.base import PASSWORD
from tests.privacy.base import PrivacyTestCase


class ConsentTests(PrivacyTestCase):
    def answer(self, key, purpose, answer, subject=None, **extra):
        client = self.signed_in_client(key)
        subject = subject or self.person(key)
        return client.post(f"/privacy/consent/{subject.pk}", {"purpose": purpose, "answer": answer}, **extra)

    def test_unanswered_purposes_follow_their_defaults(self):
        sam = self.person("student")
        self.assertTrue(has_consent(sam, Purpose.PEER_SHOWING))
        for purpose in (Purpose.AI_ASSISTANCE, Purpose.ANALYTICS, Purpose.RESEARCH):
            self.assertFalse(has_consent(sam, purpose))
        page = self.signed_in_client("student").get("/privacy/")
        self.assertContains(page, "Not answered", count=4)

    def test_a_student_accepts_and_withdraws_from_the_privacy_page(self):
        self.assertRedirects(self.answer("student", Purpose.RESEARCH, "accepted"), "/privacy/")
        self.assertTrue(has_consent(self.person("student"), Purpose.RESEARCH))
        self.answer("student", Purpose.RESEARCH, "declined")
        self.assertFalse(has_consent(self.person("student"), Purpose.RESEARCH))
        consent = Consent.objects.get(subject=self.person("student"), purpose=Purpose.RESEARCH)
        self.assertEqual(consent.given_by, self.person("student"))
        from auditlog.models import LogEntry

        self.assertEqual(LogEntry.objects.get_for_object(consent).count(), 2)  # accepted, then withdrawn

    def test_peer_review_does_not_show_work_of_a_student_who_declined(self):
        tara, sam, cleo = self.person("teacher"), self.person("student"), self.person("classmate")
        now = timezone.now()
        do_configure_peer_review(self.essay, stage=self.essay.stages.get(kind=Stage.Kind.DRAFT),
                                 opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=2),
                                 reviewers_per_submission=1, acting_user=tara)
        cleos = self.write(cleo, ["Cleo on uniforms."])
        do_submit_stage(cleos, acting_user=cleo)
        do_allocate_peer_reviews(self.essay, seed=0, acting_user=tara)
        allocation = PeerReviewAllocation.objects.get(reviewer=cleo, submission=self.sams_work)
        cleo_client = self.signed_in_client("classmate")
        self.assertEqual(cleo_client.get(f"/peer-review/{allocation.pk}/").status_code, 200)
        self.assertContains(cleo_client.get("/peer-review/"), f"/peer-review/{allocation.pk}/")
        # Sam withdraws: at once, Cleo can no longer open his draft, by page or API.
        self.answer("student", Purpose.PEER_SHOWING, "declined")
        self.assertEqual(cleo_client.get(f"/peer-review/{allocation.pk}/").status_code, 404)
        self.assertNotContains(cleo_client.get("/peer-review/"), f"/peer-review/{allocation.pk}/")
        self.assertEqual(cleo_client.get(f"/api/peer-review/allocations/{allocation.pk}").status_code, 404)
        # And a new deal leaves his draft out.
        PeerReviewAllocation.objects.all().delete()
        do_allocate_peer_reviews(self.essay, seed=0, acting_user=tara)
        self.assertFalse(PeerReviewAllocation.objects.filter(submission__student=sam).exists())

    def test_withdrawal_stops_queued_work_and_forgets_what_it_built(self):
        sam = self.person("student")
        do_answer_consent(sam, Purpose.ANALYTICS, "accepted", acting_user=sam)
        build_writing_analytics.delay(person_id=sam.pk)
        self.assertEqual(cache.get(analytics_cache_key(sam.pk))["revisions"], 3)
        with self.captureOnCommitCallbacks() as queued:  # queued, not yet run
            send_after_commit(build_writing_analytics, person_id=sam.pk)
        do_answer_consent(sam, Purpose.ANALYTICS, "declined", acting_user=sam)
        self.assertIsNone(cache.get(analytics_cache_key(sam.pk)))  # the cached copy went with the consent
        for callback in queued:
            callback()  # the worker picks the task up after the withdrawal
        self.assertIsNone(cache.get(analytics_cache_key(sam.pk)))

    def test_a_guardian_answers_for_a_student_under_the_age_threshold(self):
        sam, admin = self.person("student"), self.person("admin")
        guardian = do_create_user("gina@northside.example", "Gina Guardian", Role.GUARDIAN, password=PASSWORD,
                                  acting_user=admin)
        self.people["guardian"] = guardian
        link = do_link_guardian(guardian, sam, student_birth_date=timezone.localdate() - timedelta(days=365 * 13),
                                relationship="mother", acting_user=admin)
        with self.assertRaises(PermissionDenied):
            do_answer_consent(sam, Purpose.RESEARCH, "accepted", acting_user=sam)
        self.assertContains(self.signed_in_client("student").get("/privacy/"), "Your guardian answers these")
        self.assertRedirects(self.answer("guardian", Purpose.RESEARCH, "accepted", subject=sam), "/privacy/")
        consent = Consent.objects.get(subject=sam, purpose=Purpose.RESEARCH)
        self.assertEqual((consent.answer, consent.given_by), ("accepted", guardian))
        self.assertContains(self.signed_in_client("guardian").get("/privacy/"), "Sam Student: how their data")
        # Once the student is past the threshold (16 at Northside), the student decides, not the guardian.
        link.student_birth_date = timezone.localdate() - timedelta(days=365 * 17)
        link.save()
        with self.assertRaises(PermissionDenied):
            do_answer_consent(sam, Purpose.RESEARCH, "declined", acting_user=guardian)
        do_answer_consent(sam, Purpose.RESEARCH, "declined", acting_user=sam)

    def test_nobody_answers_for_someone_else(self):
        response = self.answer("classmate", Purpose.RESEARCH, "accepted", subject=self.person("student"))
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Consent.objects.exists())
        # From Riverside, Sam's id is (at most) a Riverside person's id: it never reaches Northside.
        rory = self.signed_in_client("riverside_student", self.riverside)
        response = rory.post(f"/privacy/consent/{self.person('student').pk}",
                             {"purpose": "research", "answer": "accepted"})
        self.assertFalse(Consent.objects.exists())
        with tenant_context(self.riverside):
            self.assertEqual(response.status_code, 302 if Consent.objects.exists() else 404)
            self.assertEqual(set(Consent.objects.values_list("subject_id", flat=True)) - {
                self.person("riverside_student").pk}, set())

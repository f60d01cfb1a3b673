"""The privacy office reviews requests in the institution's admin: approve, reject, complete, comment."""

from django.core.exceptions import ValidationError

from accounts.actions import do_update_person
from privacy.actions import do_complete_request, do_decide_request
from privacy.consent import has_consent
from privacy.models import PrivacyRequest, Purpose
from tests.privacy.base import PrivacyTestCase


class DecideRequestTests(PrivacyTestCase):
    def admin_url(self, filed):
        return f"/admin/privacy/privacyrequest/{filed.pk}/change/"

    def post_decision(self, client, filed, decision, note="", comment=""):
        return client.post(self.admin_url(filed), {
            "decision": decision, "note": note,
            "comments-TOTAL_FORMS": "1", "comments-INITIAL_FORMS": "0", "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000", "comments-0-body": comment, "comments-0-request": filed.pk,
        })

    def test_the_officer_approves_an_export_in_the_admin_and_the_job_runs(self):
        filed = self.file("student", PrivacyRequest.Kind.EXPORT)
        officer = self.signed_in_client("privacy_officer")
        self.assertContains(officer.get(self.admin_url(filed)), "Awaiting approval")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post_decision(officer, filed, "approve", comment="Identity matches the register.")
        self.assertEqual(response.status_code, 302)
        filed.refresh_from_db()
        self.assertEqual((filed.state, filed.decided_by), ("completed", self.person("privacy_officer")))
        self.assertEqual(filed.outcome["result"], "exported")
        bodies = list(filed.comments.values_list("body", flat=True))
        self.assertIn("Identity matches the register.", bodies)
        self.assertIn("Approved.", bodies)

    def test_a_rejection_needs_a_reason_which_the_person_sees(self):
        filed = self.file("student", PrivacyRequest.Kind.ERASURE)
        with self.assertRaises(ValidationError):
            do_decide_request(filed, approve=False, acting_user=self.person("privacy_officer"))
        self.post_decision(self.signed_in_client("privacy_officer"), filed, "reject",
                           note="Your coursework is under a records request until June.")
        filed.refresh_from_db()
        self.assertEqual(filed.state, "rejected")
        self.assertContains(self.signed_in_client("student").get(f"/privacy/requests/{filed.pk}/"),
                            "under a records request until June")

    def test_it_refuses_to_decide_twice(self):
        filed = self.file("student", PrivacyRequest.Kind.EXPORT)
        self.approve(filed)
        with self.assertRaises(ValidationError):
            do_decide_request(filed, approve=True, acting_user=self.person("privacy_officer"))

    def test_a_rectification_is_applied_through_the_normal_actions_then_completed(self):
        filed = self.file("student", PrivacyRequest.Kind.RECTIFICATION, details="My name is Samuel, not Sam.")
        officer = self.person("privacy_officer")
        do_decide_request(filed, approve=True, acting_user=officer)
        do_update_person(self.person("student"), full_name="Samuel Student", acting_user=officer)
        do_complete_request(filed, summary="Name corrected to Samuel Student.", acting_user=officer)
        filed.refresh_from_db()
        self.assertEqual((filed.state, filed.outcome["summary"]), ("completed", "Name corrected to Samuel Student."))
        from auditlog.models import LogEntry

        change = LogEntry.objects.get_for_object(self.person("student")).filter(actor=officer).latest("pk")
        self.assertEqual(change.changes_dict["full_name"], ["Sam Student", "Samuel Student"])

    def test_a_restriction_stops_every_optional_use(self):
        filed = self.file("student", PrivacyRequest.Kind.RESTRICTION, details="Stop using my work for anything extra.")
        officer = self.person("privacy_officer")
        do_decide_request(filed, approve=True, acting_user=officer)
        do_complete_request(filed, summary="All optional uses stopped.", acting_user=officer)
        for purpose in Purpose:
            self.assertFalse(has_consent(self.person("student"), purpose), purpose)

    def test_teachers_and_students_cannot_decide(self):
        filed = self.file("student", PrivacyRequest.Kind.EXPORT)
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            do_decide_request(filed, approve=True, acting_user=self.person("teacher"))
        self.assertEqual(self.signed_in_client("student").get(self.admin_url(filed)).status_code, 302)

"""django-auditlog covers every model that holds personal data or grades, or says why not."""

from auditlog.registry import auditlog
from django.apps import apps
from django.test import SimpleTestCase

from privacy.registry import REGISTRY

# Models with personal fields that are deliberately not audited, and why.
NOT_AUDITED = {
    "coursework.Revision": "the revision history is itself the record; auditing it would double every save",
    "coursework.ProcessEvent": "written once with its revision, never edited; auditing it would double every save",
    "sessions.Session": "transient; ended and expired by the session machinery",
    "usersessions.UserSession": "transient; a list of open sessions",
    "account.EmailConfirmation": "transient; a pending confirmation",
    "mfa.Authenticator": "holds secrets that must never be copied into a log",
    "auditlog.LogEntry": "the audit log itself",
    "admin.LogEntry": "Django admin's own history",
    "tenants.ProvisioningJob": "platform set-up in public; the institution's own audit starts in its schema",
    "privacy.PrivacyJob": "progress of a request's job; the request (audited) records the outcome",
    "integrations_oneroster.RosterLink": "maps the SIS's ids to ours; the people, courses and enrolments it "
                                         "links are changed through the actions, which are audited",
    "integrations_lti.LaunchTicket": "a single-use, minutes-long hand-over ticket; the sign-in it allows is logged",
    "integrations_lti.RosterSync": "a job row; the enrolments it changes go through the audited actions",
    "integrations_lti.GradePassback": "a delivery record of a grade that is audited on the submission itself",
    "socialaccount.SocialToken": "OAuth tokens are secrets, and none are stored (SOCIALACCOUNT_STORE_TOKENS = False)",
    "integrity.IntegrityJob": "progress of a check; its results (observations, matches) are audited",
    "integrity.Signature": "a hash summary of the text, rebuilt by every check; no judgement in it",
}


class AuditCoverageTests(SimpleTestCase):
    def test_every_model_with_personal_data_is_audited_or_exempt_with_a_reason(self):
        for label, declaration in REGISTRY.items():
            if not declaration.personal_fields:
                continue
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            with self.subTest(label):
                self.assertTrue(auditlog.contains(model) or label in NOT_AUDITED,
                                f"{label} holds personal data: register it with auditlog or say why not")

    def test_the_exemptions_are_still_needed(self):
        for label in NOT_AUDITED:
            with self.subTest(label):
                self.assertFalse(auditlog.contains(apps.get_model(label)), f"{label} is audited now: drop it here")

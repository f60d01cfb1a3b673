from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from auditlog.registry import auditlog

        from privacy import models as m

        # Requests, consent, guardians, holds and notices are audited with their actor. The job rows
        # are not (progress counters; the request records the outcome).
        auditlog.register(m.PrivacyRequest, exclude_fields=["outcome"])
        auditlog.register(m.RequestComment)
        auditlog.register(m.Consent)
        auditlog.register(m.GuardianLink)
        auditlog.register(m.LegalHold)
        auditlog.register(m.PrivacyNotice, exclude_fields=["body"])
        auditlog.register(m.NoticeAcceptance)

        # Personal data that other apps did not register yet (tests/privacy/test_audit_coverage.py keeps
        # this complete): what a student submitted when (with the reflection), who reviews whose draft,
        # and sign-in addresses.
        from allauth.account.models import EmailAddress

        from coursework import models as coursework

        for model in (coursework.StageSubmission, coursework.PeerReviewAllocation, EmailAddress):
            if not auditlog.contains(model):
                auditlog.register(model)

        from django.db.models.signals import post_migrate

        post_migrate.connect(_sync_privacy_office, sender=self)


def _sync_privacy_office(sender, **kwargs):
    """After migrating an institution, its privacy office group gets any permission added since."""
    from django.db import connection

    if connection.schema_name in ("public", "institution_template"):
        return
    from django.contrib.auth.models import Group

    from accounts.actions import PRIVACY_OFFICE_GROUP, sync_privacy_office_permissions

    if Group.objects.filter(name=PRIVACY_OFFICE_GROUP).exists():
        sync_privacy_office_permissions()

"""LTI 1.3 tool (LTI Advantage): launches, deep linking, NRPS rosters and AGS grades, per institution."""
from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "integrations.lti"
    label = "integrations_lti"
    verbose_name = "LMS (LTI 1.3)"

    def ready(self):
        from auditlog.registry import auditlog

        from coursework.signals import grade_released
        from integrations.lti import models as m
        from integrations.lti.receivers import queue_passback

        # Who connected which LMS, and which people are linked to which LMS accounts, is audited.
        auditlog.register(m.PlatformRegistration)
        auditlog.register(m.Deployment)
        auditlog.register(m.LtiIdentity, exclude_fields=["last_launch_at"])
        grade_released.connect(queue_passback, dispatch_uid="integrations.lti.queue_passback")

from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = "Academic integrity"

    def ready(self):
        from auditlog.registry import auditlog

        from integrity import models as m

        # Observations and matches are judgements about a student's work: audited. Signatures and
        # job rows are derived data and progress (tests/privacy/test_audit_coverage.py says why).
        auditlog.register(m.Observation)
        auditlog.register(m.SimilarityMatch, exclude_fields=["passages"])

from django.apps import AppConfig


class AssistConfig(AppConfig):
    name = "assist"
    verbose_name = "Writing assistant"

    def ready(self):
        from auditlog.registry import auditlog

        from assist import models as m

        # The ceiling, the teacher's settings, the reflection gate's decisions and the boundary
        # decisions are judgements or rules: audited (never the sealed key).
        auditlog.register(m.AssistPolicy, exclude_fields=["sealed_api_key"])
        auditlog.register(m.StageAssist)
        auditlog.register(m.Unlock, include_fields=["accepted", "reasons"])
        auditlog.register(m.Exchange, include_fields=["category", "refused", "decisions"])

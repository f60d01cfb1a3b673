from django.apps import AppConfig


class OneRosterConfig(AppConfig):
    name = "integrations.oneroster"
    label = "integrations_oneroster"
    verbose_name = "OneRoster roster sync"

    def ready(self):
        from auditlog.registry import auditlog

        from integrations.oneroster import models as m

        # Who uploaded, confirmed or discarded which roster; the file and the plan stay out of the log.
        auditlog.register(m.RosterImport, include_fields=["file_name", "state", "confirmed_by"])

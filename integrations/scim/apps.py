from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "integrations.scim"
    label = "integrations_scim"
    verbose_name = "SCIM provisioning"

    def ready(self):
        from auditlog.registry import auditlog

        from integrations.scim import models as m

        # Issuing and revoking a provisioning token is a security event; the hash is not logged.
        auditlog.register(m.ScimToken, exclude_fields=["token_hash", "last_used_at"])
        auditlog.register(m.ScimUser)

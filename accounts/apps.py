from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"

    def ready(self):
        from auditlog.registry import auditlog

        from accounts.models import User

        # Every change to a person, their role or their groups is audited with its actor.
        auditlog.register(User, exclude_fields=["password", "last_login"], m2m_fields={"groups"})

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"

    def ready(self):
        from auditlog.registry import auditlog

        from accounts import backends

        backends.connect()  # the cached signed-in person is dropped when they change

        from accounts.models import User

        # Every change to a person, their role or their groups is audited with its actor.
        # On create and delete auditlog reads every field *including reverse one-to-ones*: "scim"
        # (integrations.scim.ScimUser, a tenant-only table) would be queried for each new person, and
        # fail in `public`, where operators are created and the table does not exist.
        auditlog.register(User, exclude_fields=["password", "last_login", "scim"], m2m_fields={"groups"})

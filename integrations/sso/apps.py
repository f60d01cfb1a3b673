from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "integrations.sso"
    label = "integrations_sso"
    verbose_name = "Single sign-on"

    def ready(self):
        from allauth.socialaccount.models import SocialAccount
        from auditlog.registry import auditlog

        from integrations.sso.models import OidcProvider, SamlIdentityProvider

        # Changes to who may sign in are audited; the client secret only as "changed" (masked).
        auditlog.register(SamlIdentityProvider, exclude_fields=["metadata_xml", "updated_at"])
        auditlog.register(OidcProvider, mask_fields=["client_secret"], exclude_fields=["updated_at"],
                          mask_callable="integrations.sso.apps.hide_secret")
        # Which identity-provider account opens which person's account: linking is audited. The
        # IdP's attribute dump (extra_data) and sign-in times are not copied into the log.
        auditlog.register(SocialAccount, exclude_fields=["extra_data", "last_login", "date_joined"])


def hide_secret(value):
    # auditlog's default mask keeps half the string; a client secret keeps nothing.
    return "(secret)" if value else ""

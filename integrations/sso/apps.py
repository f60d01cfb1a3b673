from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "integrations.sso"
    label = "integrations_sso"

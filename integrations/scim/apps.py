from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "integrations.scim"
    label = "integrations_scim"

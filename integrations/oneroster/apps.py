from django.apps import AppConfig


class OneRosterConfig(AppConfig):
    name = "integrations.oneroster"
    label = "integrations_oneroster"

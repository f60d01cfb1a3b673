from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "integrations.lti"
    label = "integrations_lti"

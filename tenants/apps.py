from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Institutions"

    def ready(self):
        from auditlog.registry import auditlog

        from tenants import signals  # noqa: F401  (cache invalidation)
        from tenants.models import Domain, Institution

        auditlog.register(Institution)
        auditlog.register(Domain)

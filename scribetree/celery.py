"""The Celery app. Through tenant-schemas-celery every task carries the schema it was sent from.

Two kinds of task, and nothing else:
- InstitutionTask: does work inside one institution. Refuses to be sent, and refuses to run,
  without one (a task without the schema header would otherwise run in `public` silently).
- PlatformTask: works on `public` (provisioning, dispatchers that fan out per institution).
Tasks take ids, never model instances, and are sent with transaction.on_commit.
"""

import os

from django.db import connection, transaction
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scribetree.settings")


class MissingInstitution(RuntimeError):
    pass


class InstitutionTask(TenantTask):
    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        headers = options.get("headers") or {}
        schema = headers.get("_schema_name", connection.schema_name)
        if schema == "public":
            raise MissingInstitution(f"{self.name} needs an institution; send it inside tenant_context().")
        return super().apply_async(args, kwargs, **options)

    def __call__(self, *args, **kwargs):
        # tenant-schemas-celery has switched the schema (task_prerun) before this runs.
        if connection.schema_name == "public":
            raise MissingInstitution(f"{self.name} arrived without an institution; refusing to run in public.")
        return super().__call__(*args, **kwargs)


class PlatformTask(TenantTask):
    abstract = True

    def __call__(self, *args, **kwargs):
        if connection.schema_name != "public":
            connection.set_schema_to_public()
        return super().__call__(*args, **kwargs)


app = CeleryApp("scribetree")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def send_after_commit(task, *args, **kwargs):
    """Send `task` once the current transaction commits, in the schema we are in *now*."""
    schema = connection.schema_name
    transaction.on_commit(lambda: task.apply_async(args, kwargs, headers={"_schema_name": schema}))

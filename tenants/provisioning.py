"""Creating an institution's schema, admin and domain: a resumable, step-by-step job.

Design note
- Two ways to build a schema (django-tenants offers both): run every tenant migration into an
  empty schema ("migrate"), or copy the migrated template schema `TENANT_BASE_SCHEMA` with the
  `clone_schema()` SQL function ("clone"). bench/provisioning.py measures both with 1,000
  institutions present; PROVISIONING_METHOD picks the faster (see docs/architecture.md for the
  figures). The template must be migrated whenever migrations run: `manage.py migrate_all`.
- Each step is recorded on the ProvisioningJob when it finishes, so a worker killed mid-way is
  re-run from the first unfinished step. The schema step is one transaction (clone) or a series
  of idempotent migrations (migrate), so a re-run never finds half a schema it cannot finish.
- The job refuses to run when already done, or after MAX_ATTEMPTS attempts (a poison job would
  otherwise be redelivered forever with acks_late).
- Never run this inside a web request: it is sent to Celery by tenants.actions.
"""

import logging
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.clone import CLONE_SCHEMA_FUNCTION
from django_tenants.utils import schema_exists, schema_context, tenant_context

from accounts.models import Role, User
from tenants.models import Institution, ProvisioningJob

logger = logging.getLogger(__name__)


class ProvisioningRefused(RuntimeError):
    pass


def provision(job_id):
    job = _claim(job_id)
    if job is None:
        return None
    started = time.perf_counter()
    institution = job.institution
    try:
        for step in ProvisioningJob.STEPS:
            if step in job.completed_steps:
                continue
            STEP_FUNCTIONS[step](job, institution)
            job.completed_steps = [*job.completed_steps, step]
            job.save(update_fields=["completed_steps"])
    except Exception as exc:
        connection.set_schema_to_public()
        logger.exception("Provisioning of institution %s failed at attempt %s", institution.pk, job.attempts)
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        if job.attempts >= ProvisioningJob.MAX_ATTEMPTS:
            job.state = ProvisioningJob.State.FAILED
            Institution.objects.filter(pk=institution.pk).update(status=Institution.Status.FAILED)
        else:
            job.state = ProvisioningJob.State.QUEUED
        job.save(update_fields=["error", "state"])
        raise
    job.state = ProvisioningJob.State.DONE
    job.finished_at = timezone.now()
    job.duration_ms = int((time.perf_counter() - started) * 1000)
    job.error = ""
    job.save(update_fields=["state", "finished_at", "duration_ms", "error"])
    return job


def _claim(job_id):
    """Mark the job running; None when there is nothing (more) to do."""
    with transaction.atomic():
        job = ProvisioningJob.objects.select_for_update().select_related("institution").get(pk=job_id)
        if job.state == ProvisioningJob.State.DONE:
            return None
        if job.attempts >= ProvisioningJob.MAX_ATTEMPTS:
            raise ProvisioningRefused(f"Provisioning job {job_id} has failed {job.attempts} times; not retrying.")
        job.attempts += 1
        job.state = ProvisioningJob.State.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.method = settings.PROVISIONING_METHOD
        job.save(update_fields=["attempts", "state", "started_at", "method"])
    return job


def _create_schema(job, institution):
    if schema_exists(institution.schema_name) and _schema_is_complete(institution.schema_name):
        return
    if settings.PROVISIONING_METHOD == "clone":
        clone_template_into(institution.schema_name)
    else:
        migrate_into(institution.schema_name)


def _create_admin(job, institution):
    from accounts.actions import do_create_user

    with tenant_context(institution):
        if not User.objects.filter(email=job.admin_email.lower()).exists():
            do_create_user(job.admin_email, job.admin_name or "Institution admin", Role.INSTITUTION_ADMIN,
                           acting_user=None)


def _open(job, institution):
    institution.status = Institution.Status.READY
    institution.save(update_fields=["status"])


STEP_FUNCTIONS = {
    ProvisioningJob.Step.SCHEMA: _create_schema,
    ProvisioningJob.Step.ADMIN: _create_admin,
    ProvisioningJob.Step.READY: _open,
}


# --- The two ways to build a schema -----------------------------------------------------------

def clone_template_into(schema_name):
    """Copy the migrated template schema (tables, sequences, rows such as django_migrations and
    content types) in one transaction. The clone_schema() function is installed by migrate_all,
    not here: re-creating its 4,000 lines of PL/pgSQL cost more than the copy itself."""
    if not _clone_function_installed():
        install_clone_function()
    with transaction.atomic(), connection.cursor() as cursor:
        connection.set_schema_to_public()
        cursor.execute("SELECT public.clone_schema(%s, %s, 'DATA')", [settings.TENANT_BASE_SCHEMA, schema_name])


def migrate_into(schema_name):
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')
    call_command("migrate_schemas", schema_name=schema_name, tenant=True, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def _schema_is_complete(schema_name):
    with schema_context(schema_name), connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL", [f'"{schema_name}".django_migrations']
        )
        has_table = cursor.fetchone()[0]
        if not has_table:
            return False
        cursor.execute(f'SELECT count(*) FROM "{schema_name}".django_migrations')
        count = cursor.fetchone()[0]
        cursor.execute(f'SELECT count(*) FROM "{settings.TENANT_BASE_SCHEMA}".django_migrations')
        return count >= cursor.fetchone()[0]


def _clone_function_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('public.clone_schema(text, text, public.cloneparms[])') IS NOT NULL")
        return cursor.fetchone()[0]


def install_clone_function():
    db_user = settings.DATABASES["default"].get("USER") or "postgres"
    with connection.cursor() as cursor:
        cursor.execute(CLONE_SCHEMA_FUNCTION.format(db_user=db_user))


def ensure_template_schema(verbosity=1):
    """Create and migrate the template schema that new institutions are cloned from."""
    name = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
    call_command("migrate_schemas", schema_name=name, tenant=True, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()
    install_clone_function()

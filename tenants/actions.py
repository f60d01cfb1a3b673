"""Creating and changing institutions (platform operators; public schema)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from scribetree.audit import acting_as
from scribetree.celery import send_after_commit
from tenants.models import Domain, Institution, ProvisioningJob

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,40}$")
RESERVED_SLUGS = {"public", "www", "admin", "api", "static", "media", "institution-template", "template"}


def schema_name_for(slug):
    return "inst_" + slug.replace("-", "_")


def default_domain_for(slug):
    return f"{slug}.{settings.INSTITUTION_DOMAIN_SUFFIX}"


@transaction.atomic
def do_create_institution(
    name, slug, *, domain=None, admin_email, admin_name="", acting_user, run_now=False, **settings_fields
):
    """Record the institution, its domain and a provisioning job; queue the job after commit.

    With run_now (the shell command), the job runs in this process instead of Celery.
    """
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise ValidationError({"slug": "Use 2-41 lower-case letters, digits or hyphens, starting with a letter."})
    domain = (domain or default_domain_for(slug)).strip().lower()
    with acting_as(acting_user), schema_context(get_public_schema_name()):
        institution = Institution(name=name.strip(), slug=slug, schema_name=schema_name_for(slug), **settings_fields)
        institution.full_clean()
        institution.save()
        domain_row = Domain(domain=domain, tenant=institution, is_primary=True)
        domain_row.full_clean()
        domain_row.save()
        job = ProvisioningJob.objects.create(institution=institution, admin_email=admin_email, admin_name=admin_name)
    if not run_now:
        from tenants.tasks import provision_institution

        send_after_commit(provision_institution, job.pk)
    return institution, job


def do_retry_provisioning(job, *, acting_user):
    with acting_as(acting_user):
        ProvisioningJob.objects.filter(pk=job.pk).update(
            attempts=0, state=ProvisioningJob.State.QUEUED, error=""
        )
        Institution.objects.filter(pk=job.institution_id).update(status=Institution.Status.PROVISIONING)
    from tenants.tasks import provision_institution

    send_after_commit(provision_institution, job.pk)


@transaction.atomic
def do_update_institution_settings(institution, *, acting_user, **fields):
    """What an institution admin may change about their own institution."""
    allowed = {"name", "brand_colour", "logo", "time_zone", "gdpr", "ferpa", "ccpa", "coursework_retention_days",
               "inactive_account_retention_days", "audit_retention_days",
               "process_data_retention_days", "export_retention_days", "guardian_consent_age"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    with acting_as(acting_user):
        for name, value in fields.items():
            setattr(institution, name, value)
        institution.full_clean()
        institution.save(update_fields=list(fields))
    return institution

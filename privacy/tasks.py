"""Privacy's Celery tasks: request jobs, the nightly retention pass, consent-gated work."""

import logging

from django.core.cache import cache
from django.db.models import Count, Sum

from privacy.consent import requires_consent
from privacy.models import PrivacyJob, Purpose
from scribetree.audit import acting_as
from scribetree.celery import InstitutionTask, PlatformTask, app
from tenants.tasks import for_each_institution

log = logging.getLogger(__name__)


@app.task(base=InstitutionTask)
def run_privacy_job(job_id):
    from privacy import erasure, export

    job = PrivacyJob.objects.select_related("request__decided_by").get(pk=job_id)
    # The officer who approved the request is the actor of whatever the job changes.
    with acting_as(job.request.decided_by):
        return (export.run if job.kind == PrivacyJob.Kind.EXPORT else erasure.run)(job_id)


@app.task(base=InstitutionTask)
def apply_retention():
    from django.db import connection

    from privacy.retention import run

    report = run(connection.tenant, dry_run=False)
    log.info("Retention in %s: %s", connection.schema_name, report.summary())


@app.task(base=PlatformTask)
def dispatch_retention():
    for_each_institution(apply_retention)


# --- Consent-gated work -----------------------------------------------------------------------------

def analytics_cache_key(person_id):
    return f"privacy:analytics:{person_id}"


ANALYTICS_SECONDS = 24 * 60 * 60


@app.task(base=InstitutionTask)
@requires_consent(Purpose.ANALYTICS)
def build_writing_analytics(person_id):
    """A person's writing-process summary (time writing, typed vs pasted), cached for their pages.

    Runs only with the person's analytics consent, checked when the task runs: a withdrawal made
    after it was queued stops it. Withdrawal also deletes the cached copy (forget_derived_data)."""
    from coursework.models import Revision

    figures = (Revision.objects.filter(submission__student_id=person_id)
               .aggregate(revisions=Count("pk"), active_seconds=Sum("process__active_seconds"),
                          typed_chars=Sum("process__typed_chars"), pasted_chars=Sum("process__pasted_chars")))
    cache.set(analytics_cache_key(person_id), figures, ANALYTICS_SECONDS)
    return figures


def forget_derived_data(person_id, purpose):
    """What was built from a purpose's data goes when its consent goes."""
    if purpose == Purpose.ANALYTICS:
        cache.delete(analytics_cache_key(person_id))

"""The two Celery jobs of an import: plan (the dry run) and apply. Both are guarded by the job's
state and an attempt counter, so a redelivered or poison task neither runs twice nor loops."""

import logging

from django.db import transaction
from django.utils import timezone

from integrations.oneroster import csvzip
from integrations.oneroster.applier import apply_plan
from integrations.oneroster.models import RosterImport
from integrations.oneroster.planner import make_plan
from scribetree.celery import InstitutionTask, app

logger = logging.getLogger(__name__)
State = RosterImport.State


def _claim(job_id, allowed, running):
    """Lock the job, check its state, count the attempt; return it, or None when not ours to run."""
    with transaction.atomic():
        job = RosterImport.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state not in allowed:
            return None
        job.attempts += 1
        if job.attempts > RosterImport.MAX_ATTEMPTS:
            job.state, job.error = State.FAILED, f"Gave up after {RosterImport.MAX_ATTEMPTS} attempts."
            job.save(update_fields=["state", "error", "attempts"])
            return None
        job.state = running
        job.save(update_fields=["state", "attempts"])
        return job


def _fail(job_id, message):
    RosterImport.objects.filter(pk=job_id).update(state=State.FAILED, error=message, finished_at=timezone.now())


def _read_and_plan(job):
    return make_plan(csvzip.read(bytes(job.data)))


@app.task(base=InstitutionTask)
def plan_roster_import(job_id):
    job = _claim(job_id, {State.QUEUED, State.PLANNING}, State.PLANNING)
    if job is None:
        return
    try:
        plan = _read_and_plan(job)
    except csvzip.RosterFileError as exc:
        _fail(job_id, str(exc))
        return
    except Exception:
        logger.exception("OneRoster import %s could not be planned", job_id)
        _fail(job_id, "The file could not be read (the error is in the server log).")
        return
    RosterImport.objects.filter(pk=job_id, state=State.PLANNING).update(
        state=State.PLANNED, plan=plan.as_json(), plan_fingerprint=plan.fingerprint(), mode=plan.mode,
        progress=100, attempts=0, planned_at=timezone.now(), error="")


@app.task(base=InstitutionTask)
def apply_roster_import(job_id):
    job = _claim(job_id, {State.CONFIRMED, State.APPLYING}, State.APPLYING)
    if job is None:
        return
    try:
        with transaction.atomic():
            job = RosterImport.objects.select_for_update().get(pk=job_id)
            if job.state != State.APPLYING:
                return  # another copy of this task finished it
            # Planned again under the lock: what is applied is exactly what this plan says.
            plan = _read_and_plan(job)
            if plan.fingerprint() != job.plan_fingerprint:
                # People, courses or links changed since the admin reviewed the plan: show the new one.
                job.state, job.plan, job.plan_fingerprint, job.attempts = \
                    State.PLANNED, plan.as_json(), plan.fingerprint(), 0
                job.error = "Things changed here since the review, so nothing was applied. Review the new plan."
                job.save(update_fields=["state", "plan", "plan_fingerprint", "attempts", "error"])
                return
            apply_plan(plan.as_json(), actor=job.confirmed_by, job_id=job_id)
            job.state, job.progress, job.finished_at, job.data, job.error = \
                State.DONE, 100, timezone.now(), b"", ""
            job.save(update_fields=["state", "progress", "finished_at", "data", "error"])
    except Exception:
        logger.exception("OneRoster import %s could not be applied", job_id)
        _fail(job_id, "The import could not be applied, so nothing was changed (the error is in the server log).")

"""The step runner shared by export and erasure jobs (PrivacyJob rows).

Design note
- A job is a list of named steps. Each step runs in its own transaction that also locks the job
  row and records the step as done, so a step is either wholly done and recorded or not at all.
  A worker killed between steps leaves the job RUNNING; the redelivered task (acks_late +
  reject_on_worker_lost) starts after the last recorded step. Two copies running at once (Redis
  redelivers after the visibility timeout while the first may still run) serialise on the row
  lock, and the second finds the step already recorded and skips it.
- `attempts` counts starts: a job that kills its worker every time (a poison task) stops after
  MAX_ATTEMPTS and is marked failed instead of being redelivered forever.
- Errors: the job records the exception's class and message for the privacy office (the admin);
  the person sees only "failed, the privacy office has been told".
"""

import logging
import time

from django.db import transaction
from django.utils import timezone

from privacy.models import PrivacyJob

log = logging.getLogger(__name__)


def begin(job_id):
    """Lock, count the attempt and mark running; None when there is nothing (more) to do."""
    with transaction.atomic():
        job = PrivacyJob.objects.select_for_update().select_related("request__subject").get(pk=job_id)
        if job.state in (PrivacyJob.State.DONE, PrivacyJob.State.FAILED):
            return None
        if job.attempts >= PrivacyJob.MAX_ATTEMPTS:
            fail(job, f"Gave up after {job.attempts} attempts.")
            return None
        job.attempts += 1
        job.state = PrivacyJob.State.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["attempts", "state", "started_at"])
    return job


def run_steps(job, steps, perform, *, after_step=None):
    """Run each step not yet recorded; `perform(job, step)` does the work inside the step's transaction."""
    job.total_steps = len(steps)
    PrivacyJob.objects.filter(pk=job.pk).update(total_steps=len(steps))
    for step in steps:
        if step in job.completed_steps:
            continue
        with transaction.atomic():
            locked = PrivacyJob.objects.select_for_update().get(pk=job.pk)
            if step in locked.completed_steps:  # another copy of the task did it meanwhile
                job.completed_steps, job.scratch = locked.completed_steps, locked.scratch
                continue
            job.scratch = locked.scratch
            perform(job, step)
            job.completed_steps = [*locked.completed_steps, step]
            PrivacyJob.objects.filter(pk=job.pk).update(completed_steps=job.completed_steps, scratch=job.scratch)
        if after_step:
            after_step(job, step)


def finish(job, **fields):
    job.state = PrivacyJob.State.DONE
    job.finished_at = timezone.now()
    job.duration_ms = int((job.finished_at - job.started_at).total_seconds() * 1000) if job.started_at else None
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["state", "finished_at", "duration_ms", *fields])


def fail(job, message):
    from privacy.actions import finish_request_from_job

    with transaction.atomic():
        job.state = PrivacyJob.State.FAILED
        job.error = message[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "error", "finished_at"])
        finish_request_from_job(job, ok=False, outcome={"result": "failed"})


def guarded(job_id, body):
    """Run `body(job)`; on an error record it, and fail the job once attempts are used up."""
    job = begin(job_id)
    if job is None:
        return None
    started = time.perf_counter()
    try:
        body(job)
    except Exception as exc:  # noqa: BLE001 - recorded for the privacy office, then re-raised
        log.exception("Privacy job %s failed", job_id)
        message = f"{type(exc).__name__}: {exc}"
        if job.attempts >= PrivacyJob.MAX_ATTEMPTS:
            fail(job, message)
        else:
            PrivacyJob.objects.filter(pk=job.pk).update(state=PrivacyJob.State.QUEUED, error=message[:2000])
        raise
    log.info("Privacy job %s done in %.0f ms", job_id, (time.perf_counter() - started) * 1000)
    return job

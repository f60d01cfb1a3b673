"""Every change to integrity data goes through here; the check itself is integrity/checks.py."""

from integrity.models import IntegrityJob
from scribetree.celery import send_after_commit


def queue_check(submission, revision_number):
    """Called by coursework's do_submit_stage (inside its transaction): one job row per submitted
    revision, sent after commit. Submitting the same revision twice queues nothing new."""
    from integrity.tasks import check_submission

    job, created = IntegrityJob.objects.get_or_create(submission=submission, revision_number=revision_number)
    if created:
        send_after_commit(check_submission, job.pk)
    return job

"""Integrity's Celery task: the check of one submitted revision, in its institution."""

from scribetree.celery import InstitutionTask, app


@app.task(base=InstitutionTask)
def check_submission(job_id):
    from integrity import checks

    return checks.run(job_id)

from scribetree.celery import PlatformTask, app
from tenants.models import Institution


@app.task(base=PlatformTask)
def provision_institution(job_id):
    from tenants.provisioning import provision

    provision(job_id)


def for_each_institution(task, *args):
    """Fan a periodic job out: one task per ready institution, each sent from inside it."""
    for institution in Institution.objects.filter(status=Institution.Status.READY).only("pk", "schema_name"):
        task.apply_async(args, headers={"_schema_name": institution.schema_name})

from django.contrib.sessions.models import Session
from django.utils import timezone

from scribetree.celery import InstitutionTask, PlatformTask, app
from tenants.tasks import for_each_institution


@app.task(base=InstitutionTask)
def clear_expired_sessions():
    Session.objects.filter(expire_date__lt=timezone.now()).delete()


@app.task(base=PlatformTask)
def dispatch_clear_expired_sessions():
    for_each_institution(clear_expired_sessions)

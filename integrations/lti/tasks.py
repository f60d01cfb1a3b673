"""LTI jobs: roster sync (NRPS) and grade passback (AGS), per institution; nightly dispatchers.

Job rows carry the state (RosterSync, GradePassback), so a redelivered or duplicated message is
harmless: a passback already sent with the same score is skipped, a roster sync that finished is
not run again. Retries are scheduled by the row (next_attempt_at) with exponential backoff and a
countdown; the nightly sweep re-sends any passback whose retry message was lost. After
MAX_ATTEMPTS a passback is FAILED and shown to the teacher with a retry button: never dropped.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from integrations.lti.actions import apply_membership
from integrations.lti.models import GradePassback, LaunchTicket, LoginState, LtiContext, RosterSync
from integrations.lti.services import ServiceError, membership_pages, post_score
from scribetree.celery import InstitutionTask, PlatformTask, app, send_after_commit
from tenants.tasks import for_each_institution

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 60  # 1, 2, 4, 8, 16 minutes between attempts


def backoff(attempts):
    return timedelta(seconds=BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))


@app.task(base=InstitutionTask)
def sync_roster(job_id):
    with transaction.atomic():
        job = (RosterSync.objects.select_for_update(of=("self",))
               .select_related("context__registration", "context__course", "requested_by").filter(pk=job_id).first())
        if job is None or job.state in (RosterSync.State.DONE, RosterSync.State.FAILED):
            return
        if job.attempts >= 3:
            job.state, job.error, job.finished_at = RosterSync.State.FAILED, "gave up after 3 attempts", timezone.now()
            job.save(update_fields=["state", "error", "finished_at"])
            return
        job.state = RosterSync.State.RUNNING
        job.attempts += 1
        job.save(update_fields=["state", "attempts"])
    enrolled = unenrolled = pages = 0
    try:
        for members in membership_pages(job.context):
            pages += 1
            with transaction.atomic():  # one page at a time: a failure keeps the pages already applied
                for member in members:
                    outcome = apply_membership(job.context, member, acting_user=job.requested_by)
                    enrolled += outcome == "enrolled"
                    unenrolled += outcome == "unenrolled"
    except ServiceError as exc:
        log.warning("LTI roster sync %s failed: %s", job.pk, exc)
        job.state, job.error, job.finished_at = RosterSync.State.FAILED, str(exc)[:500], timezone.now()
    else:
        job.state, job.error, job.finished_at = RosterSync.State.DONE, "", timezone.now()
    job.pages, job.enrolled, job.unenrolled = pages, enrolled, unenrolled
    job.save(update_fields=["state", "error", "finished_at", "pages", "enrolled", "unenrolled"])


@app.task(base=InstitutionTask)
def sync_all_rosters():
    """Nightly: one roster sync per LMS course that offers NRPS (each its own job row and task)."""
    busy = RosterSync.objects.filter(state__in=[RosterSync.State.QUEUED, RosterSync.State.RUNNING])
    with transaction.atomic():
        for context in LtiContext.objects.exclude(memberships_url="").exclude(roster_syncs__in=busy):
            job = RosterSync.objects.create(context=context)
            send_after_commit(sync_roster, job.pk)


@app.task(base=InstitutionTask)
def post_grade(passback_id):
    with transaction.atomic():
        passback = GradePassback.objects.select_for_update(of=("self",)).select_related(
            "resource_link__context__registration", "submission").filter(pk=passback_id).first()
        if passback is None or passback.state in (GradePassback.State.SENT, GradePassback.State.FAILED):
            return
        if passback.next_attempt_at and passback.next_attempt_at > timezone.now():
            return  # an early copy of a scheduled retry (or eager mode): the scheduled one will run
        passback.attempts += 1
        try:
            post_score(passback)
        except ServiceError as exc:
            passback.last_error = str(exc)[:500]
            if exc.retryable and passback.attempts < MAX_ATTEMPTS:
                passback.state = GradePassback.State.RETRYING
                passback.next_attempt_at = timezone.now() + backoff(passback.attempts)
                delay = backoff(passback.attempts).total_seconds()
                send_after_commit_with_countdown(post_grade, passback.pk, countdown=delay)
            else:
                passback.state = GradePassback.State.FAILED
                passback.next_attempt_at = None
            log.warning("LTI grade passback %s failed (attempt %s): %s", passback.pk, passback.attempts, exc)
        else:
            passback.state = GradePassback.State.SENT
            passback.sent_score = passback.score_given
            passback.sent_at = timezone.now()
            passback.last_error = ""
            passback.next_attempt_at = None
        passback.save()


def send_after_commit_with_countdown(task, *args, countdown):
    from django.db import connection

    schema = connection.schema_name
    transaction.on_commit(lambda: task.apply_async(args, countdown=countdown, headers={"_schema_name": schema}))


@app.task(base=InstitutionTask)
def sweep_lti():
    """Nightly per institution: resend lost passback retries and stuck roster syncs; forget old logins."""
    now = timezone.now()
    stale = GradePassback.objects.filter(state=GradePassback.State.PENDING, graded_at__lt=now - timedelta(hours=1))
    due = GradePassback.objects.filter(state=GradePassback.State.RETRYING, next_attempt_at__lte=now)
    # A roster sync whose worker died (or whose message was lost) is sent again; sync_roster counts
    # its attempts and gives up after three.
    stuck = RosterSync.objects.filter(state__in=[RosterSync.State.QUEUED, RosterSync.State.RUNNING],
                                      created_at__lt=now - timedelta(hours=1))
    with transaction.atomic():
        for passback_id in (stale | due).values_list("pk", flat=True):
            send_after_commit(post_grade, passback_id)
        for job_id in stuck.values_list("pk", flat=True):
            send_after_commit(sync_roster, job_id)
    LoginState.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
    LaunchTicket.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()


@app.task(base=PlatformTask)
def dispatch_lti_nightly():
    for_each_institution(sync_all_rosters)
    for_each_institution(sweep_lti)


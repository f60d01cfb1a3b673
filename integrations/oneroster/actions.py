"""Starting, confirming and discarding a OneRoster import, and keeping the sourcedId links."""

from django.core.exceptions import ValidationError
from django.db import transaction

from integrations.oneroster.models import RosterImport, RosterLink
from scribetree.audit import acting_as
from scribetree.celery import send_after_commit


@transaction.atomic
def do_start_roster_import(file_name, data, *, acting_user):
    from integrations.oneroster.tasks import plan_roster_import

    with acting_as(acting_user):
        job = RosterImport.objects.create(file_name=file_name[:255], data=data, created_by=acting_user)
    send_after_commit(plan_roster_import, job.pk)
    return job


@transaction.atomic
def do_confirm_roster_import(job, *, acting_user):
    from integrations.oneroster.tasks import apply_roster_import

    # The row lock makes a double click (two confirms racing) queue one apply, not two.
    job = RosterImport.objects.select_for_update().get(pk=job.pk)
    if job.state != RosterImport.State.PLANNED:
        raise ValidationError("Only an import that is ready for review can be confirmed.")
    if job.errors:
        raise ValidationError("This file has errors; fix them in the export and upload it again.")
    with acting_as(acting_user):
        job.state = RosterImport.State.CONFIRMED
        job.confirmed_by = acting_user
        job.attempts = 0
        job.save(update_fields=["state", "confirmed_by", "attempts"])
    send_after_commit(apply_roster_import, job.pk)
    return job


@transaction.atomic
def do_discard_roster_import(job, *, acting_user):
    job = RosterImport.objects.select_for_update().get(pk=job.pk)
    if job.state not in {RosterImport.State.PLANNED, RosterImport.State.FAILED}:
        raise ValidationError("Only an import waiting for review, or one that failed, can be discarded.")
    with acting_as(acting_user):
        job.state = RosterImport.State.DISCARDED
        job.data = b""  # the roster is personal data we no longer need
        job.save(update_fields=["state", "data"])
    return job


LINK_BATCH = 1000  # one INSERT … ON CONFLICT per 1,000 links (bench/oneroster_import.py)


def do_link_roster_records(links, *, acting_user):
    """Upsert many links at once: (kind, sourcedId, object id, detail). Links are bookkeeping, not
    audited data, so a bulk upsert is allowed here (audited models never get bulk writes)."""
    rows = [RosterLink(kind=kind, sourced_id=sid, object_id=object_id, detail=detail or {})
            for kind, sid, object_id, detail in links]
    for start in range(0, len(rows), LINK_BATCH):
        RosterLink.objects.bulk_create(rows[start:start + LINK_BATCH], update_conflicts=True,
                                       unique_fields=["kind", "sourced_id"],
                                       update_fields=["object_id", "detail", "updated_at"])


def do_link_roster_record(kind, sourced_id, object_id, detail, *, acting_user):
    with acting_as(acting_user):
        RosterLink.objects.update_or_create(kind=kind, sourced_id=sourced_id,
                                            defaults={"object_id": object_id, "detail": detail or {}})


def do_unlink_roster_record(kind, sourced_id, *, acting_user):
    with acting_as(acting_user):
        RosterLink.objects.filter(kind=kind, sourced_id=sourced_id).delete()

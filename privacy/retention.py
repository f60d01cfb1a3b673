"""Retention: what is past its period is deleted or anonymised, nightly, in batches.

Design note (read before changing)
- What can go wrong: deleting what a legal hold keeps; holding a lock on a big table for long
  (each batch is its own short transaction on at most BATCH ids, found by an indexed lookup);
  deleting through Django's Python-side cascade (we delete children first with batched SQL);
  erasing people without review (accounts past their period get an erasure *request* that the
  privacy office approves, they are not erased here).
- Categories (periods on the Institution, editable in the institution's admin):
  coursework   - work of courses archived longer than coursework_retention_days: deleted.
  process      - writing-process events (time, typed/pasted counts, paste sizes) older than
                 process_data_retention_days: deleted, the text history (revisions) stays.
  audit        - audit-log rows older than audit_retention_days: deleted.
  exports      - export zips whose link has expired: file deleted, link cleared.
  accounts     - deactivated accounts unused for inactive_account_retention_days: an erasure
                 request is filed for the privacy office.
- `manage.py privacy_retention --dry-run` reports the same counts without changing anything.
- Adding a category: add a function returning (count, apply) below and a period on Institution;
  exclude held people and courses.
"""

import time
from dataclasses import dataclass, field
from datetime import timedelta

from auditlog.models import LogEntry
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from coursework.models import (
    Comment,
    PeerReview,
    PeerReviewAllocation,
    ProcessEvent,
    Revision,
    RubricScore,
    StageSubmission,
    Submission,
)
from privacy.erasure import delete_ids
from privacy.models import LegalHold, PrivacyJob, PrivacyRequest

# Rows per statement, each statement its own transaction (row locks only, held for the batch).
# Measured by `bench/privacy_jobs.py --retention-only` over 1,000,000 rows each on the 2-core machine:
# see the figures in bench/results/. A DELETE only marks rows dead (no index is written); the
# UPDATE that once cleared process columns on revisions rewrote every wide row with its index entries
# and ran at a quarter of the speed, which is why process events have their own table.
BATCH = 5000
# Submissions per batch: each brings ~100 revisions and their comments/scores/reviews, so a batch
# deletes ~5,000 revision rows (~0.2 s at the erasure's measured rate, bench/privacy_jobs.py).
SUBMISSION_BATCH = 50
# Children of a submission, deleted first (children-first; RESTRICT/CASCADE are not relied on).
def _writing_support_children():
    """The assistant's and the integrity check's rows hang off submissions too (issue 7)."""
    from assist.models import Exchange, Unlock
    from integrity.models import IntegrityJob, Observation, Signature, SimilarityMatch

    return [(Exchange, "submission_id"), (Unlock, "submission_id"), (Observation, "submission_id"),
            (SimilarityMatch, "submission_id"), (SimilarityMatch, "other_id"), (Signature, "submission_id"),
            (IntegrityJob, "submission_id")]


SUBMISSION_CHILDREN = [
    *_writing_support_children(),
    (PeerReview, "allocation__submission_id"),
    (PeerReviewAllocation, "submission_id"),
    (Comment, "submission_id"),
    (RubricScore, "submission_id"),
    (StageSubmission, "submission_id"),
    (ProcessEvent, "revision__submission_id"),
    (Revision, "submission_id"),
]


@dataclass
class Report:
    dry_run: bool
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self):
        verb = "would" if self.dry_run else "did"
        return "; ".join(f"{name}: {verb} process {count}" for name, count in self.counts.items()) or "nothing"


def held():
    holds = LegalHold.objects.filter(released_at__isnull=True)
    return (set(holds.exclude(subject=None).values_list("subject_id", flat=True)),
            set(holds.exclude(course=None).values_list("course_id", flat=True)))


def expired_coursework(institution, now, held_people, held_courses):
    cutoff = now - timedelta(days=institution.coursework_retention_days)
    return (Submission.objects.filter(assignment__course__archived_at__lt=cutoff)
            .exclude(assignment__course_id__in=held_courses).exclude(student_id__in=held_people))


def delete_submissions(ids):
    deleted = 0
    for start in range(0, len(ids), SUBMISSION_BATCH):
        chunk = ids[start:start + SUBMISSION_BATCH]
        with transaction.atomic():
            for model, path in SUBMISSION_CHILDREN:
                child_ids = list(model.objects.filter(**{f"{path}__in": chunk}).order_by().values_list("pk", flat=True))
                deleted += delete_ids(model, child_ids)
            deleted += delete_ids(Submission, chunk)
    if ids:
        from coursework import freshness

        freshness.forget_all(purge=True)  # bulk SQL sends no model signals; cached pages hold names
    return deleted


def stale_process_data(institution, now, held_people, held_courses):
    cutoff = now - timedelta(days=institution.process_data_retention_days)
    events = ProcessEvent.objects.filter(created_at__lt=cutoff)
    # Only join through to the person and course when something is held: an `exclude(... in [])`
    # still adds the joins, and they would cost every batch.
    if held_people:
        events = events.exclude(revision__submission__student_id__in=held_people)
    if held_courses:
        events = events.exclude(revision__submission__assignment__course_id__in=held_courses)
    return events


def _timed(on_batch, started, rows):
    if on_batch:
        on_batch(rows, time.perf_counter() - started)


def _in_batches(statement, subquery, on_batch, *, keyset=False):
    """Run `statement` (an UPDATE/DELETE ... WHERE id = ANY(ARRAY({ids})) RETURNING id) on BATCH ids at a
    time, each batch one statement in its own transaction: the ids are picked by the database (no id
    lists travel), and with `keyset` the next batch starts after the last id done (an index range
    scan, not a rescan of rows already cleared). `= ANY(ARRAY(subquery))`, not `IN (subquery)`: the
    planner turned the IN into a hash semi-join over a sequential scan of the whole table per batch
    (943 ms per 5,000-row batch on 50,000 rows, growing with the table; 163 ms with ANY(ARRAY))."""
    done, last = 0, 0
    while True:
        ids_qs = subquery.filter(pk__gt=last).order_by("pk") if keyset else subquery.order_by()
        sql, params = ids_qs.values("pk")[:BATCH].query.sql_with_params()
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement.format(ids=sql), params)
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return done
        done += len(ids)
        last = max(ids)
        _timed(on_batch, began, len(ids))


def delete_process_data(qs, on_batch=None):
    return _in_batches(f"DELETE FROM {ProcessEvent._meta.db_table} WHERE id = ANY(ARRAY({{ids}})) RETURNING id",
                       qs, on_batch, keyset=True)


def old_audit_rows(institution, now):
    return LogEntry.objects.filter(timestamp__lt=now - timedelta(days=institution.audit_retention_days))


def delete_audit_rows(qs, on_batch=None):
    return _in_batches(f"DELETE FROM {LogEntry._meta.db_table} WHERE id = ANY(ARRAY({{ids}})) RETURNING id",
                       qs, on_batch)


def expired_exports(now):
    return PrivacyJob.objects.filter(kind=PrivacyJob.Kind.EXPORT, expires_at__lt=now).exclude(file_name="")


def delete_exports(qs):
    count = 0
    for job in qs:
        if default_storage.exists(job.file_name):
            default_storage.delete(job.file_name)
        PrivacyJob.objects.filter(pk=job.pk).update(file_name="", download_token="", file_size=0)
        count += 1
    return count


def dormant_accounts(institution, now, held_people):
    cutoff = now - timedelta(days=institution.inactive_account_retention_days)
    return (User.objects.filter(is_active=False, role__in=[Role.STUDENT, Role.TEACHER, Role.GUARDIAN])
            .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
            .exclude(email__endswith="@erased.invalid").exclude(pk__in=held_people)
            .exclude(pk__in=PrivacyRequest.objects.filter(
                kind=PrivacyRequest.Kind.ERASURE,
                state__in=[*PrivacyRequest.OPEN_STATES, PrivacyRequest.State.COMPLETED]).values("subject_id")))


def file_erasure_requests(qs, institution):
    from privacy.actions import do_file_request

    count = 0
    for person in qs:
        do_file_request(person, PrivacyRequest.Kind.ERASURE, identity_verified_at=None, acting_user=None,
                        institution=institution,
                        details="Filed by the retention job: the account has been inactive past its retention period.")
        count += 1
    return count


def run(institution, *, dry_run, now=None):
    assert connection.schema_name == institution.schema_name, "run retention inside the institution's schema"
    started = time.perf_counter()
    now = now or timezone.now()
    report = Report(dry_run=dry_run)
    held_people, held_courses = held()

    coursework = expired_coursework(institution, now, held_people, held_courses)
    process = stale_process_data(institution, now, held_people, held_courses)
    audit = old_audit_rows(institution, now)
    exports = expired_exports(now)
    accounts = dormant_accounts(institution, now, held_people)
    if dry_run:
        report.counts = {"coursework (submissions)": coursework.count(), "process events": process.count(),
                         "audit rows": audit.count(), "exports": exports.count(),
                         "dormant accounts (erasure requests)": accounts.count()}
    else:
        report.counts = {
            "coursework (submissions)": _count_then(coursework, lambda ids: delete_submissions(ids)),
            "process events": delete_process_data(process),
            "audit rows": delete_audit_rows(audit),
            "exports": delete_exports(exports),
            "dormant accounts (erasure requests)": file_erasure_requests(accounts, institution),
        }
    report.seconds = time.perf_counter() - started
    return report


def _count_then(qs, apply):
    ids = list(qs.values_list("pk", flat=True))
    apply(ids)
    return len(ids)

"""Export and erasure job time for a student with 20 assignments x 100 revisions (target < 2 s each).

Each student writes 20 essays of ~600 words through do_save_draft (100 saves each, so keyframes
and splices as in real use), submits them, and gets a teacher comment, rubric-free grade and
feedback on each. The export job (zip with JSON, every revision's text, index) and the erasure
job (batched deletes, audit pseudonymisation, tombstone) then run in-process exactly as the
Celery worker runs them (tasks eager); the figure is the job row's own duration (first step to
last), with the wall time of the task call beside it. Three students: the export is measured
three times on the first, the erasure once on each.

    .venv/bin/python bench/privacy_jobs.py            # ~1-2 minutes, database scribetree_bench_privacy
    .venv/bin/python bench/privacy_jobs.py --quick    # 2 assignments x 20 revisions (checks the script)

`--retention-rows N` (default 1,000,000; 0 skips) also measures the retention pass: N revision rows
with writing-process figures past their period are cleared, and N audit rows past theirs deleted,
batch by batch; reported are rows/s and the longest batch (= the longest a row lock is held).
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    database_url,
    machine_info,
    migrate_public_and_template,
    setup_django,
    write_json,
)

DB = "scribetree_bench_privacy"
WORDS = ["school", "start", "later", "sleep", "students", "research", "morning", "focus", "learning", "evidence",
         "attendance", "grades", "buses", "community", "teenagers", "schedule"]


def fresh_database():
    import psycopg

    database_url(DB)
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')


def essay_saves(rng, saves):
    words, texts = [], []
    for _ in range(saves):
        words.extend(rng.choice(WORDS) for _ in range(6))
        if len(words) > 30 and rng.random() < 0.3:
            words[rng.randrange(len(words) - 30, len(words))] = rng.choice(WORDS)
        texts.append(" ".join(words))
    return texts


def make_student(n, course, assignments, teacher, saves, rng):
    from accounts.actions import do_create_user
    from accounts.models import Role
    from coursework.actions import (
        do_add_comment,
        do_enrol_student,
        do_grade_submission,
        do_release_feedback,
        do_save_draft,
        do_submit_stage,
        get_or_start_submission,
    )

    student = do_create_user(f"student{n}@privbench.example", f"Student {n}", Role.STUDENT, password="x" * 12,
                             acting_user=None)
    do_enrol_student(course, student, acting_user=teacher)
    for assignment in assignments:
        submission = get_or_start_submission(assignment, student)
        for text in essay_saves(rng, saves):
            submission, _ = do_save_draft(submission, text, base_revision=submission.revision_number,
                                          acting_user=student, process={"active_seconds": 5, "typed_chars": 30})
        submission = do_submit_stage(submission, reflection="I revised my argument.", acting_user=student)
        do_add_comment(submission, revision_number=saves, start=0, end=6, body="Good opening.", acting_user=teacher)
        do_grade_submission(submission, grade=75, general_comment="Clear and well argued.", acting_user=teacher)
        do_release_feedback(submission, acting_user=teacher)
    return student


def run_request(kind, student, officer):
    from django.utils import timezone

    from privacy.actions import do_decide_request, do_file_request
    from privacy.models import PrivacyJob

    filed = do_file_request(student, kind, identity_verified_at=timezone.now(), acting_user=student)
    started = time.perf_counter()
    do_decide_request(filed, approve=True, acting_user=officer)  # the task runs eagerly on commit
    wall = time.perf_counter() - started
    job = PrivacyJob.objects.get(request=filed)
    assert job.state == "done", (job.state, job.error)
    return job, wall


def measure_retention(institution, teacher, rows):
    """Bulk-load `rows` old revision rows and audit rows with SQL, then run the two passes."""
    if not rows:
        return None
    from datetime import timedelta

    from auditlog.models import LogEntry
    from django.db import connection
    from django.utils import timezone

    from coursework.actions import do_create_assignment, get_or_start_submission
    from privacy import retention

    assignment = do_create_assignment(teacher.taught_courses.first(), title="Old", prompt="x",
                                      due_at=timezone.now(), acting_user=teacher)
    # A student still here (the bench's others were erased): the pass deletes their old process events.
    from accounts.actions import do_create_user

    student = do_create_user("old@privbench.example", "Old Student", "student", acting_user=None)
    submission = get_or_start_submission(assignment, student)
    old = timezone.now() - timedelta(days=800)
    load_events = ("INSERT INTO coursework_processevent (revision_id, created_at, active_seconds, typed_chars, "
                   "pasted_chars, paste_sizes) SELECT id, created_at, 5, 30, 0, '[]'::jsonb FROM coursework_revision "
                   "WHERE submission_id = %s ORDER BY number")
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO coursework_revision (submission_id, number, created_at, keyframe, data, prefix, suffix, "
            "word_count, length) SELECT %s, n, %s, false, '\\x61', 0, 0, 1, 1 FROM generate_series(1, %s) n",
            [submission.pk, old, rows])
        cursor.execute(load_events, [submission.pk])
        cursor.execute(
            "INSERT INTO auditlog_logentry (content_type_id, object_pk, object_id, object_repr, action, changes_text, "
            "changes, timestamp) SELECT 1, n::text, n, 'old row', 1, '', '{\"grade\": [\"1\", \"2\"]}'::jsonb, %s "
            "FROM generate_series(1, %s) n", [timezone.now() - timedelta(days=365 * 8), rows])
        cursor.execute("ANALYZE coursework_revision; ANALYZE coursework_processevent; ANALYZE auditlog_logentry")
    print(f"retention: loaded {rows} revisions with their process events and {rows} audit rows "
          f"in {time.perf_counter() - loaded:.0f} s")
    # A hold elsewhere in the school (another person, another course) makes every batch join through
    # revision and submission to leave held rows alone: measured separately.
    held_people, held_courses = {teacher.pk}, {assignment.course_id + 1_000_000}
    figures = {}
    for name, run in [
        ("process events (DELETE)", lambda cb: retention.delete_process_data(
            retention.stale_process_data(institution, timezone.now(), set(), set()), on_batch=cb)),
        ("process events with holds in place (DELETE)", lambda cb: retention.delete_process_data(
            retention.stale_process_data(institution, timezone.now(), held_people, held_courses), on_batch=cb)),
        ("audit rows (DELETE)", lambda cb: retention.delete_audit_rows(
            retention.old_audit_rows(institution, timezone.now()), on_batch=cb)),
    ]:
        if "holds" in name:
            with connection.cursor() as cursor:
                cursor.execute(load_events, [submission.pk])
                cursor.execute("ANALYZE coursework_processevent")
        batches = []
        started = time.perf_counter()
        done = run(lambda n, seconds, b=batches: b.append((n, seconds)))
        total = time.perf_counter() - started
        longest = max(seconds for _, seconds in batches)
        figures[name] = {"rows": done, "seconds": round(total, 2), "rows_per_s": round(done / total),
                         "batches": len(batches), "longest_batch_s": round(longest, 3),
                         "batch_rows": retention.BATCH}
        print(f"retention {name}: {done} rows in {total:.1f} s = {done / total:,.0f} rows/s; "
              f"{len(batches)} batches of {retention.BATCH}, longest {longest * 1000:.0f} ms")
    with connection.cursor() as cursor:  # plain SQL: Django's Python-side cascade over 1M rows takes minutes
        cursor.execute("DELETE FROM coursework_processevent p USING coursework_revision r "
                       "WHERE r.id = p.revision_id AND r.submission_id = %s", [submission.pk])
        cursor.execute("DELETE FROM coursework_revision WHERE submission_id = %s", [submission.pk])
    LogEntry.objects.filter(object_repr="old row").delete()
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--retention-rows", type=int, default=1_000_000)
    parser.add_argument("--retention-only", action="store_true", help="skip the export/erasure jobs")
    options = parser.parse_args()
    assignments_n, saves = (2, 20) if options.quick else (20, 100)
    fresh_database()
    setup_django(DB, CELERY_TASK_ALWAYS_EAGER="true")
    from datetime import timedelta

    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from accounts.actions import do_create_user
    from accounts.models import Role
    from coursework.actions import do_create_assignment, do_create_course, do_publish_assignment
    from coursework.models import Revision
    from privacy.models import PrivacyRequest
    from tenants.actions import do_create_institution
    from tenants.provisioning import provision

    migrate_public_and_template()
    institution, job = do_create_institution("Privacy Bench", "privbench", admin_email="a@privbench.example",
                                             acting_user=None, run_now=True, gdpr=True)
    provision(job.pk)
    institution.refresh_from_db()
    rng = random.Random(4)
    exports, erasures = [], []
    with tenant_context(institution):
        teacher = do_create_user("t@privbench.example", "Tara T", Role.TEACHER, acting_user=None)
        officer = do_create_user("p@privbench.example", "Pat P", Role.PRIVACY_OFFICER, acting_user=None)
        course = do_create_course("English", "2026", acting_user=teacher)
        assignments = []
        for i in range(assignments_n):
            assignment = do_create_assignment(course, title=f"Essay {i + 1}", prompt="Argue.",
                                              due_at=timezone.now() + timedelta(days=30), acting_user=teacher)
            do_publish_assignment(assignment, acting_user=teacher)
            assignments.append(assignment)
        set_up = time.perf_counter()
        students = [make_student(n, course, assignments, teacher, saves, rng)
                    for n in range(0 if options.retention_only else 3)]
        print(f"set-up: 3 students x {assignments_n} assignments x {saves} revisions "
              f"({Revision.objects.count()} revision rows) in {time.perf_counter() - set_up:.0f} s")
        for _ in range(3 if students else 0):
            PrivacyRequest.objects.filter(subject=students[0], kind="export").update(state="completed")
            job, wall = run_request(PrivacyRequest.Kind.EXPORT, students[0], officer)
            exports.append({"job_ms": job.duration_ms, "wall_ms": round(wall * 1000), "zip_bytes": job.file_size})
            print(f"export: job {job.duration_ms} ms (task call {wall * 1000:.0f} ms), "
                  f"zip {job.file_size / 1e6:.2f} MB")
        for student in students:
            job, wall = run_request(PrivacyRequest.Kind.ERASURE, student, officer)
            erased = sum(job.certificate["erased"].values())
            erasures.append({"job_ms": job.duration_ms, "wall_ms": round(wall * 1000), "rows_erased": erased})
            print(f"erasure: job {job.duration_ms} ms (task call {wall * 1000:.0f} ms), {erased} rows erased")
        retention = measure_retention(institution, teacher, 10_000 if options.quick else options.retention_rows)
    result = {
        "retention": retention,
        "assignments": assignments_n, "revisions_per_assignment": saves,
        "export_job_ms_median": statistics.median(e["job_ms"] for e in exports) if exports else None,
        "erasure_job_ms_median": statistics.median(e["job_ms"] for e in erasures) if erasures else None,
        "exports": exports, "erasures": erasures, "machine": machine_info(), "quick": options.quick,
    }
    write_json("privacy_jobs" + ("_quick" if options.quick else "_retention" if options.retention_only else ""),
               result)
    print(f"median job time: export {result['export_job_ms_median']} ms, erasure {result['erasure_job_ms_median']} ms "
          f"(target < 2000 ms each)")


if __name__ == "__main__":
    main()

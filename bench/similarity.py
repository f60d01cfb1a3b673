"""Similarity check time: a new submission against 10,000 earlier ones in the institution (target < 1 s).

The bench institution gets 10,000 earlier submissions (100 students x 100 assignments), each with
its text, five revision rows and a stored signature, written in bulk SQL (COPY) so the set-up takes
seconds, not the hours that 10,000 students typing would. `--real N` of them (default 2,000) carry
real signatures of real same-topic essays (a shared vocabulary, so band collisions happen as they
would for one prompt); the rest have random signatures, which for unrelated essays is what MinHash
gives. Ten of the real ones are "sources" that new work copies from.

Then, ROUNDS times: a new student writes through do_save_draft (a copied source with a changed
opening, or original work) and submits through do_submit_stage; the check runs as the worker runs
it (integrity.checks.run). Reported: the job row's own time (`IntegrityJob.seconds`: lock, signature,
LSH query, exact passages, observations, cohort, writes), median and max, with the wall time.

    .venv/bin/python bench/similarity.py            # ~1 minute, database scribetree_bench_similarity
    .venv/bin/python bench/similarity.py --quick    # 1,000 earlier submissions (checks the script)
"""

import argparse
import random
import statistics
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database_url, machine_info, migrate_public_and_template, setup_django, write_json  # noqa: E402

DB = "scribetree_bench_similarity"
ROUNDS = 10
TOPIC = [
    "school", "start", "later", "sleep", "students", "teenagers", "research", "first", "period", "learning",
    "evidence", "board", "morning", "attendance", "grades", "rested", "focus", "schedule", "buses", "sports",
    "jobs", "evening", "community", "teachers", "parents", "health", "district", "bell", "hours", "study",
    "minutes", "memory", "class", "lesson", "tired", "awake", "early", "late", "clock", "body", "brain"
]
FILLER = [
    "the", "a", "of", "to", "and", "in", "that", "is", "for", "it", "with", "as", "on", "be", "this", "are", "by",
    "not", "but", "or", "at", "from", "they", "we", "their", "can", "more", "than", "when", "many", "some",
    "because", "so", "if", "would", "should", "could", "also", "which", "there"
]


def essay(rng, words=600):
    out = []
    for i in range(words):
        out.append(rng.choice(TOPIC) if rng.random() < 0.45 else rng.choice(FILLER))
        if i % 15 == 14:
            out[-1] += "."
    return " ".join(out)


def fresh_database():
    import psycopg

    database_url(DB)
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')


def build(institution, earlier, real, rng):
    """Teacher, course, students and assignments through the actions; submissions, revisions and
    signatures in bulk SQL. Returns (course, assignments, source texts)."""
    from datetime import timedelta

    import numpy as np
    from django.db import connection
    from django.utils import timezone

    from accounts.actions import do_create_user
    from accounts.models import Role
    from coursework.actions import do_create_assignment, do_create_course, do_publish_assignment
    from integrity import similarity

    teacher = do_create_user("t@simbench.example", "Tara T", Role.TEACHER, acting_user=None)
    course = do_create_course("English", "2026", acting_user=teacher)
    side = 100
    assignments = []
    for i in range(max(1, earlier // side)):
        assignment = do_create_assignment(course, title=f"Essay {i + 1}", prompt="Argue.",
                                          due_at=timezone.now() + timedelta(days=30), acting_user=teacher)
        assignments.append(do_publish_assignment(assignment, acting_user=teacher))
    students = [do_create_user(f"s{n}@simbench.example", f"Student {n}", Role.STUDENT, acting_user=None)
                for n in range(side)]
    now = timezone.now()
    texts, sources = [], []
    for k in range(earlier):
        text = essay(rng) if k < real else f"Filler essay number {k}."
        texts.append(text)
        if k < 10:
            sources.append(text)
    with connection.cursor() as cursor:
        ids = []
        for k in range(earlier):
            assignment, student = assignments[k // side], students[k % side]
            ids.append((assignment.pk, student.pk))
        with cursor.copy("COPY coursework_submission (assignment_id, student_id, status, text, revision_number, "
                         "word_count, submitted_late, general_comment, updated_at, last_submitted_at) "
                         "FROM STDIN") as copy:
            for (assignment_id, student_id), text in zip(ids, texts, strict=True):
                copy.write_row((assignment_id, student_id, "submitted", text, 5, len(text.split()), False, "",
                                now, now))
        cursor.execute("SELECT id, assignment_id, student_id FROM coursework_submission")
        submission_of = {(a, s): pk for pk, a, s in cursor.fetchall()}
        empty = zlib.compress(b"")
        with cursor.copy("COPY coursework_revision (submission_id, number, created_at, keyframe, data, prefix, "
                         "suffix, word_count, length) FROM STDIN") as copy:
            for key, text in zip(ids, texts, strict=True):
                for number in range(1, 6):
                    copy.write_row((submission_of[key], number, now, number == 1, empty, 0, 0,
                                    len(text.split()) * number // 5, len(text)))
        started = time.perf_counter()
        random_values = np.random.default_rng(3).integers(0, 2**32, size=(earlier, similarity.NUM_PERM),
                                                          dtype=np.uint32)
        with cursor.copy("COPY integrity_signature (submission_id, revision_number, minhash, bands, shingles, "
                         "computed_at) FROM STDIN") as copy:
            for k, (key, text) in enumerate(zip(ids, texts, strict=True)):
                values, count = similarity.signature(text) if k < real else (random_values[k], 600)
                copy.write_row((submission_of[key], 5, similarity.to_bytes(values),
                                similarity.band_keys(values), count, now))
        signing = time.perf_counter() - started
        cursor.execute("ANALYZE coursework_submission; ANALYZE coursework_revision; ANALYZE integrity_signature")
    return course, assignments, sources, signing


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--earlier", type=int, default=10_000)
    parser.add_argument("--real", type=int, default=2_000)
    options = parser.parse_args()
    earlier = 1_000 if options.quick else options.earlier
    real = min(options.real, earlier)
    fresh_database()
    setup_django(DB, CELERY_TASK_ALWAYS_EAGER="false")
    from django.db import transaction
    from django_tenants.utils import tenant_context

    from accounts.actions import do_create_user
    from accounts.models import Role
    from coursework.actions import do_enrol_student, do_save_draft, do_submit_stage, get_or_start_submission
    from integrity import checks
    from integrity.models import IntegrityJob, SimilarityMatch
    from tenants.actions import do_create_institution
    from tenants.provisioning import provision

    migrate_public_and_template()
    institution, job = do_create_institution("Similarity Bench", "simbench", admin_email="a@simbench.example",
                                             acting_user=None, run_now=True)
    provision(job.pk)
    institution.refresh_from_db()
    rng = random.Random(11)
    with tenant_context(institution):
        set_up = time.perf_counter()
        with transaction.atomic():
            course, assignments, sources, signing = build(institution, earlier, real, rng)
        set_up = time.perf_counter() - set_up
        teacher = course.teachers.first()
        job_times, walls, matched = [], [], []
        for n in range(ROUNDS):
            student = do_create_user(f"new{n}@simbench.example", f"New {n}", Role.STUDENT, acting_user=None)
            do_enrol_student(course, student, acting_user=teacher)
            copied = n % 2 == 0
            text = ("My own opening, written today. " + sources[n % len(sources)]) if copied else essay(rng)
            submission = get_or_start_submission(assignments[-1], student)
            for part in (text[: len(text) // 2], text):
                submission, _ = do_save_draft(submission, part, base_revision=submission.revision_number,
                                              acting_user=student, process={"active_seconds": 600,
                                                                            "typed_chars": len(part) // 2})
            with transaction.atomic():  # the task is sent after commit; here we run it ourselves
                do_submit_stage(submission, acting_user=student)
            row = IntegrityJob.objects.get(submission=submission)
            wall = time.perf_counter()
            checks.run(row.pk)
            walls.append(time.perf_counter() - wall)
            row.refresh_from_db()
            job_times.append(row.seconds)
            matched.append(SimilarityMatch.objects.filter(submission=submission).count())
            print(f"round {n + 1}: {'copied' if copied else 'original'} work, job {row.seconds * 1000:.0f} ms, "
                  f"matches {matched[-1]}")
    result = {
        "earlier_submissions": earlier, "real_signatures": real, "rounds": ROUNDS,
        "set_up_seconds": round(set_up, 1), "signing_seconds": round(signing, 1),
        "job_ms_median": round(statistics.median(job_times) * 1000, 1), "job_ms_max": round(max(job_times) * 1000, 1),
        "wall_ms_median": round(statistics.median(walls) * 1000, 1),
        "copies_found": sum(1 for n, m in enumerate(matched) if n % 2 == 0 and m >= 1),
        "copies_planted": (ROUNDS + 1) // 2, "machine": machine_info(),
    }
    print(result)
    if not options.quick:
        write_json("similarity", result)


if __name__ == "__main__":
    main()

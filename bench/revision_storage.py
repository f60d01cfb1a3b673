"""What revisions cost in bytes: a 3,000-word essay saved every 5 s for an hour (720 saves).

The simulated student writes the essay in the first half hour (a few words per save, sometimes
a correction a few sentences back, sometimes a pasted quotation) and revises in the second
(replacing a phrase here and there). Every save goes through do_save_draft, as the autosave does;
the figures are PostgreSQL's own sizes of the revision table and its indexes.

    .venv/bin/python bench/revision_storage.py
"""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ensure_database, migrate_public_and_template, setup_django, write_json  # noqa: E402

DB = "scribetree_bench_revisions"
SAVES = 720
WORDS = 3000
VOCAB = [
    "school",
    "start",
    "later",
    "students",
    "sleep",
    "teenagers",
    "research",
    "first",
    "period",
    "learning",
    "evidence",
    "board",
    "morning",
    "attendance",
    "grades",
    "rested",
    "focus",
    "schedule",
    "buses",
    "sports",
    "jobs",
    "evening",
    "community",
]


def simulate(rng):
    words, texts = [], []
    per_save = WORDS // (SAVES // 2)
    for i in range(SAVES):
        if i < SAVES // 2:
            words.extend(rng.choice(VOCAB) for _ in range(per_save))
            if rng.random() < 0.15 and len(words) > 40:  # a correction a few sentences back
                words[rng.randrange(len(words) - 40, len(words))] = rng.choice(VOCAB)
            if rng.random() < 0.02:  # a pasted quotation
                words.extend(rng.choice(VOCAB) for _ in range(30))
        else:
            for _ in range(rng.randint(1, 3)):  # revising: replace a phrase somewhere
                at = rng.randrange(len(words) - 5)
                words[at : at + 3] = [rng.choice(VOCAB) for _ in range(rng.randint(2, 5))]
        texts.append(" ".join(words))
    return texts


def main():
    created = ensure_database(DB)
    setup_django(DB)
    from django.db import connection
    from django_tenants.utils import tenant_context

    from accounts.actions import do_create_user
    from accounts.models import Role
    from coursework.actions import (
        do_create_assignment,
        do_create_course,
        do_enrol_student,
        do_publish_assignment,
        do_save_draft,
        get_or_start_submission,
    )
    from tenants.actions import do_create_institution
    from tenants.models import Institution
    from tenants.provisioning import provision

    if created or not Institution.objects.filter(slug="revbench").exists():
        migrate_public_and_template()
        institution, job = do_create_institution(
            "Revision Bench", "revbench", admin_email="a@revbench.example", acting_user=None, run_now=True
        )
        provision(job.pk)
    institution = Institution.objects.get(slug="revbench")
    texts = simulate(random.Random(7))
    with tenant_context(institution):
        from datetime import timedelta

        from django.utils import timezone

        from coursework.models import Revision

        Revision.objects.all().delete()
        teacher = do_create_user(f"t{random.random()}@revbench.example", "T", Role.TEACHER, acting_user=None)
        student = do_create_user(f"s{random.random()}@revbench.example", "S", Role.STUDENT, acting_user=None)
        course = do_create_course("Bench", "2026", acting_user=teacher)
        do_enrol_student(course, student, acting_user=teacher)
        assignment = do_create_assignment(
            course, title="Essay", prompt="Write.", due_at=timezone.now() + timedelta(days=1), acting_user=teacher
        )
        do_publish_assignment(assignment, acting_user=teacher)
        submission = get_or_start_submission(assignment, student)
        for previous, text in zip(["", *texts], texts, strict=False):
            # The figures the editor sends with each save (5 s of typing); they are stored beside the revision.
            process = {"active_seconds": 5, "typed_chars": abs(len(text) - len(previous))}
            submission, _ = do_save_draft(
                submission, text, base_revision=submission.revision_number, acting_user=student, process=process
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), sum(octet_length(data)), sum(pg_column_size(r.*)) "
                "FROM coursework_revision r WHERE submission_id = %s",
                [submission.pk],
            )
            count, payload, row_bytes = cursor.fetchone()
            cursor.execute(
                "SELECT count(*), coalesce(sum(pg_column_size(p.*)), 0) FROM coursework_processevent p "
                "JOIN coursework_revision r ON r.id = p.revision_id WHERE r.submission_id = %s",
                [submission.pk],
            )
            events, event_bytes = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM coursework_revision WHERE submission_id = %s AND keyframe", [submission.pk]
            )
            keyframes = cursor.fetchone()[0]
            cursor.execute(
                "SELECT number <= %s, count(*), avg(pg_column_size(r.*)), "
                "count(*) FILTER (WHERE keyframe) FROM coursework_revision r "
                "WHERE submission_id = %s GROUP BY 1",
                [SAVES // 2, submission.pk],
            )
            phases = {
                ("writing" if first_half else "revising"): {
                    "revisions": n,
                    "row_bytes": round(float(avg), 1),
                    "keyframes": k,
                }
                for first_half, n, avg, k in cursor.fetchall()
            }
        full_copy = len(texts[-1].encode())
    result = {
        "saves": SAVES,
        "revisions": count,
        "keyframes": keyframes,
        "final_text_bytes": full_copy,
        "payload_bytes_total": payload,
        "payload_bytes_per_revision": round(payload / count, 1),
        "row_bytes_per_revision": round(row_bytes / count, 1),
        "process_events": events,
        "process_event_bytes_per_revision": round(event_bytes / count, 1),
        "naive_full_copies_bytes": sum(len(t.encode()) for t in texts),
        "ratio_vs_naive": round((row_bytes + event_bytes) / sum(len(t.encode()) for t in texts), 4),
        "phases": phases,
    }
    write_json("revision_storage", result)
    print(
        f"{count} revisions ({keyframes} keyframes) of a {WORDS}-word essay: "
        f"{result['payload_bytes_per_revision']} B payload, {result['row_bytes_per_revision']} B per row "
        f"on average (a full copy is {full_copy} B; naive storage would be "
        f"{result['naive_full_copies_bytes'] / 1e6:.1f} MB, this is {row_bytes / 1e6:.2f} MB), "
        f"plus {result['process_event_bytes_per_revision']} B of writing-process figures per save "
        f"({events} process events, {event_bytes / 1e6:.2f} MB)."
    )
    for name, phase in phases.items():
        print(
            f"  {name}: {phase['revisions']} revisions, {phase['row_bytes']} B per row, {phase['keyframes']} keyframes"
        )


if __name__ == "__main__":
    main()

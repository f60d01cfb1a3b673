"""How fast the teacher's gradebook page is for a real-sized class (target: p95 <= 150 ms on 2 cores).

    .venv/bin/python bench/gradebook.py [--students 57] [--assignments 12] [--requests 300]

Builds, once, an institution `bench-gradebook` in its own database (scribetree_bench_gradebook on
the DATABASE_URL/BENCH_PG server) with one course: N students in three sections, M published
assignments (draft + final stages) and a submission for most cells — graded and released,
awaiting feedback, drafting, or not started — each carrying a ~2,500-word text, so a query that
loaded the essays would show. People, the course, enrolments and assignments are made through
the actions; the submissions are bulk-inserted (bench data, not the code under test).

Then, in this process with production settings (DEBUG off, manifest static storage), it calls
Django's WSGI handler with the teacher's session cookie: warm-up requests, then --requests timed
ones of /teach/courses/<id>/gradebook/ and, for reference, the CSV export and the two pieces of
the page's own work (the three queries, the table string). Writes bench/results/gradebook.json.
"""

import argparse
import io
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

DB = "scribetree_bench_gradebook"
SLUG = "bench-gradebook"
HOST = "bench-gradebook.localhost"
COURSE_TITLE = "Bench English"
WORDS = ["the", "students", "argue", "that", "school", "should", "start", "later", "because", "sleep", "matters",
         "for", "learning", "and", "attention", "in", "morning", "classes"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DB)
    parser.add_argument("--students", type=int, default=57)
    parser.add_argument("--assignments", type=int, default=12)
    parser.add_argument("--requests", type=int, default=300, help="timed requests of the page")
    parser.add_argument("--warmup", type=int, default=30)
    return parser.parse_args(argv)


def ensure_institution(log):
    from django.db import connection

    from tenants.actions import do_create_institution
    from tenants.models import Institution
    from tenants.provisioning import provision

    connection.set_schema_to_public()
    institution = Institution.objects.filter(slug=SLUG).first()
    if institution is not None and institution.is_ready:
        return institution
    if institution is not None:
        institution.delete()
        with connection.cursor() as cursor:
            cursor.execute('DROP SCHEMA IF EXISTS "inst_bench_gradebook" CASCADE')
    log(f"  creating institution {SLUG}")
    institution, job = do_create_institution("Bench Gradebook School", SLUG, domain=HOST,
                                             admin_email=f"admin@{SLUG}.example", acting_user=None, run_now=True)
    provision(job.pk)
    institution.refresh_from_db()
    return institution


def essay(rng, words=2500):
    return " ".join(rng.choice(WORDS) for _ in range(words))


def ensure_course(students, assignments, log):
    """The course with `students` × `assignments` (rebuilt when its size differs). Returns (course, teacher)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.actions import do_create_user
    from accounts.models import Role, User
    from coursework.actions import (
        do_create_assignment,
        do_create_course,
        do_enrol_student,
        do_publish_assignment,
    )
    from coursework.models import Course, Stage, Submission

    teacher = User.objects.filter(email=f"teacher@{SLUG}.example").first() or do_create_user(
        f"teacher@{SLUG}.example", "Bench Teacher", Role.TEACHER, acting_user=None)
    course = Course.objects.filter(title=COURSE_TITLE).first()
    if course is not None and (course.enrolments.count(), course.assignments.count()) == (students, assignments):
        return course, teacher
    if course is not None:
        course.delete()
    log(f"  building the course: {students} students x {assignments} assignments")
    rng = random.Random(57)
    have = {u.email: u for u in User.objects.filter(role=Role.STUDENT)}
    people = []
    for i in range(1, students + 1):
        email = f"student{i:03d}@{SLUG}.example"
        people.append(have.get(email) or do_create_user(email, f"{rng.choice('ABCDEFGHIJKLMNOPRSTW')}. Student {i:03d}",
                                                        Role.STUDENT, acting_user=None))
    course = do_create_course(COURSE_TITLE, "Autumn 2026", code="ENG-B", sections=["A", "B", "C"], acting_user=teacher)
    sections = list(course.sections.all())
    for i, student in enumerate(people):
        do_enrol_student(course, student, section=sections[i % 3], acting_user=teacher)
    now = timezone.now()
    rows = []
    for n in range(assignments):
        due = now + timedelta(days=14 * (n - assignments // 2))
        assignment = do_create_assignment(
            course, title=f"Essay {n + 1}: persuasive writing", prompt="Argue.", due_at=due,
            stages=[(Stage.Kind.DRAFT, due - timedelta(days=7)), (Stage.Kind.FINAL, due)], acting_user=teacher)
        do_publish_assignment(assignment, acting_user=teacher)
        for student in people:
            roll = rng.random()
            if roll < 0.12:
                continue  # not started: no row
            text = essay(rng)
            row = Submission(assignment=assignment, student=student, text=text, revision_number=rng.randint(5, 400),
                             word_count=2500, started_at=now, submitted_late=rng.random() < 0.1)
            if roll < 0.25:
                row.status = Submission.Status.DRAFTING
            elif roll < 0.4:
                row.status, row.last_submitted_at = Submission.Status.SUBMITTED, now
            else:
                row.status, row.last_submitted_at = Submission.Status.RETURNED, now - timedelta(days=2)
                row.grade = Decimal(rng.randint(40, 100)) + Decimal(rng.choice(["0", "0.5"]))
                row.feedback_released_at = now - timedelta(days=1)
            rows.append(row)
    Submission.objects.bulk_create(rows, batch_size=200)
    return course, teacher


def session_cookie(institution, teacher):
    from django.test import Client
    from django_tenants.utils import tenant_context

    client = Client(HTTP_HOST=HOST)
    with tenant_context(institution):
        client.force_login(teacher)
    return client.cookies["sessionid"].value


def wsgi_caller(path, cookie):
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    base = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": HOST, "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "bench", "HTTP_ACCEPT": "text/html",
        "HTTP_COOKIE": f"sessionid={cookie}", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    status = []

    def start_response(s, headers, exc_info=None):
        status.append(s)

    def call():
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(b"")
        status.clear()
        result = app(environ, start_response)
        body = b"".join(result)
        result.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"{path} answered {status[0]}: {body[:300]!r}")
        return body

    return call


def timed(fn, n):
    values = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        values.append((time.perf_counter() - t) * 1000)
    return values


def main(argv=None):
    args = parse_args(argv)
    log = print
    common.ensure_database(args.db)
    common.setup_django(args.db)
    log("Migrating public and the template schema")
    common.migrate_public_and_template()
    from django.db import connection
    from django_tenants.utils import tenant_context

    from coursework import gradebook

    institution = ensure_institution(log)
    with tenant_context(institution):
        course, teacher = ensure_course(args.students, args.assignments, log)
    cookie = session_cookie(institution, teacher)
    connection.set_schema_to_public()
    log("Collecting static files (production storage needs the manifest)")
    subprocess.run([common.PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=common.REPO,
                   env=common.bench_env(args.db), check=True)

    page = wsgi_caller(f"/teach/courses/{course.pk}/gradebook/", cookie)
    export = wsgi_caller(f"/teach/courses/{course.pk}/gradebook.csv", cookie)
    body = page()
    cells = body.count(b'<td class="st-')
    assert cells == args.students * args.assignments, f"{cells} cells in the table"
    # Not CaptureQueriesContext: the request_started signal empties connection.queries_log.
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
        page()
    for _ in range(args.warmup):
        page()
    log(f"Timing {args.requests} requests of the gradebook ({cells} cells, {len(body) / 1024:.0f} KiB, "
        f"{len(queries)} queries)")
    cpu = time.process_time()
    page_ms = timed(page, args.requests)
    cpu_ms = (time.process_time() - cpu) * 1000 / args.requests
    csv_ms = timed(export, max(20, args.requests // 5))
    with tenant_context(institution):
        book = gradebook.build_gradebook(course)
        query_ms = timed(lambda: gradebook.build_gradebook(course), 50)
        table_ms = timed(lambda: gradebook.table_html(book), 50)
    connection.set_schema_to_public()

    result = {
        "machine": common.machine_info(), "students": args.students, "assignments": args.assignments,
        "cells": cells, "bytes": len(body), "queries_per_request": len(queries),
        "page_ms": common.summary(page_ms), "page_cpu_ms_mean": cpu_ms, "csv_ms": common.summary(csv_ms),
        "build_gradebook_ms": common.summary(query_ms), "table_html_ms": common.summary(table_ms),
        "target_p95_ms": 150,
    }
    path = common.write_json("gradebook", result)

    def line(name, s):
        return f"  {name:28s} p50 {s['p50']:6.1f} ms   p95 {s['p95']:6.1f} ms   max {s['max']:6.1f} ms"

    log(line("gradebook page (WSGI)", result["page_ms"]))
    log(f"  {'':28s} CPU {cpu_ms:.1f} ms per request in this process")
    log(line("gradebook.csv (WSGI)", result["csv_ms"]))
    log(line("  of which: 3 queries", result["build_gradebook_ms"]))
    log(line("  of which: table string", result["table_html_ms"]))
    verdict = "meets" if result["page_ms"]["p95"] <= 150 else "MISSES"
    log(f"p95 {result['page_ms']['p95']:.1f} ms {verdict} the 150 ms target. Results: {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()

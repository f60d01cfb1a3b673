"""Students and teachers working at once across many institutions: four coursework requests under load.

    .venv/bin/python bench/coursework_load.py [--seconds 6] [--rate-seconds 8] [--rounds 3] [--workers 4]
        [--max-requests 20000 | --max-requests 0] [--no-preload] [--scenarios write,autosave,home,dashboard]

Targets: every page p95 <= 25 ms at 70 % of its saturation rate; autosave saturation >= 300 req/s.

Data. The provisioning bench's database (scribetree_bench, on the DATABASE_URL/BENCH_PG server)
already holds 1,000 institutions (bench/fillers.py: real schemas, Institution and Domain rows);
`--institutions` makes sure they exist. The first `--with-data` of them (bench-fill-0001…0100)
get demo-size coursework: the first one through coursework/demo.py (the demo seed: a teacher, 30
students, six assignments in every state, revisions saved through do_save_draft, reviews, grades
— all through the actions), and the others by copying its rows table by table in SQL (same
template, so same columns; each schema's id sequences are moved past the copied ids). That takes
seconds instead of ~5 s of actions per institution, and gives each schema its own tables, indexes
and sessions, which is what the load exercises; the texts are the same in every institution.
Nothing is dropped; the other 900 institutions are left empty. The data's dates are relative to
the day it was made (reused by later runs, so "due in 3 days" drifts).

Sign-in. Virtual users get sessions written directly into each institution's django_session (the
auth keys Django's login would set, signed with the bench SECRET_KEY), so the bench measures the
pages, not logins; sessions of earlier runs in those schemas are deleted first. CSRF: each student
has a csrftoken cookie and sends it back in X-CSRFToken.

Server. gunicorn with the README's sync worker (scribetree/gunicorn_worker.py: gunicorn's, woken one
at a time; `--worker-class sync` for gunicorn's own) on 127.0.0.1 (a free port), production settings through
bench/common.py's bench_env (DEBUG off, SECRET_KEY set, no TLS redirect or secure cookies,
ALLOWED_HOSTS=*), the README's production flags (--workers 3 --preload --max-requests 20000
--max-requests-jitter 5000 --worker-tmp-dir /dev/shm; `--max-requests 0` turns recycling off,
`--no-preload` is there to compare), static files collected first (manifest storage). Each phase
counts the workers gunicorn started in it (recycling).

Requests (Host header rotated over the 100 institutions, in a shuffled order):
- write:     GET /write/<assignment>/ — a student's writing page, rotating over every student and
             each of their five published assignments (returned, peer-reviewed, submitted,
             drafting, not started);
- autosave:  POST /write/<submission>/autosave as the editor sends it (htmx, base_revision, text,
             writing figures) on the assignment being drafted, for all 3,000 students: each save
             appends a word to that student's text. Every virtual student keeps its own base
             revision and has at most one save in flight (bench/load/autosave.lua; the asyncio
             client likewise), and state is re-read from the database after a pause when a phase
             ends (saves still in flight when wrk stops land first), so a 409 would be a real
             conflict; every status is counted.
- home:      GET /student/;
- dashboard: GET /teach/courses/<id>/ as each institution's teacher.

Method, per request kind:
1. Warm-up: wrk for --warmup seconds (not counted): every worker meets the schemas and templates.
2. Saturation: wrk (Debian's wrk 4.1, closed loop: each of --connections connections sends its
   next request when the last one is answered) for --seconds; its requests/s is the saturation
   throughput. Its latencies are printed too but they are queueing time at saturation.
3. At 70 %: wrk2-style constant rate is not in Debian, so a Python asyncio client here sends
   requests on a fixed schedule (open loop: one every 1/rate s, whether or not earlier ones are
   answered, up to 512 in flight) for --rate-seconds, and times each from its scheduled send to the
   end of the response — so a stall counts against every request it delays (no coordinated
   omission). The client pauses its own garbage collector meanwhile and records how late it
   sends (see run_client). gunicorn's sync workers close the connection after each response, so each request
   is its own connection, with either client; both send `Connection: close`, as nginx does to its
   upstream servers by default (before 2026-12-03 only this client did).
Steps 2 and 3 are repeated --rounds times; the summary gives the medians, and the worst round's
p95 (a median of three hides a stall that hit one round). Both clients share the 2 cores with
gunicorn and PostgreSQL. The machine is shared, so before each phase the script waits (up to
--quiet-wait s) for other work to calm down, and each phase records how many cores gunicorn,
our database's PostgreSQL backends, the clients and everything else used. Server CPU per
request (gunicorn + PostgreSQL, at saturation) is reported too: other work disturbs it far less
than throughput, and 2 cores divided by it bound what an idle machine would reach. Writes
bench/results/coursework_load.json.
"""

import argparse
import asyncio
import gc
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

DB = "scribetree_bench"
LOAD = common.REPO / "bench" / "load"
WORK = common.REPO / "bench" / ".data" / "coursework_load"
SCENARIOS = ("write", "autosave", "home", "dashboard")
TARGET_P95_MS = 25
TARGET_AUTOSAVE_RPS = 300
RATE_SHARE = 0.7
TEACHER_EMAIL = "teacher1@bench.example"
DRAFTING_TITLE = "Argumentative essay: should homework be graded?"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DB, help="bench database (the provisioning bench's, with its 1,000 schemas)")
    parser.add_argument("--institutions", type=int, default=1000, help="institutions present")
    parser.add_argument("--with-data", type=int, default=100, help="of which hold a demo-size course")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--py-spy", metavar="FILE", help="record the server with py-spy (collapsed stacks) into FILE")
    parser.add_argument("--worker-class", default=common.GUNICORN_WORKER,
                        help="gunicorn worker class (`sync`: gunicorn's own, waking every idle worker)")
    parser.add_argument("--max-requests", type=int, default=20000, help="gunicorn worker recycling (0: off)")
    parser.add_argument("--max-requests-jitter", type=int, help="default: a quarter of --max-requests")
    parser.add_argument("--no-preload", dest="preload", action="store_false",
                        help="without gunicorn --preload (the README's command uses it: recycled workers fork "
                             "from a master that has already imported and warmed up the project)")
    parser.add_argument("--connections", type=int, default=12, help="wrk connections at saturation")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of wrk before measuring")
    parser.add_argument("--seconds", type=float, default=6, help="seconds of the saturation run")
    parser.add_argument("--rate-seconds", type=float, default=8, help="seconds of the 70 %% run")
    parser.add_argument("--rounds", type=int, default=3, help="saturation + 70 %% runs per request kind "
                        "(the summary takes the median)")
    parser.add_argument("--quiet-wait", type=float, default=60, help="before each phase, wait up to this many "
                        "seconds for other work on the machine to calm down")
    parser.add_argument("--quiet-below", type=float, default=0.15, help="machine busy share counted as calm")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cold-home", action="store_true",
                        help="do not cache people and students' home rows first (as after signing in): each "
                             "person's first request then reads them, home and writing pages rebuild the rows")
    parser.add_argument("--cache-url", default=None,
                        help="CACHE_URL of the server (default: Redis on 127.0.0.1:6379 db 14 when it answers, "
                             "as in production; '' for the per-process memory cache)")
    return parser.parse_args(argv)


# --- Data ------------------------------------------------------------------------------------------

def copied_tables():
    """(table, columns) of everything the demo seed writes: people, coursework, audit log."""
    from allauth.account.models import EmailAddress
    from auditlog.models import LogEntry
    from django.apps import apps

    models = [apps.get_model("accounts", "User"), EmailAddress, *apps.get_app_config("coursework").get_models(),
              LogEntry]
    tables = []
    for model in models:
        tables.append((model._meta.db_table, [f.column for f in model._meta.local_concrete_fields]))
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                tables.append((through._meta.db_table, [f.column for f in through._meta.local_concrete_fields]))
    return tables


def has_course(cursor, schema):
    from coursework.demo import COURSE_TITLE

    cursor.execute(f'SELECT count(*) FROM "{schema}".coursework_course WHERE title = %s', [COURSE_TITLE])
    return cursor.fetchone()[0] > 0


def fill_with_demo(institution, log):
    """The demo seed, through the actions, in one institution (one transaction)."""
    from django.db import transaction
    from django_tenants.utils import tenant_context

    from accounts.actions import do_create_user
    from accounts.models import Role
    from coursework.demo import ensure_demo_coursework
    from tenants.management.commands.seed_demo import student_names

    log(f"  {institution.slug}: the demo seed through the actions (coursework/demo.py)")
    started = time.perf_counter()
    with tenant_context(institution), transaction.atomic():
        teacher = do_create_user(TEACHER_EMAIL, "Margaret Holloway", Role.TEACHER, acting_user=None)
        students = [do_create_user(f"student{n:02d}@bench.example", name, Role.STUDENT, acting_user=None)
                    for n, name in enumerate(student_names(0), start=1)]
        ensure_demo_coursework(teacher=teacher, students=students, school=institution.name, seed="bench")
    log(f"    {time.perf_counter() - started:.1f} s")


def copy_rows(cursor, source, target, tables):
    """Copy the demo rows from schema `source` to the empty schema `target` (one transaction)."""
    cursor.execute(f'SELECT count(*) FROM "{target}".accounts_user')
    if cursor.fetchone()[0]:
        raise SystemExit(f"{target} already has people but no demo course: refusing to copy over them.")
    for table, columns in tables:
        cols = ", ".join(f'"{c}"' for c in columns)
        cursor.execute(f'INSERT INTO "{target}"."{table}" ({cols}) SELECT {cols} FROM "{source}"."{table}"')
        if "id" in columns:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                           f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{target}"."{table}"), false)',
                           [f'"{target}"."{table}"'])


def ensure_data(args, log):
    """The --with-data institutions with the demo course. Returns them (Institution objects)."""
    from django.db import connection, transaction

    from bench.fillers import ensure_fillers, filler_slug
    from tenants.models import Institution

    seconds = ensure_fillers(args.institutions, log=log)
    log(f"  {args.institutions} institutions present ({seconds:.1f} s)")
    connection.set_schema_to_public()
    institutions = list(Institution.objects.filter(slug__in=[filler_slug(i) for i in range(1, args.with_data + 1)])
                        .order_by("slug"))
    with connection.cursor() as cursor:
        missing = [i for i in institutions if not has_course(cursor, i.schema_name)]
    if not missing:
        return institutions
    source = next((i for i in institutions if i not in missing), None)
    if source is None:
        source = missing.pop(0)
        fill_with_demo(source, log)
        connection.set_schema_to_public()
    log(f"  copying {source.slug}'s rows into {len(missing)} institutions")
    started = time.perf_counter()
    tables = copied_tables()
    with connection.cursor() as cursor:
        for institution in missing:
            with transaction.atomic():
                copy_rows(cursor, source.schema_name, institution.schema_name, tables)
    log(f"    {time.perf_counter() - started:.1f} s")
    return institutions


def sign_in_everyone(institutions):
    """Sessions for each institution's teacher and students, written straight into its schema.

    Returns one dict per institution: host, course id, published assignment ids, the teacher's
    cookie and each student's (cookie, csrf token, user id, submission id on the drafted essay)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX as CACHED_SESSION_PREFIX
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.db import connection
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from django_tenants.utils import tenant_context

    from accounts.models import Role, User
    from coursework.actions import get_or_start_submission
    from coursework.demo import COURSE_TITLE
    from coursework.models import Assignment, Course
    from privacy.actions import required_notice_version
    from privacy.middleware import RECHECK_SECONDS
    from privacy.middleware import SESSION_KEY as NOTICE_SESSION_KEY

    backend = settings.AUTHENTICATION_BACKENDS[0]
    expires = timezone.now() + timezone.timedelta(hours=12)
    ages = random.Random(13)
    people = []
    for institution in institutions:
        with tenant_context(institution):
            course = Course.objects.get(title=COURSE_TITLE)
            published = list(Assignment.objects.filter(course=course, published_at__isnull=False)
                             .order_by("pk").values_list("pk", flat=True))
            drafting = Assignment.objects.get(course=course, title=DRAFTING_TITLE)
            opened = list(Assignment.objects.filter(pk__in=published).exclude(pk=drafting.pk))
            rows, cookies, cached = [], {}, {}
            notice = required_notice_version()  # None: the bench's institutions publish no notice
            for user in User.objects.filter(role__in=[Role.TEACHER, Role.STUDENT]).order_by("email"):
                key = get_random_string(32)
                data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend,
                        HASH_SESSION_KEY: user.get_session_auth_hash(),
                        # Someone signed in a while ago has had the privacy-notice check done
                        # (privacy/middleware.py: once per session per 5 minutes); without this
                        # every request of the run would be a session's first and pay it. The
                        # checks' ages are spread, as in a steady state: all made now, every session
                        # would check again (a query and a session save) in the same second.
                        NOTICE_SESSION_KEY: {"accepted": None, "required": notice,
                                             "checked": time.time() - ages.uniform(0, RECHECK_SECONDS)}}
                rows.append(Session(session_key=key, session_data=SessionStore().encode(data), expire_date=expires))
                cached[CACHED_SESSION_PREFIX + key] = data
                cookies[user.pk] = (user, key)
            Session.objects.all().delete()  # this bench's own sessions from earlier runs
            Session.objects.bulk_create(rows)
            if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db":
                # A real sign-in saves the session through the cache too (cached_db), so a signed-in
                # person's requests find it there; sessions written only to the table would make
                # each person's first request of the run read the table instead.
                caches[settings.SESSION_CACHE_ALIAS].set_many(cached, 12 * 3600)
            entry = {"host": f"{institution.slug}.localhost", "schema": institution.schema_name,
                     "course": course.pk, "published": published, "students": []}
            for user, key in cookies.values():
                if user.role == Role.TEACHER:
                    entry["teacher_cookie"] = f"sessionid={key}"
                    continue
                token = get_random_string(32)
                # What the writing page does on a first visit, so every student can autosave; and
                # every student has opened each published assignment once before (a first visit
                # starts the work, which changes the course's pages for everyone in it).
                submission = get_or_start_submission(drafting, user)
                for other in opened:
                    get_or_start_submission(other, user)
                entry["students"].append({"cookie": f"sessionid={key}; csrftoken={token}", "token": token,
                                          "user": user.pk, "submission": submission.pk})
            people.append(entry)
    connection.set_schema_to_public()
    return people


def visit_homes(institutions):
    """Everyone has made a request since signing in, and every student has seen their home page
    since anything on it changed: the signed-in person is in the shared cache (accounts/backends.py)
    and so are each student's home rows (coursework/freshness.py), which the writing page reads the
    assignment from. `--cold-home` skips this, so each person's first request of the run reads
    them from the database (and home and writing pages rebuild the rows)."""
    from django.conf import settings
    from django.contrib.auth import load_backend
    from django.core.cache import cache
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from accounts.backends import user_key
    from accounts.models import Role, User
    from coursework.student_pages import student_home_html
    from coursework.views_student import render_home_courses

    backend = load_backend(settings.AUTHENTICATION_BACKENDS[0])
    # Each person's cached row is given a random age, as in a steady state where people signed in
    # at different times: otherwise every entry would expire in the same second, AUTH_USER_CACHE_SECONDS
    # into the run, and the phase then running would reload 3,100 people at once.
    ages = random.Random(11)
    began = time.perf_counter()
    for institution in institutions:
        with tenant_context(institution), timezone.override(institution.time_zone):  # as the middleware does
            for person in User.objects.filter(role__in=[Role.STUDENT, Role.TEACHER]):
                backend.get_user(person.pk)
                if settings.AUTH_USER_CACHE_SECONDS:
                    cache.touch(user_key(person.pk), ages.randint(1, settings.AUTH_USER_CACHE_SECONDS))
                if person.role == Role.STUDENT:
                    student_home_html(person, render_home_courses)
    return time.perf_counter() - began


def autosave_students(people, rng):
    """The autosave clients' state, read now: [(host, submission, cookie, token, base, form-encoded text)]."""
    from django.db import connection

    rows = []
    with connection.cursor() as cursor:
        for entry in people:
            ids = [s["submission"] for s in entry["students"]]
            cursor.execute(f'SELECT id, revision_number, text FROM "{entry["schema"]}".coursework_submission '
                           "WHERE id = ANY(%s)", [ids])
            state = {pk: (number, text) for pk, number, text in cursor.fetchall()}
            for s in entry["students"]:
                number, text = state[s["submission"]]
                rows.append((entry["host"], s["submission"], s["cookie"], s["token"], number, quote_plus(text)))
    rng.shuffle(rows)
    return rows


def page_targets(people, scenario, rng):
    """[(host, path, cookie)] for a GET scenario, shuffled so consecutive requests change institution."""
    lines = []
    for entry in people:
        if scenario == "dashboard":
            lines.append((entry["host"], f"/teach/courses/{entry['course']}/", entry["teacher_cookie"]))
            continue
        for s in entry["students"]:
            if scenario == "home":
                lines.append((entry["host"], "/student/", s["cookie"]))
            else:
                lines += [(entry["host"], f"/write/{a}/", s["cookie"]) for a in entry["published"]]
    rng.shuffle(lines)
    return lines


def write_lines(name, rows):
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / name
    path.write_text("".join("\t".join(str(v) for v in row) + "\n" for row in rows))
    return path


# --- Server ---------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args, port, log):
    command = [str(Path(common.PYTHON).parent / "gunicorn"), "scribetree.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--worker-class", args.worker_class,
               "--log-level", "warning"]
    if args.max_requests:
        jitter = args.max_requests // 4 if args.max_requests_jitter is None else args.max_requests_jitter
        command += ["--max-requests", str(args.max_requests), "--max-requests-jitter", str(jitter)]
    if args.preload:
        command.append("--preload")
    shm = "/dev/shm"  # noqa: S108 - gunicorn makes its private heartbeat file there (mkstemp), as its docs advise
    if Path(shm).is_dir():  # the README's flag: the per-request heartbeat off the disk
        command += ["--worker-tmp-dir", shm]
    log(f"  {' '.join(['gunicorn', *command[1:]])}")
    if args.py_spy:  # where the server's time goes under load (py-spy from pip, not a requirement)
        command = [str(Path(common.PYTHON).parent / "py-spy"), "record", "--subprocesses", "--rate", "250",
                   "--format", "raw", "--output", args.py_spy, "--", *command]
    env = common.bench_env(args.db, ALLOWED_HOSTS="*", CACHE_URL=args.cache_url)
    proc = subprocess.Popen(command, cwd=common.REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(WORK / "gunicorn.log", "w"))  # noqa: SIM115 (closed with the process)
    return proc, " ".join(["gunicorn", *command[1:]])


def http(port, method, host, path, *, cookie=None, body=None, headers=None, timeout=30):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    all_headers = {"Host": host, **({"Cookie": cookie} if cookie else {}), **(headers or {})}
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), data


def wait_for(port, host, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _, body = http(port, "GET", host, "/healthz", timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn on port {port} did not answer within {timeout} s (see {WORK / 'gunicorn.log'})")


def preflight(port, people):
    """One request of each kind must succeed and show what it should, before any load."""
    entry = people[0]
    student = entry["students"][0]
    checks = [
        ("write", entry["host"], f"/write/{entry['published'][-1]}/", student["cookie"], b"<textarea"),
        ("home", entry["host"], "/student/", student["cookie"], b"Persuasive Writing"),
        ("dashboard", entry["host"], f"/teach/courses/{entry['course']}/", entry["teacher_cookie"], b"Submitted"),
    ]
    for name, host, path, cookie, marker in checks:
        status, _, body = http(port, "GET", host, path, cookie=cookie)
        if status != 200 or marker not in body:
            raise SystemExit(f"preflight {name}: {path} answered {status}: {body[:300]!r}")


# --- Load generators ------------------------------------------------------------------------------

def run_wrk(script, data_file, *, port, connections, threads, seconds):
    command = [shutil.which("wrk"), f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
               "-s", str(script), f"http://127.0.0.1:{port}", "--", str(data_file)]
    if script.name == "autosave.lua":
        command.append(str(threads))
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    match = re.search(r"^BENCH_RESULT (.*)$", out, re.M)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{out}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    shown = [c if c != str(data_file) else f"bench/.data/coursework_load/{data_file.name}" for c in command[1:]]
    result["command"] = " ".join(["wrk", *shown]).replace(str(common.REPO) + "/", "")
    return result


def build_request(method, host, path, cookie, *, body=b"", extra=()):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Cookie: {cookie}", "Accept: text/html",
             "Connection: close", *extra]
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def run_client(coroutine):
    """The open-loop client runs on the machine it measures: on uvloop's event loop when installed
    (requirements-dev.txt), it costs about half the CPU per request of asyncio's own loop (~0.8 ms),
    which at 250+ requests/s was a fifth of a core taken from the server during the "70 %" phase.

    Python's cyclic garbage collector is paused while it runs (collected before and after): with
    thousands of tasks and connections alive, a full collection in the client stopped it for 50-90 ms
    (its lag behind the schedule, home page at 700 requests/s, 3 of 4 rounds; at most 8 ms with the
    collector paused), and then the requests it owed went out at once -- time charged to the
    server. Each round records the client's lag (`client_lag_ms`: scheduled send to the moment it
    starts connecting), so a late client shows."""
    gc.collect()
    gc.disable()
    try:
        try:
            import uvloop
        except ImportError:
            return asyncio.run(coroutine)
        return uvloop.run(coroutine)
    finally:
        gc.enable()
        gc.collect()


async def open_loop(port, next_request, rate, seconds, max_in_flight=512):
    """Send int(rate * seconds) requests at fixed intervals; time each from its scheduled start.

    next_request() -> (bytes, on_done(status, headers) or None), or None when no client is free
    (that send is then skipped and counted). Returns (latencies in ms, statuses, errors, skipped, elapsed,
    p95 of each second of the schedule, the client's lag behind the schedule in ms)."""
    loop = asyncio.get_running_loop()
    limit = asyncio.Semaphore(max_in_flight)
    latencies, offsets, statuses, errors, lags = [], [], {}, [], []
    skipped = 0

    async def one(scheduled, payload, on_done):
        async with limit:
            lags.append((loop.time() - scheduled) * 1000)
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(payload)
                data = await asyncio.wait_for(reader.read(), timeout=30)
                writer.close()
            except (TimeoutError, OSError) as error:
                errors.append(repr(error))
                return
        latencies.append((loop.time() - scheduled) * 1000)
        offsets.append(scheduled - start)
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        status = int(head[0].split()[1]) if head and len(head[0].split()) > 1 else 0
        statuses[status] = statuses.get(status, 0) + 1
        if on_done:
            headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
            on_done(status, headers)

    total = int(rate * seconds)
    start = loop.time() + 0.1  # read by one() after this line runs
    tasks = []
    for k in range(total):
        scheduled = start + k / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        made = next_request()
        if made is None:
            skipped += 1
            continue
        tasks.append(asyncio.ensure_future(one(scheduled, *made)))
    await asyncio.gather(*tasks)
    by_second = {}
    for offset, latency in zip(offsets, latencies, strict=True):
        by_second.setdefault(int(offset), []).append(latency)
    p95_by_second = [round(common.percentile(by_second[k], 95), 1) for k in sorted(by_second)]
    client_lag = {f"p{q}": round(common.percentile(lags, q), 1) for q in (50, 95, 99)} if lags else {}
    client_lag["max"] = round(max(lags), 1) if lags else None
    return latencies, statuses, errors, skipped, loop.time() - start, p95_by_second, client_lag


def page_requests(lines):
    prepared = [build_request("GET", host, path, cookie) for host, path, cookie in lines]
    position = [0]

    def next_request():
        position[0] = (position[0] + 1) % len(prepared)
        return prepared[position[0]], None

    return next_request


def autosave_requests(rows):
    """Each virtual student has at most one save in flight and keeps its own base revision."""
    words = ["because", "students", "evidence", "therefore", "however", "research", "learning", "school"]
    students = [{"host": h, "path": f"/write/{s}/autosave", "cookie": c, "token": t, "base": int(b), "text": x,
                 "busy": False} for h, s, c, t, b, x in rows]
    position = [0]
    conflicts = {"409": 0}

    def next_request():
        for _ in range(len(students)):
            position[0] = (position[0] + 1) % len(students)
            s = students[position[0]]
            if not s["busy"]:
                break
        else:
            return None
        s["busy"] = True
        added = ("+" if s["text"] else "") + words[s["base"] % len(words)]
        pending = s["text"] + added
        body = (f"base_revision={s['base']}&text={pending}&reflection=&active_seconds=4&typed_chars={len(added)}"
                "&pasted_chars=0&paste_sizes=").encode()
        payload = build_request("POST", s["host"], s["path"], s["cookie"], body=body,
                                extra=(f"X-CSRFToken: {s['token']}", "HX-Request: true"))

        def on_done(status, headers):
            s["busy"] = False
            revision = headers.get("X-Revision-Number")
            if status == 200:
                s["text"], s["base"] = pending, int(revision) if revision else s["base"] + 1
            elif status == 409:
                conflicts["409"] += 1
                if revision:
                    s["base"] = int(revision)

        return payload, on_done

    return next_request


# --- The run ----------------------------------------------------------------------------------------

def _proc_stat(pid):
    """(comm, ppid, utime + stime, cutime + cstime) in clock ticks, or None if the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return comm, int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def process_ticks(server_pid, db_name):
    """CPU seconds used so far by: gunicorn (master, live workers, and recycled workers through the
    master's children time); PostgreSQL's backends serving our database (recognised by their
    process title, per pid: a backend that exits within a phase loses its last part); all of
    PostgreSQL (anyone's queries, background writers, exited backends through the postmaster's
    children time); this process; and its finished children (wrk)."""
    import resource

    gunicorn = postgres_all = 0
    ours, workers = {}, set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _proc_stat(entry.name)
        if stat is None:
            continue
        comm, ppid, own, children = stat
        if int(entry.name) == server_pid:
            gunicorn += own + children
        elif ppid == server_pid:
            gunicorn += own
            workers.add(entry.name)
        elif comm in ("postgres", "postmaster"):
            postgres_all += own + children  # only the postmaster has children time (its exited backends)
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if f" {db_name} " in title:
                ours[entry.name] = own
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    hz = os.sysconf("SC_CLK_TCK")
    return {"gunicorn": gunicorn / hz, "postgres_ours": {pid: t / hz for pid, t in ours.items()},
            "postgres_all": postgres_all / hz, "bench_client": me.ru_utime + me.ru_stime,
            "wrk": kids.ru_utime + kids.ru_stime, "workers": workers}


def machine_snapshot(server_pid, db_name):
    return {"load": os.getloadavg(), "cpu": common.cpu_busy_snapshot(), "at": time.monotonic(),
            "steal": common.steal_seconds(), "procs": process_ticks(server_pid, db_name)}


def busy_between(before, after):
    """Machine CPU busy share (both cores, anyone's work) and how it split, in cores used on average.
    everything_else = busy - gunicorn - our database's backends - the two clients: other people's
    work, and PostgreSQL's shared background processes (WAL writer, checkpointer)."""
    share = common.busy_fraction(before["cpu"], after["cpu"])
    seconds = after["at"] - before["at"]
    b, a = before["procs"], after["procs"]
    ours = sum(t - b["postgres_ours"].get(pid, 0) for pid, t in a["postgres_ours"].items())
    split = {"gunicorn": a["gunicorn"] - b["gunicorn"], "postgres": ours, "bench_client": a["bench_client"]
             - b["bench_client"], "wrk": a["wrk"] - b["wrk"]}
    split = {k: round(v / seconds, 2) for k, v in split.items()}
    if share is not None:
        split["everything_else"] = round(max(share * (os.cpu_count() or 1) - sum(split.values()), 0), 2)
    split["postgres_all_databases"] = round((a["postgres_all"] - b["postgres_all"]) / seconds, 2)
    if before.get("steal") is not None and after.get("steal") is not None:
        # Part of everything_else: cores the hypervisor lent to other machines meanwhile.
        split["steal"] = round((after["steal"] - before["steal"]) / seconds, 2)
    return {"cpu_busy": None if share is None else round(share, 3), "cores_used": split,
            "workers_started": len(a["workers"] - b["workers"]), "load_average_1m": round(after["load"][0], 2)}


def wait_for_quiet(args):
    """Between phases our server is idle, so the machine's busy share is other people's work: wait
    (up to --quiet-wait s) until it is at most --quiet-below over one second. Returns the last share."""
    deadline = time.monotonic() + args.quiet_wait
    while True:
        before = common.cpu_busy_snapshot()
        time.sleep(1)
        share = common.busy_fraction(before, common.cpu_busy_snapshot())
        if share is None or share <= args.quiet_below or time.monotonic() >= deadline:
            return None if share is None else round(share, 3)


def cpu_ms_per_request(phase, requests):
    """Server-side CPU per request (gunicorn + PostgreSQL), a figure other work disturbs much less than
    throughput: the 2 cores divided by it bound the saturation rate on an idle machine."""
    cores = phase["cores_used"]
    seconds = phase["duration_us"] / 1e6 if "duration_us" in phase else phase["elapsed_s"]
    return round((cores["gunicorn"] + cores["postgres"]) * seconds * 1000 / max(requests, 1), 2)


def one_round(name, args, server, port, people, rng, script, threads, data_file, log):
    quiet = wait_for_quiet(args)
    before = machine_snapshot(server.pid, args.db)
    saturation = run_wrk(script, data_file(), port=port, connections=args.connections, threads=threads,
                         seconds=args.seconds)
    saturation.update(busy_between(before, machine_snapshot(server.pid, args.db)), machine_busy_before=quiet)
    saturation["cpu_ms_per_request"] = cpu_ms_per_request(saturation, saturation["requests"])
    rate = round(saturation["rps"] * RATE_SHARE, 1)
    # Wait first: saves still in flight when wrk stopped must land before the students' base
    # revisions are read, or their next save is a (bench-made) conflict.
    quiet = wait_for_quiet(args)
    if name == "autosave":
        next_request = autosave_requests(autosave_students(people, rng))
    else:
        next_request = page_requests(page_targets(people, name, rng))
    before = machine_snapshot(server.pid, args.db)
    latencies, statuses, errors, skipped, elapsed, p95_by_second, client_lag = run_client(
        open_loop(port, next_request, rate, args.rate_seconds))
    at_rate = {"offered_rps": rate, "achieved_rps": round(len(latencies) / elapsed, 1), "elapsed_s": elapsed,
               "statuses": {str(k): v for k, v in sorted(statuses.items())}, "errors": len(errors),
               "error_sample": errors[:3], "skipped": skipped, "machine_busy_before": quiet,
               "p95_ms_by_second": p95_by_second, "client_lag_ms": client_lag,
               **busy_between(before, machine_snapshot(server.pid, args.db))}
    if latencies:
        at_rate.update({k: round(v, 2) for k, v in common.summary(latencies).items() if k != "n"},
                       n=len(latencies), p99=round(common.percentile(latencies, 99), 2))
    ok = saturation["statuses"].get("200", 0)
    log(f"  {name:9s} saturation {saturation['rps']:6.1f} req/s ({ok} x 200 of {saturation['requests']}; "
        f"{saturation['cpu_ms_per_request']:.1f} ms server CPU/request; cores {saturation['cores_used']})")
    if latencies:
        log(f"  {'':9s} at {rate:.0f} req/s: p50 {at_rate['p50']:.1f} ms, p95 {at_rate['p95']:.1f} ms, "
            f"p99 {at_rate['p99']:.1f} ms, max {at_rate['max']:.0f} ms; statuses {at_rate['statuses']}, "
            f"errors {len(errors)}, skipped {skipped}; others used {at_rate['cores_used'].get('everything_else')} "
            f"cores; workers recycled {at_rate['workers_started']}; client lag p99 {client_lag.get('p99')} ms, "
            f"max {client_lag.get('max')} ms")
    return {"saturation": saturation, "at_70_percent": at_rate}


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None


def run_scenario(name, args, server, port, people, rng, log):
    from django.db import connection

    connection.close()  # the run is long; a fresh connection for each data read
    script = LOAD / ("autosave.lua" if name == "autosave" else "pages.lua")
    threads = args.connections if name == "autosave" else min(2, args.connections)

    def data_file():
        if name == "autosave":
            return write_lines("autosave.tsv", autosave_students(people, rng))
        return write_lines(f"{name}.tsv", page_targets(people, name, rng))

    run_wrk(script, data_file(), port=port, connections=args.connections, threads=threads, seconds=args.warmup)
    rounds = [one_round(name, args, server, port, people, rng, script, threads, data_file, log)
              for _ in range(args.rounds)]
    sat = [r["saturation"] for r in rounds]
    rate = [r["at_70_percent"] for r in rounds]
    non_200 = {}
    for phase in sat + rate:
        for status, n in phase["statuses"].items():
            if status != "200":
                non_200[status] = non_200.get(status, 0) + n
    return {
        "rounds": rounds,
        "saturation_rps": median([p["rps"] for p in sat]),
        "cpu_ms_per_request": median([p["cpu_ms_per_request"] for p in sat]),
        "offered_rps": median([p["offered_rps"] for p in rate]),
        "p50_ms": median([p.get("p50") for p in rate]), "p95_ms": median([p.get("p95") for p in rate]),
        "p99_ms": median([p.get("p99") for p in rate]),
        "p95_ms_worst_round": max((p.get("p95") or 0) for p in rate),
        "non_200": non_200, "conflicts_409": non_200.get("409", 0),
        "errors": sum(p["errors"] for p in rate) + sum(sum(p["errors"].values()) for p in sat),
        "others_cores_max": max(p["cores_used"].get("everything_else") or 0 for p in sat + rate),
        "workers_recycled": sum(p["workers_started"] for p in sat + rate),
        "client_lag_ms_max": max((p["client_lag_ms"].get("max") or 0) for p in rate),
    }


def main(argv=None):
    args = parse_args(argv)
    log = print
    if args.cache_url is None:
        args.cache_url = common.bench_cache_url()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    rng = random.Random(args.seed)
    started = time.perf_counter()
    common.ensure_database(args.db)
    common.setup_django(args.db, CACHE_URL=args.cache_url)
    log("Migrating public and the template schema")
    common.migrate_public_and_template()
    log(f"Institutions and their coursework ({args.with_data} of {args.institutions} with a demo-size course)")
    institutions = ensure_data(args, log)
    people = sign_in_everyone(institutions)
    log(f"  sessions for {sum(len(p['students']) + 1 for p in people)} people in {len(people)} institutions")
    if not args.cold_home and args.cache_url:
        log(f"  people and home rows cached (as after signing in): {visit_homes(institutions):.1f} s")
    from django.db import connection

    connection.close()
    WORK.mkdir(parents=True, exist_ok=True)
    log("Collecting static files (production storage needs the manifest)")
    subprocess.run([common.PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=common.REPO,
                   env=common.bench_env(args.db), check=True)
    port = free_port()
    log(f"Starting gunicorn on 127.0.0.1:{port} (cache: {args.cache_url or 'per-process memory'})")
    server, server_command = start_gunicorn(args, port, log)
    results = {}
    try:
        wait_for(port, people[0]["host"])
        preflight(port, people)
        for name in scenarios:
            results[name] = run_scenario(name, args, server, port, people, rng, log)
    finally:
        if args.py_spy:  # py-spy writes its file on SIGINT; gunicorn, its child, is stopped after
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
            subprocess.run(["pkill", "-TERM", "-f", f"--bind 127.0.0.1:{port}"], check=False)
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    data = {
        "scenarios": results, "institutions": args.institutions, "with_data": len(people),
        "students_per_institution": len(people[0]["students"]), "gunicorn": server_command,
        "workers": args.workers, "max_requests": args.max_requests, "preload": args.preload,
        "connections": args.connections, "cache": "redis" if args.cache_url else "per-process memory",
        "home_rows_cached_first": not args.cold_home,
        "seconds": args.seconds, "rate_seconds": args.rate_seconds, "warmup": args.warmup, "rounds": args.rounds,
        "rate_share": RATE_SHARE, "target_p95_ms": TARGET_P95_MS, "target_autosave_rps": TARGET_AUTOSAVE_RPS,
        "command": " ".join([".venv/bin/python", "bench/coursework_load.py", *(argv or sys.argv[1:])]),
        "machine": common.machine_info(), "wall_seconds": round(time.perf_counter() - started, 1),
    }
    path = common.write_json("coursework_load", data)
    log("")
    log(f"{'request':10s} {'saturation':>11s} {'CPU/req':>8s} {'70 % rate':>9s} {'p50':>8s} {'p95':>8s} {'worst':>8s}"
        "  target (medians of the rounds; worst: the highest p95 of a round)")
    for name, r in results.items():
        met = r["p95_ms"] is not None and r["p95_ms"] <= TARGET_P95_MS
        target = f"p95 <= {TARGET_P95_MS} ms: {'met' if met else 'MISSED'}"
        if name == "autosave":
            target += (f"; >= {TARGET_AUTOSAVE_RPS} req/s: "
                       f"{'met' if r['saturation_rps'] >= TARGET_AUTOSAVE_RPS else 'MISSED'}")
        extra = f"; non-200: {r['non_200']}" if r["non_200"] else ""
        extra += f"; errors {r['errors']}" if r["errors"] else ""
        extra += f"; others used up to {r['others_cores_max']} cores" if r["others_cores_max"] > 0.2 else ""
        extra += f"; {r['workers_recycled']} workers recycled" if r["workers_recycled"] else ""
        extra += f"; client up to {r['client_lag_ms_max']:.0f} ms late" if r["client_lag_ms_max"] > 10 else ""
        log(f"{name:10s} {r['saturation_rps']:9.1f}/s {r['cpu_ms_per_request']:6.1f}ms {r['offered_rps']:7.0f}/s "
            f"{r['p50_ms']:6.1f}ms {r['p95_ms']:6.1f}ms {r['p95_ms_worst_round']:6.0f}ms  {target}{extra}")
    log(f"Results: {path.relative_to(common.REPO)} ({data['wall_seconds']:.0f} s)")
    return data


if __name__ == "__main__":
    main()

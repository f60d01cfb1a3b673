"""Shared helpers for the benchmark scripts: bench database, environment, statistics.

Every script talks to PostgreSQL and to its own servers on loopback only, creates its own
database (never touches another), and stops by itself after a bounded number of rounds.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse, urlunparse

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
PYTHON = sys.executable
# The README's production worker: gunicorn's sync worker, woken one at a time (scribetree/gunicorn_worker.py).
GUNICORN_WORKER = "scribetree.gunicorn_worker.SyncWorker"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789abcdefghijklmnop"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _server_url():
    """The PostgreSQL server: BENCH_PG, else DATABASE_URL's server (dev.py bench), else the local
    one. Only the server is taken from these: the benches use their own scribetree_bench* databases."""
    return (os.environ.get("BENCH_PG") or os.environ.get("DATABASE_URL")
            or "postgres://postgres@127.0.0.1:5432/postgres")


def database_url(name):
    """URL of database `name` on the bench server, which must be on this machine (loopback or a
    Unix socket, as dev.py's embedded PostgreSQL uses)."""
    parsed = urlparse(_server_url())
    socket_dir = parse_qs(parsed.query).get("host", [""])[0]
    local = parsed.hostname in LOOPBACK or (parsed.hostname is None and (not socket_dir or socket_dir.startswith("/")))
    if not local:
        raise SystemExit(f"Benchmarks run against a local PostgreSQL only, not {parsed.hostname!r}.")
    if not name.startswith("scribetree_bench") and name != "postgres":
        raise SystemExit("Bench databases are named scribetree_bench*: refusing to use another database.")
    return urlunparse(parsed._replace(path=f"/{name}"))


def ensure_database(name):
    """Create the bench database if it is missing. Returns True when it was created."""
    import psycopg

    database_url(name)  # local server and name checks
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


BENCH_REDIS_DB = 14  # the benches' own Redis database, flushed when a bench starts


def bench_cache_url(flush=True):
    """Redis on 127.0.0.1:6379 (as production's CACHE_URL: shared cache and cached sessions), or ""
    when there is none (the per-process memory cache and database sessions then)."""
    import redis

    url = f"redis://127.0.0.1:6379/{BENCH_REDIS_DB}"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        client.flushdb() if flush else client.ping()
    except redis.RedisError:
        return ""
    return url


def bench_env(db_name, *, settings_module="scribetree.settings", **extra):
    """Production-like environment: DEBUG off, a SECRET_KEY, no TLS redirect or secure cookies
    (plain HTTP on loopback), files of this run under bench/.data."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SCRIBETREE_TESTING"}}
    env.update(
        DATABASE_URL=database_url(db_name),
        DJANGO_SETTINGS_MODULE=settings_module,
        SECRET_KEY=BENCH_SECRET_KEY,
        DEBUG="0",
        SCRIBETREE_TESTING="0",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        SCRIBETREE_DATA_DIR=str(REPO / "bench" / ".data" / db_name),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def setup_django(db_name, *, settings_module="scribetree.settings", **extra):
    os.environ.update(bench_env(db_name, settings_module=settings_module, **extra))
    import django

    django.setup()


def migrate_public_and_template(verbosity=0):
    """`migrate_all` without its last step: migrating every institution costs ~0.3 s each."""
    from django.core.management import call_command

    from tenants.provisioning import ensure_template_schema

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
    ensure_template_schema(verbosity=verbosity)


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


def summary(values):
    return {
        "n": len(values),
        "min": min(values),
        "p50": statistics.median(values),
        "p95": percentile(values, 95),
        "max": max(values),
    }


def write_json(name, data):
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {**data, "generated_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def machine_info():
    import platform

    info = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


WEB_SLUG = "bench-web"
WEB_HOST = "bench-web.localhost"
STUDENT_PASSWORD = "bench students write essays 2024"


def student_email(i):
    return f"student{i:02d}@bench-web.example"


def ensure_web_institution(students=30, log=print):
    """One ready institution (bench-web.localhost) with `students` students and a teacher, made
    through the real actions; reused when already there. Returns the Institution."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from accounts.actions import do_create_user, do_set_password
    from accounts.models import Role, User
    from tenants.actions import do_create_institution
    from tenants.models import Institution
    from tenants.provisioning import provision

    connection.set_schema_to_public()
    institution = Institution.objects.filter(slug=WEB_SLUG).first()
    if institution is None or not institution.is_ready:
        if institution is not None:
            institution.delete()
            with connection.cursor() as cursor:
                cursor.execute('DROP SCHEMA IF EXISTS "inst_bench_web" CASCADE')
        log(f"  creating institution {WEB_SLUG}")
        institution, job = do_create_institution(
            "Bench Web School", WEB_SLUG, domain=WEB_HOST, admin_email="admin@bench-web.example",
            acting_user=None, run_now=True)
        provision(job.pk)
        institution.refresh_from_db()
    with tenant_context(institution):
        have = set(User.objects.filter(role=Role.STUDENT).values_list("email", flat=True))
        missing = [i for i in range(1, students + 1) if student_email(i) not in have]
        if missing:
            log(f"  creating {len(missing)} students")
        for i in missing:
            do_create_user(student_email(i), f"Student {i:02d}", Role.STUDENT, password=STUDENT_PASSWORD,
                           acting_user=None)
        # Hashes made with other hasher parameters would be upgraded on first login (an extra hash
        # and an UPDATE): give everyone a current hash so every run measures the same work.
        from django.contrib.auth.hashers import get_hasher, identify_hasher

        stale = [u for u in User.objects.filter(email__in=[student_email(i) for i in range(1, students + 1)])
                 if identify_hasher(u.password).algorithm != get_hasher().algorithm
                 or get_hasher().must_update(u.password)]
        if stale:
            log(f"  re-hashing {len(stale)} passwords made with other hasher parameters")
        for user in stale:
            do_set_password(user, STUDENT_PASSWORD, acting_user=None)
        if not User.objects.filter(email="teacher@bench-web.example").exists():
            do_create_user("teacher@bench-web.example", "Bench Teacher", Role.TEACHER, password=STUDENT_PASSWORD,
                           acting_user=None)
    connection.set_schema_to_public()
    return institution


def cpu_busy_snapshot():
    """(busy, total) jiffies of the whole machine from /proc/stat; see busy_fraction()."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def steal_seconds():
    """CPU time the hypervisor gave to other machines while ours wanted it (/proc/stat "steal"),
    summed over our cores, in seconds; None where it is not reported."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return fields[7] / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def busy_fraction(before, after):
    """Share of all CPUs busy (anyone's work, ours included) between two snapshots."""
    if not before or not after or after[1] == before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])

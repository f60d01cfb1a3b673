"""Where one coursework request spends its time: in-process WSGI, many institutions, cProfile.

    .venv/bin/python bench/profile_request.py --scenario dashboard [--requests 400] [--top 30]
    .venv/bin/python bench/profile_request.py --scenario autosave --no-profile

Uses coursework_load.py's database (scribetree_bench: run that once first) and its sessions, and
calls Django's WSGI handler directly (no HTTP, no gunicorn), rotating the Host over the
institutions that hold data, as the load bench does. Prints wall and CPU ms per request for this
process, the PostgreSQL backend's CPU per request (read from /proc), and, unless --no-profile, the
functions with the most cumulative and own time. A development tool for finding the cost; the
figures that count come from coursework_load.py under load.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_cache_url, setup_django  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="scribetree_bench")
    parser.add_argument("--scenario", choices=["write", "autosave", "home", "dashboard"], default="dashboard")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--institutions", type=int, default=100)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--cold-home", action="store_true", help="as coursework_load.py --cold-home")
    parser.add_argument("--dump", metavar="FILE", help="also write the raw profile (pstats) to FILE")
    parser.add_argument("--cold", type=int, default=0, metavar="N",
                        help="only the first N requests of a fresh process (what a new gunicorn worker pays): "
                             "the wall time of each, and (unless --no-profile) their profile")
    return parser.parse_args(argv)


def backend_ticks():
    """CPU ticks of every PostgreSQL backend of our database (this process has one)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def main(argv=None):
    args = parse_args(argv)
    setup_django(args.db, CACHE_URL=bench_cache_url())  # Redis as in production, when it answers
    import django

    django.setup()
    from django.db import connection

    from bench.coursework_load import autosave_students, ensure_data, page_targets, sign_in_everyone, visit_homes

    class Args:
        institutions, with_data = 1000, args.institutions

    rng = random.Random(7)
    institutions = ensure_data(Args, print)
    people = sign_in_everyone(institutions)
    if not args.cold_home:
        visit_homes(institutions[:args.institutions])
    connection.close()
    from scribetree.wsgi import application as app  # as gunicorn loads it: set up and warmed up

    if args.scenario == "autosave":
        state = {}
        rows = autosave_students(people, rng)

        def next_environ(i):
            host, submission, cookie, token, base, quoted = rows[i % len(rows)]
            base = state.get((host, submission), base)
            body = urlencode({"base_revision": base, "active_seconds": 3, "typed_chars": 5,
                              "pasted_chars": 0}).encode() + b"&text=" + quoted.encode() + b"+word"
            state[host, submission] = base + 1
            return {"REQUEST_METHOD": "POST", "PATH_INFO": f"/write/{submission}/autosave", "HTTP_HOST": host,
                    "HTTP_COOKIE": cookie, "HTTP_X_CSRFTOKEN": token, "HTTP_HX_REQUEST": "true",
                    "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
                    "wsgi.input": io.BytesIO(body)}
    else:
        lines = page_targets(people, args.scenario, rng)

        def next_environ(i):
            host, path, cookie = lines[i % len(lines)]
            return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "HTTP_HOST": host, "HTTP_COOKIE": cookie,
                    "wsgi.input": io.BytesIO(b"")}

    base = {"QUERY_STRING": "", "SCRIPT_NAME": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "bench",
            "HTTP_ACCEPT": "text/html", "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False}
    statuses, reported = {}, []

    def call(i):
        environ = dict(base, **next_environ(i))

        def start_response(status, headers, exc_info=None):
            statuses[status] = statuses.get(status, 0) + 1

        result = app(environ, start_response)
        body = b"".join(result)
        result.close()
        if (len(statuses) > 1 or not next(iter(statuses)).startswith("200")) and not reported:
            reported.append(body)
            print(f"first unexpected answer to {environ['PATH_INFO']}: {statuses}: {body[:400]!r}")

    profiler = None if args.no_profile else cProfile.Profile()
    if args.cold:
        for i in range(args.cold):
            began = time.perf_counter()
            if profiler:
                profiler.enable()
            call(i)
            if profiler:
                profiler.disable()
            print(f"  request {i + 1} (a new institution): {(time.perf_counter() - began) * 1000:.1f} ms")
        if profiler:
            print_profile(profiler, args.top)
        return
    for i in range(min(args.requests, 200)):  # warm-up: every institution and template met
        call(i)
    statuses.clear()
    ticks = backend_ticks()
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for i in range(args.requests):
        call(200 + i)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    db_ms = (backend_ticks() - ticks) * 1000 / os.sysconf("SC_CLK_TCK")
    n = args.requests
    print(f"{args.scenario}: {n} requests, statuses {statuses}")
    print(f"  per request: wall {wall * 1000 / n:.2f} ms, Python CPU {cpu * 1000 / n:.2f} ms, "
          f"PostgreSQL CPU {db_ms / n:.2f} ms{' (profiled: Python is slower)' if profiler else ''}")
    if profiler:
        print_profile(profiler, args.top)
        if args.dump:
            profiler.dump_stats(args.dump)


def print_profile(profiler, top):
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(out.getvalue())


if __name__ == "__main__":
    main()

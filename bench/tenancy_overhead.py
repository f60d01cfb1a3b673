"""Requests/s for a database-free page through the whole stack: our tenant middleware vs plain Django.

    .venv/bin/python bench/tenancy_overhead.py [--rounds 100] [--requests 400] [--http-rounds 8] [--http-seconds 4]

Variants (same project, same URLconf, same view: tenants.views.healthz):
- plain:  bench/settings_plain.py: no tenant middleware, Django's own backend, no tenant router.
- ours:   scribetree.settings: tenants.middleware.InstitutionMiddleware (Host: an institution).
- stock:  bench/settings_stock.py: django-tenants' TenantMainMiddleware, for reference.

1. In-process WSGI: one process per variant builds a WSGI environ and calls Django's handler
   directly (no HTTP parsing, no sockets: the tenancy cost is not diluted). The parent runs the
   rounds one at a time, rotating which variant goes first, so only one variant uses the CPU at
   any moment and slow drift (thermal, noisy neighbours) hits each variant alike. Every variant's
   process holds an open database connection, as a process serving other pages would. Reported:
   median req/s over rounds, the median of the per-round ratios to plain, and the ratio of the
   best rounds (the least disturbed by other work).
2. Over HTTP (unless --http-rounds 0 or wrk is missing): gunicorn, 2 sync workers per variant on
   127.0.0.1, loaded by wrk in alternating rounds. Here gunicorn's own HTTP handling is counted
   too, so the ratio is closer to 1; wrk shares the 2 cores with the server.
Each variant's page is checked (200, "ok", and for ours that the institution was selected).
"""

import argparse
import io
import json
import os
import re
import select
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

VARIANTS = {
    "plain": "bench.settings_plain",
    "ours": "scribetree.settings",
    "stock": "bench.settings_stock",
}
DB = "scribetree_bench_web"
PATH = "/healthz"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DB)
    parser.add_argument("--rounds", type=int, default=100, help="in-process rounds per variant")
    parser.add_argument("--requests", type=int, default=400, help="requests per in-process round")
    parser.add_argument("--http-rounds", type=int, default=8, help="wrk rounds per variant (0: skip HTTP)")
    parser.add_argument("--http-seconds", type=int, default=4, help="length of one wrk round")
    parser.add_argument("--http-connections", type=int, default=4)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- In-process worker (a child process per variant) ------------------------------------------

def run_worker(variant):
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    app = get_wsgi_application()
    base = {
        "REQUEST_METHOD": "GET", "PATH_INFO": PATH, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": common.WEB_HOST, "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "bench",
        "HTTP_ACCEPT": "*/*", "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    status = []

    def start_response(s, headers, exc_info=None):
        status.append(s)

    def call():
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(b"")
        result = app(environ, start_response)
        body = b"".join(result)
        result.close()
        return body

    body = call()
    # A process that serves other pages too holds a persistent connection (CONN_MAX_AGE), and Django
    # checks it at the end of every request: open it in every variant, or plain Django (whose
    # /healthz never touches the database) would skip work that ours does (its host directory
    # queried the domain table once).
    connection.ensure_connection()
    for _ in range(200):
        call()
    with CaptureQueriesContext(connection) as queries:
        call()
    info = {
        "status": status[0], "body": body.decode()[:40], "queries_per_request": len(queries),
        "schema_after_request": getattr(connection, "schema_name", None),
        "db_connection_open": connection.connection is not None,
        "tenant_middleware": [m for m in settings.MIDDLEWARE if "enant" in m or "nstitution" in m],
    }
    print("ready " + json.dumps(info), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        n = int(cmd[1])
        status.clear()
        t, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            call()
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
        bad = sum(1 for s in status if not s.startswith("200"))
        print(f"{elapsed} {cpu} {bad}", flush=True)


def _readline(proc, timeout):
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise TimeoutError(f"worker {proc.args[-1]} did not answer in {timeout} s")
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"worker {proc.args[-1]} exited: {proc.stderr.read()[-2000:]}")
    return line.strip()


def in_process(args, log):
    procs = {}
    try:
        for variant, settings_module in VARIANTS.items():
            procs[variant] = subprocess.Popen(
                [common.PYTHON, __file__, "--db", args.db, "--worker", variant],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env=common.bench_env(args.db, settings_module=settings_module),
            )
        info = {}
        for variant, proc in procs.items():
            line = _readline(proc, 120)
            assert line.startswith("ready "), line
            info[variant] = json.loads(line[6:])
            log(f"  {variant:6s} {info[variant]}")
            assert info[variant]["status"].startswith("200") and info[variant]["body"] == "ok", info[variant]
        assert info["ours"]["schema_after_request"] == "inst_bench_web", "our middleware did not select the institution"

        rates = {v: [] for v in procs}
        cpu_rates = {v: [] for v in procs}
        names = list(procs)
        for r in range(args.rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for variant in order:
                procs[variant].stdin.write(f"run {args.requests}\n")
                procs[variant].stdin.flush()
                elapsed, cpu, bad = _readline(procs[variant], 300).split()
                if int(bad):
                    raise RuntimeError(f"{variant}: {bad} non-200 responses")
                rates[variant].append(args.requests / float(elapsed))
                cpu_rates[variant].append(args.requests / float(cpu))
            if r % 20 == 19 or r == args.rounds - 1:
                log(f"  round {r + 1:2d}: " + "  ".join(f"{v} {rates[v][-1]:7.0f}/s" for v in names))
        for proc in procs.values():
            proc.stdin.write("quit\n")
            proc.stdin.flush()
    finally:
        for proc in procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return {"wall": summarise(rates, info), "cpu": summarise(cpu_rates, info)}


def summarise(rates, info=None):
    out = {}
    for variant, values in rates.items():
        ratios = [v / p for v, p in zip(values, rates["plain"], strict=True)]
        out[variant] = {
            "req_per_s_median": statistics.median(values),
            "req_per_s_min": min(values),
            "req_per_s_max": max(values),
            "ratio_to_plain_median": statistics.median(ratios),
            "ratio_to_plain_min": min(ratios),
            "ratio_to_plain_max": max(ratios),
            # Each variant's best round: the least disturbed by other work on the machine.
            "ratio_of_best_rounds": max(values) / max(rates["plain"]),
            "rounds": len(values),
        }
        if info:
            out[variant]["queries_per_request"] = info[variant]["queries_per_request"]
    return out


# --- Over HTTP: gunicorn + wrk ----------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port, timeout=60):
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", PATH, headers={"Host": common.WEB_HOST})
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status == 200 and body == b"ok":
                return
            raise RuntimeError(f"port {port}: {response.status} {body[:200]!r}")
        except (ConnectionRefusedError, OSError):
            time.sleep(0.2)
    raise TimeoutError(f"gunicorn on {port} did not start")


def over_http(args, log):
    wrk = shutil.which("wrk")
    if not wrk:
        log("  wrk is not installed (apt-get install wrk): skipping the HTTP comparison")
        return None
    servers, ports = {}, {}
    try:
        for variant, settings_module in VARIANTS.items():
            ports[variant] = _free_port()
            servers[variant] = subprocess.Popen(
                [str(Path(common.PYTHON).parent / "gunicorn"), "scribetree.wsgi:application",
                 "--bind", f"127.0.0.1:{ports[variant]}", "--workers", "2", "--worker-class", "sync",
                 "--log-level", "warning"],
                cwd=common.REPO, env=common.bench_env(args.db, settings_module=settings_module),
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
        for variant in servers:
            _wait_for(ports[variant])
        rates = {v: [] for v in servers}
        names = list(servers)
        for r in range(args.http_rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for variant in order:
                out = subprocess.run(
                    [wrk, "-t1", f"-c{args.http_connections}", f"-d{args.http_seconds}s", "-H",
                     f"Host: {common.WEB_HOST}", f"http://127.0.0.1:{ports[variant]}{PATH}"],
                    capture_output=True, text=True, timeout=args.http_seconds + 30, check=True,
                ).stdout
                if "Non-2xx" in out or "Socket errors" in out:
                    log(f"  {variant}: wrk reported errors:\n{out}")
                rates[variant].append(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)))
            log(f"  http round {r + 1}: " + "  ".join(f"{v} {rates[v][-1]:6.0f}/s" for v in names))
    finally:
        for proc in servers.values():
            proc.terminate()
        for proc in servers.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return summarise(rates)


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return run_worker(args.worker)
    log = print
    common.ensure_database(args.db)
    common.setup_django(args.db)
    common.migrate_public_and_template()
    common.ensure_web_institution(students=0, log=log)
    from django.db import connection

    connection.close()

    load_before, cpu_before = os.getloadavg(), common.cpu_busy_snapshot()
    log(f"In-process WSGI, GET {PATH} Host: {common.WEB_HOST}: {args.rounds} rounds x {args.requests} requests")
    wsgi = in_process(args, log)
    http = over_http(args, log) if args.http_rounds > 0 else None
    data = {"path": PATH, "in_process": wsgi["wall"], "in_process_cpu": wsgi["cpu"], "http": http, "target_ratio": 0.9,
            "requests_per_round": args.requests, "http_seconds": args.http_seconds,
            "http_connections": args.http_connections, "machine": common.machine_info(),
            "load_average_before": load_before, "load_average_after": os.getloadavg(),
            # Whole machine, everyone's work. In-process rounds keep one core busy (~50 %), the HTTP
            # rounds both; more than that is other work sharing the machine.
            "cpu_busy_during_runs": common.busy_fraction(cpu_before, common.cpu_busy_snapshot())}
    common.write_json("tenancy_overhead", data)

    log("")
    for title, result in (("In-process WSGI, wall clock", wsgi["wall"]),
                          ("In-process WSGI, per CPU second of the serving process", wsgi["cpu"]),
                          ("gunicorn (2 sync workers) + wrk", http)):
        if not result:
            continue
        log(f"{title}: GET {PATH}")
        log(f"  {'variant':8s} {'req/s median':>12s} {'min':>8s} {'max':>8s}  ratio to plain (median of rounds;"
            " best rounds)")
        for variant, s in result.items():
            log(f"  {variant:8s} {s['req_per_s_median']:12.0f} {s['req_per_s_min']:8.0f} {s['req_per_s_max']:8.0f}  "
                f"{s['ratio_to_plain_median']:8.3f} (rounds {s['ratio_to_plain_min']:.3f}"
                f"-{s['ratio_to_plain_max']:.3f}; best {s['ratio_of_best_rounds']:.3f})"
                + (f"  {s['queries_per_request']} queries/request" if "queries_per_request" in s else ""))
    return data


if __name__ == "__main__":
    main()

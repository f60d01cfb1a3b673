"""What a fresh gunicorn worker pays on its first requests, against the same worker once warm.

gunicorn recycles a worker after --max-requests; the master forks a new one from the preloaded
application (scribetree/warmup.py already compiled the templates and URL resolvers there). This
starts gunicorn with one worker on the coursework load bench's data (run bench/coursework_load.py
once first), sends one request at a time from a scenario's request list (Host rotated over the 100
institutions), and reports the mean time of each block of requests; then kills the worker, lets
the master fork a new one, and does it again, --cycles times. CPU time of the worker and of the
PostgreSQL backends is reported per block too, so the client's own speed does not muddy it.

    .venv/bin/python bench/cold_worker.py --scenario write --requests 1200 --block 100 --cycles 3

With --recycle-every N, gunicorn itself recycles the worker after N requests (--max-requests N, no
jitter) and the script reports the time of each request that met a recycle: the old worker's exit,
the master's fork of a new one, and that worker's first request, against the median request.

    .venv/bin/python bench/cold_worker.py --scenario home --requests 1500 --recycle-every 300
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.coursework_load import DB, WORK, free_port, http, start_gunicorn, wait_for  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(rest[11]) + int(rest[12])


def postgres_ticks(db_name):
    total = 0
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    for line in out.splitlines()[1:]:
        pid, _, args = line.strip().partition(" ")
        if args.startswith("postgres:") and f" {db_name} " in f" {args} ":
            total += cpu_ticks(int(pid))
    return total


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def recycles(port, lines, args):
    times = []
    for position in range(args.requests):
        host, path, cookie = lines[position % len(lines)]
        started = time.perf_counter()
        status, _, _ = http(port, "GET", host, path, cookie=cookie)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"{host}{path}: {status}")
    # wait_for's /healthz was the worker's first request, so request k (from 0) is its (k + 2)th.
    met = [times[k] for k in range(args.recycle_every - 1, args.requests, args.recycle_every)]
    print(f"median request {statistics.median(times):.1f} ms; the {len(met)} requests that met a recycle: "
          + ", ".join(f"{t:.0f}" for t in met) + " ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="write", choices=["write", "home", "dashboard"])
    parser.add_argument("--requests", type=int, default=1200)
    parser.add_argument("--block", type=int, default=100)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--recycle-every", type=int, default=0,
                        help="let gunicorn recycle the worker after this many requests and time those requests")
    args = parser.parse_args()

    lines = [line.rstrip("\n").split("\t") for line in (WORK / f"{args.scenario}.tsv").open()]
    port = free_port()
    # The load bench's own server command, with one worker and no recycling.
    server_args = argparse.Namespace(workers=1, worker_class="scribetree.gunicorn_worker.SyncWorker",
                                     max_requests=args.recycle_every, max_requests_jitter=0, preload=True, py_spy=None,
                                     db=DB, cache_url=args.cache_url)
    server, _ = start_gunicorn(server_args, port, print)
    try:
        wait_for(port, lines[0][0])
        if args.recycle_every:
            return recycles(port, lines, args)
        for cycle in range(args.cycles):
            worker = children(server.pid)[0]
            print(f"cycle {cycle + 1}: worker {worker}")
            position = 0
            for block in range(args.requests // args.block):
                times = []
                before = cpu_ticks(worker), postgres_ticks(DB)
                for _ in range(args.block):
                    host, path, cookie = lines[position % len(lines)]
                    position += 1
                    started = time.perf_counter()
                    status, _, _ = http(port, "GET", host, path, cookie=cookie)
                    times.append((time.perf_counter() - started) * 1000)
                    if status != 200:
                        raise SystemExit(f"{host}{path}: {status}")
                after = cpu_ticks(worker), postgres_ticks(DB)
                worker_ms = (after[0] - before[0]) * 1000 / HZ / args.block
                pg_ms = (after[1] - before[1]) * 1000 / HZ / args.block
                print(f"  requests {block * args.block + 1:5d}-{(block + 1) * args.block:5d}: "
                      f"mean {statistics.mean(times):6.2f} ms, max {max(times):6.1f} ms; "
                      f"CPU/request worker {worker_ms:5.2f} ms, postgres {pg_ms:5.2f} ms")
            os.kill(worker, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and (not children(server.pid) or children(server.pid)[0] == worker):
                time.sleep(0.05)
            wait_for(port, lines[0][0])
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()

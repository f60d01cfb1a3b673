"""A class of 30 logs in at once: login latency, and what it does to everyone else's pages.

    .venv/bin/python bench/login_storm.py [--window 60] [--students 30] [--workers 3] [--baseline 20]

gunicorn (sync workers) serves the app with production settings on 127.0.0.1. The bench database
has one institution (bench-web.localhost) whose students were made with
accounts.actions.do_create_user and a password. A teacher, signed in beforehand, fetches her
dashboard (/teacher/) steadily, every --interval seconds: first alone for --baseline seconds, then
while each student, at a random moment within --window seconds, opens the login page, posts
email and password with the CSRF token, and follows the redirects to /student/.

Reported: login latency (POST to /student/ page shown; and with the login page GET before it)
p50/p95/max, and the teacher's page p50/p95 without and with the storm. Also the cost of one
password hash with our Argon2 parameters, Django's Argon2 defaults and Django's PBKDF2.
Bounded: students x 4 requests, plus the steady client's requests for baseline + window (+ at
most 60 s for the last logins to finish).
"""

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

DB = "scribetree_bench_web"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DB)
    parser.add_argument("--window", type=float, default=60.0, help="seconds within which the students log in")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--baseline", type=float, default=20.0, help="seconds of the teacher's page alone")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between the teacher's requests")
    parser.add_argument("--seed", type=int, default=20240901)
    parser.add_argument("--hash-rounds", type=int, default=20, help="hashes timed per hasher (PBKDF2: a quarter)")
    return parser.parse_args(argv)


class Browser:
    """One person's browser: its own cookies, one connection per request (sync gunicorn closes them)."""

    def __init__(self, port, host):
        self.port, self.host, self.cookies = port, host, {}

    def request(self, method, path, form=None):
        headers = {"Host": self.host, "User-Agent": "bench-login-storm"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location"), content

    def follow(self, status, location, content, limit=5):
        path = None
        while status in (301, 302, 303) and limit:
            path = urlparse(location).path or "/"
            status, location, content = self.request("GET", path)
            limit -= 1
        return status, path, content

    def log_in(self, email, password):
        """Returns (seconds for the login page, seconds from POST to the page shown, final path)."""
        t0 = time.perf_counter()
        status, _, content = self.request("GET", "/accounts/login/")
        if status != 200:
            raise RuntimeError(f"login page: {status}")
        token = CSRF_INPUT.search(content.decode()).group(1)
        t1 = time.perf_counter()
        result = self.request("POST", "/accounts/login/",
                              {"csrfmiddlewaretoken": token, "login": email, "password": password})
        status, path, content = self.follow(*result)
        t2 = time.perf_counter()
        if status != 200:
            raise RuntimeError(f"{email}: ended with {status} at {path}: {content[:300]!r}")
        return t1 - t0, t2 - t1, path


def steady_client(browser, path, interval, stop, samples):
    """Fetch `path` every `interval` s (fixed schedule, no catching up) until `stop` is set."""
    next_at = time.perf_counter()
    while not stop.is_set():
        t = time.perf_counter()
        status, _, _ = browser.request("GET", path)
        samples.append((t, time.perf_counter() - t, status))
        next_at += interval
        time.sleep(max(0.0, next_at - time.perf_counter()))
        if time.perf_counter() - next_at > interval:
            next_at = time.perf_counter()


def time_hashers(rounds, log):
    from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher

    from accounts.hashers import ScribeArgon2PasswordHasher

    out = {}
    for name, hasher, n in (("ScribeArgon2PasswordHasher (ours)", ScribeArgon2PasswordHasher(), rounds),
                            ("Argon2PasswordHasher (Django default)", Argon2PasswordHasher(), rounds),
                            ("PBKDF2PasswordHasher (Django default)", PBKDF2PasswordHasher(), max(3, rounds // 4))):
        encoded = hasher.encode("correct horse battery staple", hasher.salt())
        times, cpu_times = [], []
        for _ in range(n):
            t, cpu = time.perf_counter(), time.process_time()
            ok = hasher.verify("correct horse battery staple", encoded)
            times.append(time.perf_counter() - t)
            cpu_times.append(time.process_time() - cpu)  # Argon2 lanes run on threads: CPU >= wall
            assert ok
        params = {}
        if hasattr(hasher, "memory_cost"):
            params = {"time_cost": hasher.time_cost, "memory_cost_kib": hasher.memory_cost,
                      "parallelism": hasher.parallelism, "variant": "argon2id"}
        else:
            params = {"iterations": hasher.iterations}
        out[name] = {"verify_ms": {k: v * 1000 if isinstance(v, float) else v
                                   for k, v in common.summary(times).items()},
                     "verify_cpu_ms_median": statistics.median(cpu_times) * 1000, "params": params}
        log(f"  {name:40s} median {statistics.median(times) * 1000:6.1f} ms "
            f"(CPU {statistics.median(cpu_times) * 1000:6.1f} ms)  {params}")
    return out


def main(argv=None):
    args = parse_args(argv)
    log = print
    common.ensure_database(args.db)
    common.setup_django(args.db)
    common.migrate_public_and_template()
    common.ensure_web_institution(students=args.students, log=log)
    from django.db import connection

    connection.close()

    log("Password hash, one verify (in this process):")
    hashes = time_hashers(args.hash_rounds, log)

    env = common.bench_env(args.db)
    log("Collecting static files (production storage needs the manifest)")
    subprocess.run([common.PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=common.REPO,
                   env=env, check=True)
    from bench.tenancy_overhead import _free_port, _wait_for

    port = _free_port()
    server = subprocess.Popen(
        [str(Path(common.PYTHON).parent / "gunicorn"), "scribetree.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--worker-class", common.GUNICORN_WORKER, "--timeout", "60",
         "--log-level", "warning"],
        cwd=common.REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port)
        teacher = Browser(port, common.WEB_HOST)
        _, _, path = teacher.log_in("teacher@bench-web.example", common.STUDENT_PASSWORD)
        assert path == "/teacher/", path
        # Warm every worker (templates, imports, connections, the login path): workers serving a
        # school day are long-lived. Requests go to whichever worker accepts first, so do plenty.
        for i in range(4 * args.workers):
            Browser(port, common.WEB_HOST).log_in(common.student_email(1 + i % args.students),
                                                 common.STUDENT_PASSWORD)
            teacher.request("GET", "/teacher/")

        samples, stop = [], threading.Event()
        steady = threading.Thread(target=steady_client, args=(teacher, "/teacher/", args.interval, stop, samples))
        log(f"Teacher's /teacher/ every {args.interval} s: {args.baseline:.0f} s alone, then with "
            f"{args.students} logins within {args.window:.0f} s ({args.workers} sync workers)")
        load_before = os.getloadavg()
        cpu_before = common.cpu_busy_snapshot()
        steady.start()
        time.sleep(args.baseline)
        cpu_storm = common.cpu_busy_snapshot()
        load_storm = os.getloadavg()
        storm_start = time.perf_counter()
        rng = random.Random(args.seed)
        starts = sorted(rng.uniform(0, args.window) for _ in range(args.students))
        logins, errors = [], []

        def student(i, at):
            time.sleep(max(0.0, storm_start + at - time.perf_counter()))
            try:
                get_s, post_s, final = Browser(port, common.WEB_HOST).log_in(common.student_email(i),
                                                                             common.STUDENT_PASSWORD)
                if final != "/student/":
                    raise RuntimeError(f"student {i} landed on {final}")
                logins.append({"at": at, "login_page_s": get_s, "post_to_student_s": post_s,
                               "total_s": get_s + post_s})
            except Exception as exc:  # noqa: BLE001 - reported below, the run goes on
                errors.append(f"student {i}: {exc}")

        threads = [threading.Thread(target=student, args=(i + 1, at)) for i, at in enumerate(starts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.window + 60)
        storm_end = time.perf_counter()
        cpu_after = common.cpu_busy_snapshot()
        stop.set()
        steady.join(timeout=65)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    baseline = [s[1] for s in samples if s[0] < storm_start]
    during = [s[1] for s in samples if storm_start <= s[0] < storm_end]
    bad = [s for s in samples if s[2] != 200]
    post = [x["post_to_student_s"] for x in logins]
    total = [x["total_s"] for x in logins]

    def ms(values):
        if not values:
            return {}
        return {k: (v * 1000 if isinstance(v, float) else v) for k, v in common.summary(values).items()}

    data = {
        "window_s": args.window, "students": args.students, "gunicorn_sync_workers": args.workers,
        "logins_ok": len(logins), "login_errors": errors,
        "login_post_to_student_ms": ms(post), "login_with_login_page_ms": ms(total),
        "teacher_page_baseline_ms": ms(baseline), "teacher_page_during_storm_ms": ms(during),
        "teacher_page_non_200": len(bad), "steady_interval_s": args.interval,
        "hashers": hashes, "target_login_p95_ms": 1000, "target_hash_ms": 150,
        "load_average_before": load_before, "load_average_at_storm": load_storm,
        "load_average_after": os.getloadavg(),
        # Whole machine, everyone's work: the teacher alone keeps it nearly idle, so a high baseline
        # share means other work was running.
        "cpu_busy_baseline": common.busy_fraction(cpu_before, cpu_storm),
        "cpu_busy_storm": common.busy_fraction(cpu_storm, cpu_after),
        "logins": sorted(logins, key=lambda x: x["at"]),
        "machine": common.machine_info(),
    }
    common.write_json("login_storm", data)

    log("")
    log(f"Login storm: {len(logins)}/{args.students} logins OK within {args.window:.0f} s, "
        f"{args.workers} gunicorn sync workers")
    for label, s in (("login: POST -> /student/ shown", data["login_post_to_student_ms"]),
                     ("login: incl. GET login page", data["login_with_login_page_ms"]),
                     ("teacher page, alone", data["teacher_page_baseline_ms"]),
                     ("teacher page, during storm", data["teacher_page_during_storm_ms"])):
        if s:
            log(f"  {label:32s} p50 {s['p50']:6.0f} ms  p95 {s['p95']:6.0f} ms  max {s['max']:6.0f} ms  (n={s['n']})")
    log(f"  machine CPU busy (everyone): {data['cpu_busy_baseline'] or 0:.0%} before, "
        f"{data['cpu_busy_storm'] or 0:.0%} during the storm; load average {load_before[0]:.1f} -> "
        f"{data['load_average_after'][0]:.1f}")
    if errors or bad:
        log(f"  errors: {errors[:5]} non-200 teacher pages: {len(bad)}")
    return data


if __name__ == "__main__":
    main()

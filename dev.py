#!/usr/bin/env python3
"""Scribe Tree's developer launcher. Standard library only: it runs with a bare `python3` (3.11+).

    python3 dev.py run [--port 8000]    the whole platform with demo data, on this machine
    python3 dev.py test [pytest args]   ruff, then the test suite (pytest -n <CPUs> unless -n given)
    python3 dev.py manage <args>        manage.py in the virtualenv, with the database started
    python3 dev.py bench [args]         bench/run_all.py, with the database started

Every subcommand first makes sure `.venv` exists and holds the pinned requirements
(requirements.txt for run/manage, requirements-dev.txt for test/bench; reinstalled only when the
files change: a hash stamp lives inside .venv), then re-executes itself with the venv's python.

Database: DATABASE_URL when it is set. Otherwise an embedded PostgreSQL kept under .data/ and
reached through a unix socket only (it never listens on TCP, so it cannot clash with a server on
5432): the `pgserver` package's bundled PostgreSQL when installed, else the machine's own
initdb/pg_ctl. Its URL is written to .data/embedded-db-url, which scribetree/settings.py reads, so
`manage.py` works from another terminal while it runs. Several dev.py processes may share it; the
last one to leave stops it and removes that file. SCRIBETREE_EMBEDDED_PG=pgserver|system forces one.

`run` migrates (manage.py migrate_all), seeds the demo (manage.py seed_demo), then supervises the
web server, a Celery worker and Celery beat, prefixing their output and copying it to
.data/logs/<name>.log. Ctrl-C, or any of them dying, stops them all and the embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import hashlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
VENV_PYTHON = VENV_BIN / "python"
DATA = Path(os.environ.get("SCRIBETREE_DATA_DIR") or ROOT / ".data").resolve()
DB_URL_FILE = DATA / "embedded-db-url"
DB_NAME = "scribetree"
CHROMIUM = Path("/usr/bin/chromium")

# Printed after start-up; seed_demo creates these accounts (keep in step with it).
DEMO_PASSWORD = "scribe-demo-2026"  # noqa: S105 (public demo data)
DEMO_INSTITUTIONS = [("northside", "Northside Academy"), ("riverside", "Riverside High School")]

STARTED = time.time()
T0_ENV = "SCRIBETREE_DEV_T0"  # start time, carried across the re-exec into the venv
REEXEC_ENV = "SCRIBETREE_DEV_REEXEC"


OUTPUT_LOCK = threading.Lock()  # one line at a time from dev.py and the children's output pumps


def say(message):
    with OUTPUT_LOCK:
        print(f"==> {message}", flush=True)


def shown(path):
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def fail(message, code=1):
    print(f"dev.py: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


# --- Virtualenv and requirements ----------------------------------------------------------------

def in_venv():
    return Path(sys.prefix).resolve() == VENV.resolve()


def requirement_files(path):
    """The file and every file it pulls in with `-r` (their contents decide the stamp)."""
    files = [path]
    for line in path.read_text().splitlines():
        match = re.match(r"^\s*(?:-r|--requirement)\s*=?\s*(\S+)", line)
        if match:
            files += requirement_files(path.parent / match.group(1))
    return files


def requirements_hash(path):
    digest = hashlib.sha256()
    for included in requirement_files(path):
        digest.update(included.name.encode() + b"\0" + included.read_bytes())
    return digest.hexdigest()


def stamp_path(path):
    return VENV / f".scribetree-installed-{path.name}.sha256"


def ensure_venv():
    if VENV_PYTHON.exists():
        return
    say(f"Creating the virtualenv in {VENV.name}/ with {sys.executable} (Python {sys.version.split()[0]})")
    result = subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(VENV, ignore_errors=True)
        fail("could not create the virtualenv:\n" + (result.stderr or result.stdout).strip()
             + "\nOn Debian/Ubuntu install the venv module first: apt-get install python3-venv")


def ensure_requirements(name, python):
    """pip-install `name` into the venv unless its content (with its -r files) is what we installed."""
    path = ROOT / name
    wanted = requirements_hash(path)
    stamp = stamp_path(path)
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return
    say(f"Installing {name} into {VENV.name}/ (only when it changes; the first time takes a few minutes)")
    result = subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                             "-r", str(path)], cwd=ROOT)
    if result.returncode != 0:
        fail(f"pip could not install {name} (see above). Fix it and run dev.py again.")
    for included in requirement_files(path):  # what it pulled in with -r is installed too
        stamp_path(included).write_text(requirements_hash(included) + "\n")


def enter_venv(requirements, argv):
    """Make the venv current and complete, re-executing this script inside it if needed."""
    if in_venv():
        ensure_requirements(requirements, sys.executable)
        return
    if os.environ.get(REEXEC_ENV):
        fail(f"re-executed with {VENV_PYTHON} but still not inside {VENV}; delete {VENV} and try again.")
    ensure_venv()
    ensure_requirements(requirements, VENV_PYTHON)
    os.environ[REEXEC_ENV] = "1"
    os.environ.setdefault(T0_ENV, repr(STARTED))
    python = str(VENV_PYTHON)
    os.execv(python, [python, str(Path(__file__).resolve()), *argv])  # noqa: S606


# --- Embedded PostgreSQL ------------------------------------------------------------------------

def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_postmaster(pgdata):
    """The socket directory of the server running on `pgdata`, or None."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        pid, socket_dir = int(lines[0]), lines[4].strip()
    except (FileNotFoundError, IndexError, ValueError):
        return None
    return Path(socket_dir) if pid_alive(pid) and socket_dir else None


def wait_for_postmaster(pgdata, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock_dir = running_postmaster(pgdata)
        if sock_dir and "ready" in (pgdata / "postmaster.pid").read_text():
            return sock_dir
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL on {pgdata} did not become ready in {timeout} s")


class PgServerPostgres:
    """PostgreSQL from the `pgserver` wheel. As root it runs the server as a `pgserver` user it creates."""

    label = "the pgserver package"

    def __init__(self):
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset (containers)
            warnings.simplefilter("ignore")
            import pgserver  # ImportError means: try the next way
        self.pgserver = pgserver
        self.pgdata = DATA / "pgserver"

    def start(self):
        DATA.mkdir(parents=True, exist_ok=True)
        server = self.pgserver.get_server(self.pgdata, cleanup_mode=None)
        return Path(server.get_postmaster_info().socket_dir)

    def stop(self):
        user = "pgserver" if os.geteuid() == 0 else None
        self.pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=user)


def find_postgres_bindir():
    """A directory holding initdb and pg_ctl: PATH first, then the usual package locations."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    candidates = [Path(p) for pattern in ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin",
                                          "/opt/homebrew/opt/postgresql*/bin", "/usr/local/opt/postgresql*/bin")
                  for p in glob.glob(pattern)]
    candidates.sort(key=lambda p: [int(n) for n in re.findall(r"\d+", str(p))] or [0], reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


class SystemPostgres:
    """The machine's own initdb/pg_ctl, cluster under .data/postgres-<major>.

    initdb and postgres refuse to run as root, so as root the server runs as the `postgres` system
    user when there is one, else as a `scribetree-pg` user created here; the folders above .data
    get the "others may traverse" bit so that user can reach its data directory.
    """

    label = "this machine's PostgreSQL"

    def __init__(self):
        self.bindir = find_postgres_bindir()
        if self.bindir is None:
            raise LookupError("no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin")
        version = subprocess.run([str(self.bindir / "pg_ctl"), "--version"], capture_output=True, text=True).stdout
        major = (re.findall(r"(\d+)", version) or ["x"])[0]
        self.pgdata = DATA / f"postgres-{major}"
        self.user = self._service_user() if os.geteuid() == 0 else None

    @staticmethod
    def _service_user():
        import pwd

        for name in ("postgres", "scribetree-pg"):
            try:
                return pwd.getpwnam(name)
            except KeyError:
                pass
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "scribetree-pg"],
                       check=True, capture_output=True)
        return pwd.getpwnam("scribetree-pg")

    def _run(self, *args):
        kwargs = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        result = subprocess.run([str(self.bindir / args[0]), *args[1:]], capture_output=True, text=True,
                                cwd="/", **kwargs)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def _socket_dir(self):
        # A unix socket path must stay under ~100 bytes; deep checkouts use a short folder in /tmp.
        if len(str(self.pgdata / ".s.PGSQL.5432")) < 100:
            return self.pgdata
        tag = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:10]
        short = Path(tempfile.gettempdir()) / f"scribetree-pg-{tag}"
        short.mkdir(mode=0o700, exist_ok=True)
        if self.user is not None:
            os.chown(short, self.user.pw_uid, self.user.pw_gid)
        return short

    def _let_user_reach(self, path):
        for folder in [path, *path.parents]:
            mode = folder.stat().st_mode
            if not mode & 0o001:
                folder.chmod(mode | 0o001)

    def start(self):
        if not (self.pgdata / "PG_VERSION").exists():
            self.pgdata.mkdir(parents=True, exist_ok=True)
            self.pgdata.chmod(0o700)
            if self.user is not None:
                os.chown(self.pgdata, self.user.pw_uid, self.user.pw_gid)
                self._let_user_reach(self.pgdata.parent)
            self._run("initdb", "-D", str(self.pgdata), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                      "--no-locale")
        sock_dir = self._socket_dir()
        options = f"-h '' -k {shlex.quote(str(sock_dir))}"
        self._run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.pgdata / "server.log"), "-w", "-t", "60",
                  "-o", options, "start")
        return wait_for_postmaster(self.pgdata)

    def stop(self):
        self._run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop")


class EmbeddedPostgres:
    """One PostgreSQL for this checkout, shared by every dev.py running here.

    The pids of the dev.py processes using it are kept in .data/embedded-db.pids (under a file
    lock); whoever leaves last stops the server. Pids of processes that died without leaving
    (kill -9) are dropped, so a crashed run never keeps the server alive for ever.
    """

    def __init__(self):
        self.kind = None
        self.url = None
        self.lock_path = DATA / "embedded-db.lock"
        self.pids_path = DATA / "embedded-db.pids"

    def _locked(self):
        import fcntl

        DATA.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_path, "a+")  # noqa: SIM115 (closed in _unlock)
        fcntl.flock(handle, fcntl.LOCK_EX)
        return handle

    def _users(self):
        try:
            pids = {int(p) for p in self.pids_path.read_text().split()}
        except FileNotFoundError:
            pids = set()
        return {pid for pid in pids if pid_alive(pid)}

    def _write_users(self, pids):
        self.pids_path.write_text("".join(f"{pid}\n" for pid in sorted(pids)))

    @staticmethod
    def _choose():
        reasons = []
        kinds = {"pgserver": [PgServerPostgres], "system": [SystemPostgres]}.get(
            os.environ.get("SCRIBETREE_EMBEDDED_PG", ""), [PgServerPostgres, SystemPostgres])
        for kind in kinds:
            try:
                return kind()
            except (ImportError, LookupError) as exc:
                reasons.append(f"{kind.label}: {exc}")
        fail("no PostgreSQL to start here (" + "; ".join(reasons) + ").\n"
             "Either install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install "
             "postgresql), or point dev.py at a server you have:\n"
             "  DATABASE_URL=postgres://user:password@host:5432/scribetree python3 dev.py run")

    def start(self):
        lock = self._locked()
        try:
            self.kind = self._choose()
            users = self._users()
            sock_dir = running_postmaster(self.kind.pgdata)
            if sock_dir is None:
                say(f"Starting the embedded PostgreSQL ({self.kind.label}, data in {shown(self.kind.pgdata)})")
                sock_dir = self.kind.start()
            else:
                say(f"Using the embedded PostgreSQL already running on {self.kind.pgdata.name}")
            self._write_users(users | {os.getpid()})
            self.url = f"postgresql://postgres@/{DB_NAME}?host={sock_dir}"
            DB_URL_FILE.write_text(self.url + "\n")
        finally:
            lock.close()
        return self.url

    def release(self):
        if self.kind is None:
            return
        lock = self._locked()
        try:
            users = self._users() - {os.getpid()}
            self._write_users(users)
            if users:
                say(f"Leaving the embedded PostgreSQL running for dev.py pid(s) {sorted(users)}")
                return
            if running_postmaster(self.kind.pgdata):
                say("Stopping the embedded PostgreSQL")
                try:
                    self.kind.stop()
                except Exception as exc:  # report, but still tidy up what we can
                    print(f"dev.py: stopping PostgreSQL failed: {exc}", file=sys.stderr)
            DB_URL_FILE.unlink(missing_ok=True)
        finally:
            lock.close()
            self.kind = None


def ensure_database_exists(url):
    """Create the database named in `url` when the server has no such database yet."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    name = params.get("dbname")
    try:
        psycopg.connect(url, connect_timeout=10).close()
        return
    except psycopg.OperationalError as exc:
        if not name or f'database "{name}" does not exist' not in str(exc):
            fail(f"cannot connect to the database: {exc}".strip())
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        say(f"Creating database {name}")
        admin.execute(f'CREATE DATABASE "{name}"')


class Database:
    """DATABASE_URL when set, else the embedded PostgreSQL; use as a context manager."""

    def __init__(self, create=True):
        self.create = create
        self.embedded = None

    def __enter__(self):
        url = os.environ.get("DATABASE_URL")
        if not url:
            self.embedded = EmbeddedPostgres()
            try:
                url = self.embedded.start()
            except Exception as exc:
                self.embedded.release()
                fail(f"could not start the embedded PostgreSQL: {exc}\n"
                     "Its log is in .data/pgserver/log or .data/postgres-*/server.log. Other ways out: "
                     "SCRIBETREE_EMBEDDED_PG=system (this machine's PostgreSQL) or DATABASE_URL=postgres://...")
        if self.create:
            ensure_database_exists(url)
        os.environ["DATABASE_URL"] = url
        return url

    def __exit__(self, *exc):
        if self.embedded is not None:
            self.embedded.release()


# --- Processes ----------------------------------------------------------------------------------

def child_env(**extra):
    env = dict(os.environ)
    env.pop(REEXEC_ENV, None)
    env.pop(T0_ENV, None)
    env["PYTHONUNBUFFERED"] = "1"
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def manage(*args, env=None, check=True):
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env or child_env())
    if check and result.returncode != 0:
        fail(f"manage.py {' '.join(args)} failed (exit {result.returncode})", result.returncode)
    return result.returncode


def _die_with_parent():
    """In the child: get SIGTERM if dev.py itself is killed (Linux), so nothing is orphaned."""
    if sys.platform.startswith("linux"):
        import ctypes

        # Best effort: the normal stop path does not need it.
        with contextlib.suppress(Exception):
            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Child:
    """A supervised process in its own session (so its own children can be stopped with it);
    its output is prefixed with its name and copied to .data/logs/<name>.log."""

    def __init__(self, name, argv, env):
        self.name = name
        logs = DATA / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.log = open(logs / f"{name}.log", "a", buffering=1)  # noqa: SIM115 (closed by the pump)
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, errors="replace",
                                     start_new_session=True, preexec_fn=_die_with_parent)
        self.pump = threading.Thread(target=self._pump, daemon=True)

    def _pump(self):
        for line in self.proc.stdout:
            self.log.write(line)
            with OUTPUT_LOCK:
                sys.stdout.write(f"{self.name:>6} | {line}")
                sys.stdout.flush()
        self.log.close()

    def exited(self):
        return self.proc.poll() is not None

    def signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
            return True
        except (ProcessLookupError, PermissionError):
            return False

    def stop(self, grace, force):
        """SIGTERM the main process (Celery then shuts its pool down warmly), then the whole group."""
        if not self.exited():
            self.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while not self.exited() and time.monotonic() < deadline and not force():
            time.sleep(0.1)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not self.signal_group(sig):
                break
            deadline = time.monotonic() + (0 if force() else 3)
            while self.signal_group(0) and time.monotonic() < deadline:
                time.sleep(0.1)
        if not self.exited():
            self.proc.kill()
        self.proc.wait()
        self.pump.join(timeout=2)


class StopRequested:
    """Counts Ctrl-C / SIGTERM / SIGHUP: the first asks for a clean stop, the second forces it."""

    def __init__(self):
        self.count = 0
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._handle)

    def _handle(self, signum, frame):
        self.count += 1
        if self.count == 1:
            print("\n==> Stopping (Ctrl-C again to force)", flush=True)

    def __bool__(self):
        return self.count > 0

    def forced(self):
        return self.count > 1


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))  # noqa: S104 (the dev server listens there too)
        except OSError:
            return False
    return True


def wait_for_port(port, children, stop, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stop and not any(c.exited() for c in children):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.3)
    return False


def banner(port):
    lines = ["", "Scribe Tree is running. Sign in at:"]
    for slug, name in DEMO_INSTITUTIONS:
        lines.append(f"  {name + ':':<24}http://{slug}.localhost:{port}/")
    lines += [
        f"  {'Platform operators:':<24}http://localhost:{port}/admin/",
        "",
        f"Demo accounts (password for all: {DEMO_PASSWORD}), with <slug> = northside or riverside:",
        "  teacher1@<slug>.example, teacher2@<slug>.example           teachers",
        "  student01@<slug>.example ... student30@<slug>.example      students",
        "  privacy@<slug>.example                                     privacy officer",
        "  admin@<slug>.example                                       institution admin (asks for 2FA setup)",
        f"  operator@scribetree.example  at http://localhost:{port}/admin/  platform operator (asks for 2FA setup)",
        "",
        "*.localhost resolves to this machine in browsers; for curl add: -H 'Host: northside.localhost'",
        f"Logs: {DATA / 'logs'}/{{web,worker,beat}}.log. Ctrl-C stops everything.",
        "",
    ]
    with OUTPUT_LOCK:
        print("\n".join(lines), flush=True)


# --- Subcommands --------------------------------------------------------------------------------

def cmd_run(args):
    if not port_free(args.port):
        fail(f"port {args.port} is already in use (another `dev.py run`?). Stop it, or use --port.")
    with Database() as url:
        env = child_env(DATABASE_URL=url, DEBUG=os.environ.get("DEBUG", "1"))
        for folder in ("broker", "broker-processed", "broker-control"):
            (DATA / folder).mkdir(parents=True, exist_ok=True)
        say("Migrating public, the template schema and every institution (manage.py migrate_all)")
        started = time.monotonic()
        manage("migrate_all", "-v", "0", env=env)
        say(f"Migrated in {time.monotonic() - started:.1f} s; seeding the demo data (manage.py seed_demo)")
        manage("seed_demo", "--password", DEMO_PASSWORD, env=env)
        return supervise(args.port, env)


def supervise(port, env):
    celery = [str(VENV_BIN / "celery"), "-A", "scribetree"]
    specs = [
        ("web", [sys.executable, "manage.py", "runserver", f"0.0.0.0:{port}"]),
        ("worker", [*celery, "worker", "-l", "info", "--concurrency", "2"]),
        ("beat", [*celery, "beat", "-l", "info", "-s", str(DATA / "celerybeat-schedule")]),
    ]
    stop = StopRequested()
    children = [Child(name, argv, env) for name, argv in specs]
    for child in children:  # after every fork: preexec_fn and running threads do not mix
        child.pump.start()
    code = 0
    try:
        if wait_for_port(port, children, stop):
            banner(port)
        elif not stop:
            say(f"The web server is not answering on port {port} yet; see its output above.")
        while not stop:
            dead = next((c for c in children if c.exited()), None)
            if dead is not None:
                code = dead.proc.returncode or 1
                say(f"{dead.name} exited (code {dead.proc.returncode}); stopping the others")
                break
            time.sleep(0.3)
    finally:
        for child in children:  # the web server first, the worker last (it may be mid-task)
            child.stop(grace=20 if child.name == "worker" else 5, force=stop.forced)
    return code


def ensure_chromium():
    """Return None when /usr/bin/chromium runs, else a one-line reason browser tests are skipped."""
    if not CHROMIUM.exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"Installing Chromium for the browser tests (apt-get; log in {DATA / 'apt.log'})")
        DATA.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        with open(DATA / "apt.log", "a") as log:
            for argv in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
                if subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env=env).returncode != 0:
                    break
    if not CHROMIUM.exists():
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            return f"{CHROMIUM} is missing and dev.py can only install it as root with apt-get; install Chromium there"
        return f"{CHROMIUM} is missing and `apt-get install chromium` did not provide it (see {DATA / 'apt.log'})"
    try:
        result = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--version"], capture_output=True,
                                text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{CHROMIUM} does not start: {exc}"
    if result.returncode != 0:
        first = (result.stderr or result.stdout).strip().splitlines()[:1]
        return f"{CHROMIUM} does not start: {first[0] if first else f'exit {result.returncode}'}"
    return None


def has_worker_count(pytest_args):
    return any(a in ("-n", "--numprocesses") or a.startswith("--numprocesses=") or re.match(r"^-n\S", a)
               or a == "no:xdist" for a in pytest_args)


def cpu_count():
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:
        count = os.cpu_count() or 1
    return max(2, count)


def cmd_test(args):
    reason = ensure_chromium()
    if reason:
        say(f"Browser tests will be skipped (or fail when CI=true): {reason}")
        os.environ["SCRIBETREE_BROWSER_MISSING"] = reason
    os.environ["SCRIBETREE_TESTING"] = "1"
    say("ruff check .")
    lint = subprocess.run([str(VENV_BIN / "ruff"), "check", "."], cwd=ROOT, env=child_env())
    if lint.returncode != 0:
        say("ruff found problems (above); fix them, or `.venv/bin/ruff check --fix .`. Tests not run.")
        return lint.returncode
    pytest_args = list(args.extra)
    if not has_worker_count(pytest_args):
        # loadscope: each test class runs on one worker, so its setUpTestData (the demo seed's takes
        # a minute) runs once, not once per worker. (loadgroup did not group here: xdist 3.8.)
        pytest_args = ["-n", str(cpu_count()), "--dist", "loadscope", *pytest_args]
    with Database(create=False) as url:
        argv = [sys.executable, "-m", "pytest", *pytest_args]
        say(" ".join(shlex.quote(a) for a in ["python", *argv[1:]]))
        started = time.monotonic()
        pytest = subprocess.Popen(argv, cwd=ROOT, env=child_env(DATABASE_URL=url))
        # Ctrl-C reaches pytest itself (same process group) and it reports what ran: dev.py waits for it,
        # then stops the database. A SIGTERM for dev.py (a CI timeout) is passed on to pytest.
        previous = {signal.SIGINT: signal.signal(signal.SIGINT, lambda *_: None),
                    signal.SIGTERM: signal.signal(signal.SIGTERM, lambda signum, _: pytest.send_signal(signum))}
        try:
            code = pytest.wait()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    say(f"pytest exited {code} after {time.monotonic() - started:.1f} s")
    return code


def cmd_manage(args):
    with Database() as url:
        env = child_env(DATABASE_URL=url, DEBUG=os.environ.get("DEBUG", "1"))
        return manage(*args.extra, env=env, check=False)


def cmd_bench(args):
    script = ROOT / "bench" / "run_all.py"
    if not script.exists():
        fail("bench/run_all.py does not exist yet: there are no benchmarks to run.")
    with Database() as url:
        return subprocess.run([sys.executable, str(script), *args.extra], cwd=ROOT,
                              env=child_env(DATABASE_URL=url)).returncode


def parse(argv):
    """`run` has options; test, manage and bench hand every argument on untouched (even `-k x`)."""
    if argv and argv[0] in ("test", "manage", "bench"):
        return argparse.Namespace(command=argv[0], extra=argv[1:])
    if not argv or argv[0] != "run":
        print(__doc__)
        sys.exit(0 if argv and argv[0] in ("-h", "--help", "help") else 2)
    parser = argparse.ArgumentParser(prog="python3 dev.py run", description="The platform with demo data.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    args = parser.parse_args(argv[1:])
    args.command = "run"
    return args


COMMANDS = {"run": (cmd_run, "requirements.txt"), "test": (cmd_test, "requirements-dev.txt"),
            "manage": (cmd_manage, "requirements.txt"), "bench": (cmd_bench, "requirements-dev.txt")}


def main(argv):
    if sys.version_info < (3, 11):  # noqa: UP036 (a bare python3 may be older than the project)
        fail(f"dev.py needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    args = parse(argv)
    handler, requirements = COMMANDS[args.command]
    enter_venv(requirements, argv)
    os.chdir(ROOT)
    t0 = float(os.environ.pop(T0_ENV, STARTED))
    os.environ.pop(REEXEC_ENV, None)
    try:
        code = handler(args)
    except KeyboardInterrupt:
        code = 130
    if code < 0:  # killed by a signal: report it the way a shell does
        code = 128 - code
    if args.command == "test":
        say(f"dev.py test: exit {code}, wall time {time.time() - t0:.1f} s")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

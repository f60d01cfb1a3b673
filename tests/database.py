"""One test database build shared by every pytest-xdist worker.

The first worker to arrive (under a file lock) builds a template database: public migrated,
the template schema migrated, and the `northside` and `riverside` institutions provisioned.
Its name carries a fingerprint of every migration file and of this module, so it is rebuilt only
when those change. Each worker then gets its own copy with CREATE DATABASE ... TEMPLATE, which
takes well under a second, instead of running every migration again.
"""

import hashlib
import os
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, connections
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
TEST_INSTITUTIONS = [
    # slug, name, domain, settings
    ("northside", "Northside Academy", "northside.localhost", {"gdpr": True, "ferpa": True}),
    ("riverside", "Riverside High School", "riverside.localhost", {"ferpa": True, "ccpa": True,
                                                                   "brand_colour": "#7a3b69"}),
]


def fingerprint():
    digest = hashlib.sha256()
    migrations = [*ROOT.glob("*/migrations/*.py"), *ROOT.glob("integrations/*/migrations/*.py")]
    for path in sorted(migrations):
        digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update((ROOT / "tenants" / "provisioning.py").read_bytes())
    return digest.hexdigest()[:10]


def _admin_connection():
    params = dict(connection.get_connection_params())
    params["dbname"] = "postgres"
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params.pop("server_side_binding", None)
    return psycopg.connect(**params, autocommit=True)


def _exists(cur, name):
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cur.fetchone() is not None


def _use_database(name):
    for conn in connections.all():
        conn.close()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _build(name):
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from accounts.actions import privacy_office_group
    from tenants.actions import do_create_institution
    from tenants.provisioning import provision

    _use_database(name)
    call_command("migrate_all", verbosity=0)
    for slug, inst_name, domain, extra in TEST_INSTITUTIONS:
        institution, job = do_create_institution(
            inst_name, slug, domain=domain, admin_email=f"setup-admin@{slug}.example", acting_user=None,
            run_now=True, **extra,
        )
        provision(job.pk)
        with tenant_context(institution):
            privacy_office_group()
    connection.set_schema_to_public()
    for conn in connections.all():
        conn.close()


def setup_worker_database(worker_id):
    """Point Django at this worker's own copy of the template test database; return its name."""
    base = f"test_{settings.DATABASES['default']['NAME']}"
    template = f"{base}_tpl_{fingerprint()}"
    worker_db = f"{base}_{worker_id}_{os.getpid()}"  # unique even when two pytest runs share a server
    lock_dir = ROOT / ".data"
    lock_dir.mkdir(exist_ok=True)
    with FileLock(str(lock_dir / f"{base}.lock")), _admin_connection() as admin:
        cur = admin.cursor()
        if not _exists(cur, template):
            cur.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{base}_tpl_%"])
            for (stale,) in cur.fetchall():
                cur.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
            building = f"{template}_building"
            cur.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{building}"')
            _build(building)
            cur.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        cur.execute(f'DROP DATABASE IF EXISTS "{worker_db}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{worker_db}" TEMPLATE "{template}"')
    _use_database(worker_db)
    return worker_db


def drop_worker_database(name):
    for conn in connections.all():
        conn.close()
    with _admin_connection() as admin:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

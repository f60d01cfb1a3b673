"""Make N institutions exist (real schemas, Institution/Domain/job rows) as fast as possible.

Not the code under test: the template schema is dumped once with pg_dump (schema and rows), its
name is rewritten and the dump is replayed for BATCH schemas per transaction, then the public
rows are inserted in bulk. Fillers are named inst_bench_fill_NNNN and are reused across runs;
when the template's migrations change they are dropped and made again.
"""

import re
import subprocess
import time

from bench.common import database_url

BATCH = 10  # schemas per transaction: ~90 relations each, well inside max_locks_per_transaction=64
SLUG_PREFIX = "bench-fill-"


def filler_slug(i):
    return f"{SLUG_PREFIX}{i:04d}"


def template_fingerprint(cursor, schema):
    cursor.execute(
        f"SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) FROM \"{schema}\".django_migrations"
    )
    return cursor.fetchone()[0]


def _template_dump(db_url, template):
    out = subprocess.run(
        ["pg_dump", "--dbname", db_url, f"--schema={template}", "--inserts", "--no-owner",
         "--no-privileges", "--no-comments"],
        check=True, capture_output=True, text=True,
    ).stdout
    # Drop psql meta-commands (\restrict) and session SETs; keep DDL, rows and setval().
    lines = [ln for ln in out.splitlines() if not ln.startswith("\\") and not ln.startswith("SET ")]
    return "\n".join(lines)


def ensure_fillers(count, *, log=print):
    """Make institutions bench-fill-0001..count exist with complete schemas. Returns seconds spent."""
    import psycopg
    from django.conf import settings
    from django.db import connection

    from tenants.models import Domain, Institution, ProvisioningJob

    started = time.perf_counter()
    template = settings.TENANT_BASE_SCHEMA
    url = database_url(settings.DATABASES["default"]["NAME"])
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        want = template_fingerprint(cursor, template)
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'inst\\_bench\\_fill\\_%' ORDER BY nspname"
        )
        schemas = [r[0] for r in cursor.fetchall()]
        stale = False
        for schema in schemas[:: max(1, len(schemas) // 5)] + schemas[-1:]:
            if template_fingerprint(cursor, schema) != want:
                stale = True
                break
    if stale:
        log(f"  fillers were made from an older template: dropping {len(schemas)} schemas")
        _drop_fillers(url, schemas)
        schemas = []

    have = set(schemas)
    missing = [i for i in range(1, count + 1) if f"inst_{filler_slug(i).replace('-', '_')}" not in have]
    if missing:
        log(f"  creating {len(missing)} filler schemas (pg_dump of the template, replayed {BATCH} per transaction)")
        dump = _template_dump(url, template)
        pattern = re.compile(rf"\b{re.escape(template)}\b")
        with psycopg.connect(url) as conn:
            for start in range(0, len(missing), BATCH):
                with conn.transaction():
                    for i in missing[start:start + BATCH]:
                        schema = f"inst_{filler_slug(i).replace('-', '_')}"
                        conn.execute(pattern.sub(schema, dump))
                if (start // BATCH) % 20 == 0:
                    log(f"    {start + BATCH}/{len(missing)} after {time.perf_counter() - started:.0f} s")
            conn.execute("ANALYZE pg_catalog.pg_class")

    # Public rows for every filler schema (inserted in bulk, no signals: nothing caches them yet).
    existing = set(Institution.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True))
    new = [
        Institution(name=f"Bench filler {i:04d}", slug=filler_slug(i),
                    schema_name=f"inst_{filler_slug(i).replace('-', '_')}", status=Institution.Status.READY)
        for i in range(1, count + 1) if filler_slug(i) not in existing
    ]
    Institution.objects.bulk_create(new, batch_size=500)
    if new:
        rows = {i.slug: i for i in Institution.objects.filter(slug__in=[n.slug for n in new])}
        Domain.objects.bulk_create(
            [Domain(domain=f"{slug}.localhost", tenant=inst, is_primary=True) for slug, inst in rows.items()],
            batch_size=500,
        )
        ProvisioningJob.objects.bulk_create(
            [ProvisioningJob(institution=inst, admin_email=f"admin@{slug}.example", state="done",
                             completed_steps=["schema", "admin", "ready"], attempts=1, method="bench")
             for slug, inst in rows.items()],
            batch_size=500,
        )
    return time.perf_counter() - started


def _drop_fillers(url, schemas):
    import psycopg

    with psycopg.connect(url) as conn:
        for start in range(0, len(schemas), BATCH):
            with conn.transaction():
                for schema in schemas[start:start + BATCH]:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def count_institution_schemas(cursor):
    cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'inst\\_%'")
    return cursor.fetchone()[0]

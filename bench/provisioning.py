"""How long a new institution takes to be ready with N institutions already present.

    .venv/bin/python bench/provisioning.py [--institutions 1000] [--runs 10] [--methods migrate,clone,replay]

Times the whole `tenants.provisioning.provision()` job (schema, admin, open) for each method,
interleaved round by round so drift hits every method alike, each job on a fresh database
connection (a worker's connection is recycled; a fresh one also starts with cold catalog caches).
Then compares each new schema's catalog with the template's (bench/catalog.py).

The N existing institutions are real schemas in the bench database (bench/fillers.py makes them
once and later runs reuse them). The institutions this script provisions are dropped before and
after each run. --profile adds where the time goes inside clone_schema() and migrate_schemas.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

NEW_PREFIX = "bench-new-"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="scribetree_bench", help="bench database (created if missing)")
    parser.add_argument("--institutions", type=int, default=1000, help="institutions present before timing")
    parser.add_argument("--runs", type=int, default=10, help="provisioning jobs timed per method")
    parser.add_argument("--methods", default="migrate,clone,replay")
    parser.add_argument("--profile", action="store_true", help="also show where clone and migrate spend time")
    parser.add_argument("--keep", action="store_true", help="keep the institutions provisioned here")
    return parser.parse_args(argv)


def cleanup_new_institutions():
    from django.db import connection

    from tenants.models import Institution

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'inst\\_bench\\_new\\_%'")
        schemas = [r[0] for r in cursor.fetchall()] + ["zz_bench_profile"]
        for schema in schemas:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    deleted, _ = Institution.objects.filter(slug__startswith=NEW_PREFIX).delete()
    return len(schemas) - 1


def provision_one(method, slug):
    """Create the institution's rows (what the operator's request does), then time provision()."""
    from django.db import connection
    from django.test import override_settings

    from tenants import provisioning
    from tenants.actions import do_create_institution
    from tenants.models import Institution

    connection.close()  # a fresh connection per job, as a worker with recycled connections gets
    connection.set_schema_to_public()
    step_times = {}
    originals = dict(provisioning.STEP_FUNCTIONS)

    def timed(step, fn):
        def run(job, institution):
            t = time.perf_counter()
            fn(job, institution)
            step_times[str(step)] = time.perf_counter() - t
        return run

    with override_settings(PROVISIONING_METHOD=method):
        t0 = time.perf_counter()
        institution, job = do_create_institution(
            f"Bench {slug}", slug, admin_email=f"admin@{slug}.example", admin_name="Bench Admin",
            acting_user=None, run_now=True,
        )
        t1 = time.perf_counter()
        provisioning.STEP_FUNCTIONS.update({s: timed(s, f) for s, f in originals.items()})
        try:
            job = provisioning.provision(job.pk)
        finally:
            provisioning.STEP_FUNCTIONS.update(originals)
        t2 = time.perf_counter()
    connection.set_schema_to_public()
    institution = Institution.objects.get(pk=institution.pk)
    assert institution.is_ready, f"{slug} is not ready after provisioning"
    return {
        "create_rows": t1 - t0,
        "provision": t2 - t1,
        "job_duration_ms": job.duration_ms,
        "steps": step_times,
        "schema": institution.schema_name,
    }


def _kinds(diffs):
    """How many differences of each kind ("relations", "constraints", "row_ids", ...)."""
    kinds = {}
    for line in diffs:
        if line.startswith("..."):
            continue
        kind = line.split(":", 1)[0].split("[", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def check_admin(schema_name, email):
    from django.db import connection
    from django_tenants.utils import schema_context

    from accounts.models import Role, User

    with schema_context(schema_name):
        ok = User.objects.filter(email=email, role=Role.INSTITUTION_ADMIN).exists()
    connection.set_schema_to_public()
    return ok


def profile_clone_and_migrate(log):
    """Where clone_schema() and migrate_schemas spend their time, on one extra schema each."""
    import cProfile
    import pstats

    from django.conf import settings
    from django.db import connection, transaction

    from tenants.provisioning import migrate_into

    out = {}
    connection.close()
    connection.set_schema_to_public()
    # auto_explain reports every statement inside the PL/pgSQL function that takes > 3 ms.
    notices = []
    with transaction.atomic(), connection.cursor() as cursor:
        connection.connection.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        cursor.execute("LOAD 'auto_explain'")
        cursor.execute("SET LOCAL auto_explain.log_min_duration = 3")
        cursor.execute("SET LOCAL auto_explain.log_nested_statements = on")
        cursor.execute("SET LOCAL auto_explain.log_level = notice")
        cursor.execute("SET LOCAL auto_explain.log_format = json")
        t = time.perf_counter()
        cursor.execute("SELECT public.clone_schema(%s, 'zz_bench_profile', 'DATA')", [settings.TENANT_BASE_SCHEMA])
        total = time.perf_counter() - t
        cursor.execute("DROP SCHEMA zz_bench_profile CASCADE")
        transaction.set_rollback(True)
    import json

    statements = []
    for message in notices:
        if not message.startswith("duration:"):
            continue
        ms = float(message.split()[1])
        try:
            text = json.loads(message.split("plan:", 1)[1])["Query Text"]
        except (ValueError, KeyError, IndexError):
            text = message[:80]
        if "clone_schema(" in text:
            continue
        statements.append((ms, " ".join(text.split())[:110]))
    statements.sort(reverse=True)
    out["clone_total_s"] = total
    out["clone_slow_statements_ms"] = sum(ms for ms, _ in statements)
    out["clone_top"] = statements[:6]
    log(f"  clone_schema(): {total * 1000:.0f} ms in all; {len(statements)} catalog statements over 3 ms "
        f"take {out['clone_slow_statements_ms']:.0f} ms:")
    for ms, text in statements[:6]:
        log(f"    {ms:7.1f} ms  {text}")

    connection.close()
    connection.set_schema_to_public()
    profiler = cProfile.Profile()
    t = time.perf_counter()
    profiler.enable()
    migrate_into("zz_bench_profile")
    profiler.disable()
    total = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA zz_bench_profile CASCADE")
    stats = pstats.Stats(profiler).stats

    def cumulative(fragment):
        return max((v[3] for k, v in stats.items() if fragment(k)), default=0.0)

    parts = {
        "waiting for PostgreSQL (all statements)": sum(
            v[2] for k, v in stats.items() if k[2] == "wait" and k[0].endswith("psycopg/connection.py")),
        "rendering migration model states": cumulative(lambda k: k[2] == "render_multiple"),
        "post_migrate (content types, permissions)": cumulative(lambda k: k[2] == "emit_post_migrate_signal"),
        "building the migration graph/loader": cumulative(lambda k: k[2] == "build_graph"),
        "introspecting table names": cumulative(lambda k: k[2] == "table_names"),
    }
    out["migrate_total_s"] = total
    out["migrate_parts_s"] = parts
    log(f"  migrate_schemas: {total * 1000:.0f} ms in all (cProfile adds overhead); overlapping parts:")
    for name, seconds in parts.items():
        log(f"    {seconds * 1000:7.0f} ms  {name}")
    return out


def main(argv=None):
    args = parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    log = print
    created = common.ensure_database(args.db)
    common.setup_django(args.db)

    from django.conf import settings
    from django.db import connection

    from bench import catalog
    from bench.fillers import count_institution_schemas, ensure_fillers

    log(f"Bench database {args.db}{' (created)' if created else ''}; migrating public and the template")
    t = time.perf_counter()
    common.migrate_public_and_template()
    log(f"  {time.perf_counter() - t:.1f} s")
    removed = cleanup_new_institutions()
    if removed:
        log(f"  dropped {removed} institutions left by an earlier run")
    log(f"Making sure {args.institutions} institutions exist")
    seconds = ensure_fillers(args.institutions, log=log)
    with connection.cursor() as cursor:
        present = count_institution_schemas(cursor)
        cursor.execute("SELECT count(*) FROM pg_class")
        pg_class_rows = cursor.fetchone()[0]
    log(f"  {present} institution schemas present ({pg_class_rows} rows in pg_class), {seconds:.1f} s")

    template = settings.TENANT_BASE_SCHEMA
    data_tables = catalog.non_empty_tables(template)
    reference = catalog.describe_schema(template, data_tables=data_tables)

    profile = profile_clone_and_migrate(log) if args.profile else None

    results = {m: [] for m in methods}
    load_before, cpu_before = os.getloadavg(), common.cpu_busy_snapshot()
    log(f"Timing provision() {args.runs}x per method, interleaved: {', '.join(methods)}")
    try:
        for run in range(args.runs):
            order = methods[run % len(methods):] + methods[:run % len(methods)]
            for method in order:
                slug = f"{NEW_PREFIX}{method}-{run:02d}"
                r = provision_one(method, slug)
                r["admin_ok"] = check_admin(r["schema"], f"admin@{slug}.example")
                described = catalog.describe_schema(r["schema"], data_tables=data_tables)
                diffs = catalog.differences(reference, described, limit=200)
                r["catalog_differences"] = diffs
                r["catalog_differences_ignoring_casts"] = catalog.differences(
                    reference, described, limit=200, ignore_casts=True)
                results[method].append(r)
                log(f"  run {run + 1:2d} {method:8s} provision {r['provision'] * 1000:6.0f} ms "
                    f"(schema {r['steps'].get('schema', 0) * 1000:5.0f},"
                    f" admin {r['steps'].get('admin', 0) * 1000:4.0f},"
                    f" ready {r['steps'].get('ready', 0) * 1000:3.0f}) catalog differences: {len(diffs)}"
                    f" ({len(r['catalog_differences_ignoring_casts'])} ignoring casts)")
    finally:
        if not args.keep:
            cleanup_new_institutions()

    summary = {}
    for method, runs in results.items():
        if not runs:
            continue
        prov = common.summary([r["provision"] for r in runs])
        schema = common.summary([r["steps"]["schema"] for r in runs])
        diffs = runs[0]["catalog_differences"]
        summary[method] = {
            "provision_s": prov,
            "schema_step_s": schema,
            "admin_step_s": common.summary([r["steps"]["admin"] for r in runs]),
            "ready_step_s": common.summary([r["steps"]["ready"] for r in runs]),
            "create_rows_s": common.summary([r["create_rows"] for r in runs]),
            "first_run_s": runs[0]["provision"],
            "admin_ok": all(r["admin_ok"] for r in runs),
            "catalog_differences": len(diffs),
            "catalog_differences_ignoring_casts": len(runs[0]["catalog_differences_ignoring_casts"]),
            "catalog_differences_sample": diffs[:8],
            "catalog_difference_kinds": _kinds(diffs),
            "catalog_same_in_every_run": all(r["catalog_differences"] == diffs for r in runs),
        }
    fastest = min(summary, key=lambda m: summary[m]["provision_s"]["p50"])
    data = {
        "institutions_present": present,
        "pg_class_rows": pg_class_rows,
        "runs": args.runs,
        "methods": summary,
        "fastest": fastest,
        "target_s": 1.0,
        "profile": profile,
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "cpu_busy_during_runs": common.busy_fraction(cpu_before, common.cpu_busy_snapshot()),
        "machine": common.machine_info(),
    }
    common.write_json("provisioning", data)

    log("")
    log(f"Provisioning with {present} institutions present ({args.runs} runs each), whole provision() job:")
    log(f"  {'method':8s} {'median':>8s} {'min':>8s} {'max':>8s}   {'schema step':>11s}  {'admin':>6s}"
        "  catalog vs template")
    for method, s in summary.items():
        p = s["provision_s"]
        log(f"  {method:8s} {p['p50'] * 1000:6.0f}ms {p['min'] * 1000:6.0f}ms {p['max'] * 1000:6.0f}ms   "
            f"{s['schema_step_s']['p50'] * 1000:9.0f}ms  {s['admin_step_s']['p50'] * 1000:4.0f}ms  "
            f"{s['catalog_differences']} differences ({s['catalog_differences_ignoring_casts']} ignoring casts)")
    for method, s in summary.items():
        for line in s["catalog_differences_sample"][:4]:
            log(f"    {method}: {line[:160]}")
    log(f"Fastest: {fastest} (median {summary[fastest]['provision_s']['p50'] * 1000:.0f} ms; target < 1000 ms)")
    return data


if __name__ == "__main__":
    main()

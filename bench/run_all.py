"""Run every benchmark, print a summary table and write bench/results/latest.md.

    .venv/bin/python bench/run_all.py            # the full runs (about 15 minutes here)
    .venv/bin/python bench/run_all.py --quick    # short runs, to check the scripts work
    python3 dev.py bench                         # the same, through the launcher

Each script runs in its own process, bounded in time (a timeout here too) and in requests, on
loopback only, against its own scribetree_bench* database. Raw results: bench/results/*.json.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

FULL = {
    "provisioning": ["--institutions", "1000", "--runs", "10", "--profile"],
    "tenancy_overhead": ["--rounds", "100", "--requests", "400", "--http-rounds", "8", "--http-seconds", "4"],
    "login_storm": ["--window", "60", "--students", "30", "--workers", "3"],
    "coursework_load": ["--scenarios", "autosave,write,home,dashboard", "--rounds", "5", "--seconds", "6",
                        "--rate-seconds", "8", "--warmup", "10", "--quiet-wait", "30"],
    "gradebook": [],
    "revision_storage": [],
}
QUICK = {
    "provisioning": ["--institutions", "1000", "--runs", "2"],
    "tenancy_overhead": ["--rounds", "6", "--requests", "500", "--http-rounds", "1", "--http-seconds", "2"],
    "login_storm": ["--window", "10", "--baseline", "5", "--hash-rounds", "4"],
    "coursework_load": ["--rounds", "1", "--seconds", "2", "--rate-seconds", "2", "--warmup", "2",
                        "--quiet-wait", "5"],
    "gradebook": ["--requests", "50", "--warmup", "10"],
    "revision_storage": [],
}
# coursework_load: ~7 minutes, plus ~10 the first time (1,000 schemas, 100 filled, 3,000 sign-ins).
TIMEOUTS = {"provisioning": 1800, "tenancy_overhead": 900, "login_storm": 600, "coursework_load": 2400,
            "gradebook": 900, "revision_storage": 900}


def run(name, args, log):
    command = [common.PYTHON, f"bench/{name}.py", *args]
    log(f"\n=== {' '.join(['.venv/bin/python', *command[1:]])}")
    started = time.monotonic()
    result = subprocess.run(command, cwd=common.REPO, timeout=TIMEOUTS[name])
    seconds = time.monotonic() - started
    if result.returncode != 0:
        log(f"=== {name} failed with exit code {result.returncode}")
        return None, seconds, command
    return json.loads((common.RESULTS / f"{name}.json").read_text()), seconds, command


def fmt_ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def git_state():
    def git(*args):
        return subprocess.run(["git", *args], cwd=common.REPO, capture_output=True, text=True).stdout.strip()

    # Other people's work in progress shares the checkout: name what is uncommitted.
    dirty = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]
    shown = ", ".join(dirty[:6]) + (f" and {len(dirty) - 6} more" if len(dirty) > 6 else "")
    return f"{git('rev-parse', '--short', 'HEAD')}" + (f" (uncommitted changes in {shown})" if dirty else "")


def summary_rows(results):
    rows = []
    p = results.get("provisioning")
    if p:
        fastest = p["methods"][p["fastest"]]
        for method, s in p["methods"].items():
            rows.append((f"New institution ready, {method} ({p['institutions_present']} present)", "< 1 s",
                         f"median {fmt_ms(s['provision_s']['p50'])} (min {fmt_ms(s['provision_s']['min'])}, "
                         f"max {fmt_ms(s['provision_s']['max'])})",
                         "yes" if s["provision_s"]["p50"] < 1.0 else "no"))
        rows.append(("Fastest method", "", p["fastest"], "yes" if fastest["provision_s"]["p50"] < 1.0 else "no"))
    t = results.get("tenancy_overhead")
    if t:
        for label, key in (("in-process WSGI", "in_process"), ("in-process, CPU time", "in_process_cpu"),
                           ("gunicorn + wrk", "http")):
            r = t.get(key)
            if not r:
                continue
            ours, stock = r["ours"]["ratio_to_plain_median"], r["stock"]["ratio_to_plain_median"]
            rows.append((f"/healthz req/s vs plain Django, {label}", ">= 90 %",
                         f"ours {ours:.1%} ({r['ours']['req_per_s_median']:.0f} vs "
                         f"{r['plain']['req_per_s_median']:.0f}/s; best rounds "
                         f"{r['ours'].get('ratio_of_best_rounds', float('nan')):.1%}); stock {stock:.1%}",
                         "yes" if ours >= 0.9 else "no"))
    s = results.get("login_storm")
    if s:
        post, total = s["login_post_to_student_ms"], s["login_with_login_page_ms"]
        rows.append((f"Login p95, {s['students']} students in {s['window_s']:.0f} s", "<= 1 s",
                     f"p50 {post['p50']:.0f} / p95 {post['p95']:.0f} / max {post['max']:.0f} ms "
                     f"(with login page: p95 {total['p95']:.0f} ms); {s['logins_ok']}/{s['students']} OK",
                     "yes" if post["p95"] <= 1000 and total["p95"] <= 1000 and not s["login_errors"] else "no"))
        base, during = s["teacher_page_baseline_ms"], s["teacher_page_during_storm_ms"]
        rows.append(("Other page (teacher dashboard) during storm", "",
                     f"p50 {base['p50']:.0f} -> {during['p50']:.0f} ms, "
                     f"p95 {base['p95']:.0f} -> {during['p95']:.0f} ms",
                     ""))
        ours = s["hashers"]["ScribeArgon2PasswordHasher (ours)"]
        rows.append(("Argon2 hash (ours)", "<= 150 ms",
                     f"{ours['verify_ms']['p50']:.0f} ms (CPU {ours['verify_cpu_ms_median']:.0f} ms)",
                     "yes" if ours["verify_ms"]["p50"] <= 150 else "no"))
    rows += coursework_rows(results)
    return rows


def coursework_rows(results):
    rows = []
    c = results.get("coursework_load")
    if c:
        for name, r in c["scenarios"].items():
            if r.get("p95_ms") is None:
                continue
            met = r["p95_ms"] <= c["target_p95_ms"] and not r["errors"]
            target = f"p95 <= {c['target_p95_ms']} ms"
            if name == "autosave":
                met = met and r["saturation_rps"] >= c["target_autosave_rps"]
                target += f"; >= {c['target_autosave_rps']}/s"
            rows.append((f"Coursework {name}: saturation; p50/p95 at 70 % ({c['rounds']} rounds)", target,
                         f"{r['saturation_rps']:.0f}/s ({r['cpu_ms_per_request']:.1f} ms server CPU/request); "
                         f"{r['p50_ms']:.1f} / {r['p95_ms']:.1f} ms (worst round {r['p95_ms_worst_round']:.0f} ms)",
                         "yes" if met else "no"))
    g = results.get("gradebook")
    if g:
        rows.append((f"Gradebook {g['students']} x {g['assignments']} ({g['cells']} cells)", "p95 <= 150 ms",
                     f"p50 {g['page_ms']['p50']:.1f} / p95 {g['page_ms']['p95']:.1f} ms, "
                     f"{g['queries_per_request']} queries", "yes" if g["page_ms"]["p95"] <= 150 else "no"))
    v = results.get("revision_storage")
    if v:
        phases = v["phases"]
        rows.append((f"Revision storage, {v['saves']} saves of a 3,000-word essay", "far below full copies",
                     f"{phases['writing']['row_bytes']:.0f} B/row writing, {phases['revising']['row_bytes']:.0f} "
                     f"B/row revising (+{v['process_event_bytes_per_revision']:.0f} B process event); "
                     f"{v['ratio_vs_naive']:.0%} of {v['naive_full_copies_bytes'] / 1e6:.1f} MB of full copies",
                     "yes" if v["ratio_vs_naive"] <= 0.25 else "no"))
    return rows


def markdown(results, commands, seconds, quick, plan):
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = common.machine_info()
    lines = [
        "# Benchmark results",
        "",
        f"{now}, commit {git_state()}, {machine.get('cpu', '?')} x {machine['cpus']} CPUs, "
        f"Python {machine['python']}. {'QUICK run (short, not for quoting). ' if quick else ''}"
        "Produced by `.venv/bin/python bench/run_all.py`; raw numbers in `bench/results/*.json`.",
        "",
        "The machine is shared: other work was running at the same time (load averages below), so",
        "treat differences of a few percent as noise.",
        "",
        "| What | Target | Measured | Met |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in summary_rows(results)]
    lines += ["", "Commands:", ""]
    for name in plan:
        command = " ".join([".venv/bin/python", f"bench/{name}.py", *plan[name]])
        if name in commands:
            lines.append(f"- `{command}` ({seconds[name]:.0f} s)")
        elif name in results:
            lines.append(f"- `{command}` (not run this time: results of {results[name].get('generated_at', '?')})")

    p = results.get("provisioning")
    if p:
        lines += ["", "## Provisioning", "",
                  f"{p['institutions_present']} institution schemas present ({p['pg_class_rows']} rows in pg_class); "
                  f"{p['runs']} runs per method, interleaved; each job on a fresh connection. Load average "
                  f"{p['load_average_before'][0]:.1f} -> {p['load_average_after'][0]:.1f}, machine CPU busy "
                  f"{(p['cpu_busy_during_runs'] or 0):.0%} (everyone's work). Whole `provision()` job "
                  "(schema, admin, open):", "",
                  "| Method | Median | Min | Max | Schema step (median) | Admin step | First run | "
                  "Catalog differences vs template (ignoring casts) |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for method, s in p["methods"].items():
            lines.append(
                f"| {method} | {fmt_ms(s['provision_s']['p50'])} | {fmt_ms(s['provision_s']['min'])} | "
                f"{fmt_ms(s['provision_s']['max'])} | {fmt_ms(s['schema_step_s']['p50'])} | "
                f"{fmt_ms(s['admin_step_s']['p50'])} | {fmt_ms(s['first_run_s'])} | "
                f"{s['catalog_differences']} ({s['catalog_differences_ignoring_casts']}) |")
        lines += ["", "Catalog comparison (bench/catalog.py) of each new schema, right after provisioning, with the "
                  "template: relations, columns, defaults, identities, constraints (and whether foreign keys point "
                  "into the schema itself), indexes, sequences and their state, comments, grants, and the rows of "
                  "the tables the template fills. `row_ids`: the same rows numbered otherwise (a template migrated "
                  "step by step as migrations arrived vs a schema migrated at once); differences that vanish "
                  "\"ignoring casts\" are the same predicate written with its casts elsewhere after being parsed "
                  "again."]
        for method, s in p["methods"].items():
            if s["catalog_differences_sample"]:
                kinds = ", ".join(f"{k} {n}" for k, n in s.get("catalog_difference_kinds", {}).items())
                lines += ["", f"{method}: {s['catalog_differences']} differences ({kinds}); first ones:", ""]
                lines += [f"- `{d[:200]}`" for d in s["catalog_differences_sample"][:6]]
        prof = p.get("profile")
        if prof:
            lines += ["", "Where the time goes:", "",
                      f"- `clone_schema()`: {fmt_ms(prof['clone_total_s'])}; its catalog statements over 3 ms take "
                      f"{prof['clone_slow_statements_ms']:.0f} ms. Slowest:"]
            lines += [f"  - {ms:.0f} ms: `{text[:100]}`" for ms, text in prof["clone_top"][:5]]
            lines.append(f"- `migrate_schemas` (under cProfile): {fmt_ms(prof['migrate_total_s'])}; parts overlap:")
            lines += [f"  - {fmt_ms(v)}: {k}" for k, v in prof["migrate_parts_s"].items()]

    t = results.get("tenancy_overhead")
    if t:
        lines += ["", "## Tenancy overhead (GET /healthz, no database)", "",
                  f"Load average {t['load_average_before'][0]:.1f} -> {t['load_average_after'][0]:.1f}; machine "
                  f"CPU busy {(t['cpu_busy_during_runs'] or 0):.0%} (everyone's work; the in-process rounds "
                  "alone keep one of the two cores busy, i.e. ~50 %).", ""]
        for label, key in (("In-process WSGI (wall clock)", "in_process"),
                           ("In-process WSGI (per CPU second of the serving process)", "in_process_cpu"),
                           ("gunicorn, 2 sync workers, wrk -t1 -c4 on loopback", "http")):
            r = t.get(key)
            if not r:
                continue
            lines += [f"{label}:", "", "| Variant | req/s median | min | max | ratio to plain (median of rounds) | "
                      "per-round ratio range | ratio of best rounds |", "| --- | --- | --- | --- | --- | --- | --- |"]
            for variant, v in r.items():
                lines.append(f"| {variant} | {v['req_per_s_median']:.0f} | {v['req_per_s_min']:.0f} | "
                             f"{v['req_per_s_max']:.0f} | {v['ratio_to_plain_median']:.3f} | "
                             f"{v['ratio_to_plain_min']:.2f}-{v['ratio_to_plain_max']:.2f} | "
                             f"{v.get('ratio_of_best_rounds', float('nan')):.3f} |")
            lines.append("")
        lines.append("plain: bench/settings_plain.py; ours: scribetree.settings (InstitutionMiddleware); stock: "
                     "bench/settings_stock.py (django-tenants' TenantMainMiddleware).")

    s = results.get("login_storm")
    if s:
        lines += ["", "## Login storm", "",
                  f"gunicorn, {s['gunicorn_sync_workers']} sync workers; {s['students']} students log in at random "
                  f"moments within {s['window_s']:.0f} s while a signed-in teacher fetches /teacher/ every "
                  f"{s['steady_interval_s']} s. Load average {s['load_average_before'][0]:.1f} -> "
                  f"{s['load_average_after'][0]:.1f}; machine CPU busy (everyone's work) "
                  f"{(s['cpu_busy_baseline'] or 0):.0%} before the storm, {(s['cpu_busy_storm'] or 0):.0%} during it.",
                  "",
                  "| Latency | n | p50 | p95 | max |", "| --- | --- | --- | --- | --- |"]
        for label, key in (("Login: POST to /student/ shown", "login_post_to_student_ms"),
                           ("Login incl. GET login page", "login_with_login_page_ms"),
                           ("Teacher page, alone", "teacher_page_baseline_ms"),
                           ("Teacher page, during the storm", "teacher_page_during_storm_ms")):
            v = s[key]
            if v:
                lines.append(f"| {label} | {v['n']} | {v['p50']:.0f} ms | {v['p95']:.0f} ms | {v['max']:.0f} ms |")
        if s["login_errors"]:
            lines += ["", f"Login errors: {s['login_errors'][:5]}"]
        lines += ["", "Password hash (one verify, in one process):", "",
                  "| Hasher | Parameters | median | CPU |", "| --- | --- | --- | --- |"]
        for name, h in s["hashers"].items():
            lines.append(f"| {name} | {h['params']} | {h['verify_ms']['p50']:.0f} ms | "
                         f"{h['verify_cpu_ms_median']:.0f} ms |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs to check the scripts (not for quoting)")
    parser.add_argument("--only", help="comma-separated, of: " + ",".join(FULL))
    args = parser.parse_args(argv)
    log = print
    plan = QUICK if args.quick else FULL
    names = [n for n in plan if not args.only or n in args.only.split(",")]
    results, commands, seconds = {}, {}, {}
    for name in names:
        results[name], seconds[name], commands[name] = run(name, plan[name], log)
    # Keep the other benchmarks' last results in the report when only some were run.
    for name in plan:
        if name not in names and (common.RESULTS / f"{name}.json").exists():
            results[name] = json.loads((common.RESULTS / f"{name}.json").read_text())
    results = {k: v for k, v in results.items() if v}
    report = markdown(results, commands, seconds, args.quick, plan)
    path = common.RESULTS / "latest.md"
    path.write_text(report)
    log("\n" + "\n".join(f"{a:62s} {b:24s} {c}  [{d}]" for a, b, c, d in summary_rows(results)))
    log(f"\nWrote {path.relative_to(common.REPO)}")
    return 0 if all(results.get(n) for n in names) else 1


if __name__ == "__main__":
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    sys.exit(main())

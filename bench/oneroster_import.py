"""How long a OneRoster import takes for a real-sized school (plan = the dry run, apply = the one
transaction that carries it out), and that a second run of the same file plans nothing.

    .venv/bin/python bench/oneroster_import.py [--students 1500] [--classes-per-student 6]

Builds a fresh institution `bench-oneroster` in its own database (scribetree_bench_oneroster),
generates a bulk roster (students, one teacher per 25 students, courses of 3 classes each, every
student in N classes), then times, in this process: reading + planning the zip, applying the plan
(all through the actions, audited), planning the same zip again (must find nothing to do), and a
delta moving 5 % of the students to another class. Writes bench/results/oneroster_import.json.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

DB = "scribetree_bench_oneroster"
SLUG = "bench-oneroster"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DB)
    parser.add_argument("--students", type=int, default=1500)
    parser.add_argument("--classes-per-student", type=int, default=6)
    return parser.parse_args(argv)


def roster(students, per_student, rng):
    from integrations.oneroster.samples.make_sample import enrolment, user

    teachers = max(1, students // 25)
    classes_needed = max(3, students * per_student // 25)
    courses = (classes_needed + 2) // 3
    users = [user(f"t-{i}", "Teacher", f"T{i:04d}", f"t{i}@{SLUG}.example", role="teacher") for i in range(teachers)]
    users += [user(f"s-{i}", "Student", f"S{i:05d}", f"s{i}@{SLUG}.example", identifier=f"B-{i:05d}")
              for i in range(students)]
    course_rows = [{"sourcedId": f"co-{c}", "title": f"Course {c}", "courseCode": f"C{c}"} for c in range(courses)]
    class_rows = [{"sourcedId": f"cl-{c}-{k}", "title": f"Course {c} set {k}", "courseSourcedId": f"co-{c}",
                   "classCode": f"C{c}{k}", "termSourcedIds": "term-1"} for c in range(courses) for k in range(3)]
    enrolments = [enrolment(f"e-t-{n}", row["sourcedId"], f"t-{n % teachers}", "teacher")
                  for n, row in enumerate(class_rows)]
    for i in range(students):
        for c in rng.sample(range(courses), min(per_student, courses)):
            enrolments.append(enrolment(f"e-{i}-{c}", f"cl-{c}-{rng.randrange(3)}", f"s-{i}"))
    return {
        "academicSessions": [{"sourcedId": "term-1", "title": "Autumn 2026", "type": "term"}],
        "courses": course_rows, "classes": class_rows, "users": users, "enrollments": enrolments,
    }


def main(argv=None):
    args = parse_args(argv)
    common.ensure_database(args.db)
    common.setup_django(args.db)
    from django.db import connection
    from django_tenants.utils import tenant_context

    from integrations.oneroster import csvzip
    from integrations.oneroster.applier import apply_plan
    from integrations.oneroster.planner import make_plan
    from integrations.oneroster.samples.make_sample import build_zip
    from tenants.actions import do_create_institution
    from tenants.models import Institution
    from tenants.provisioning import provision

    common.migrate_public_and_template()
    connection.set_schema_to_public()
    old = Institution.objects.filter(slug=SLUG).first()
    if old is not None:
        schema = old.schema_name
        old.delete()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    institution, job = do_create_institution("Bench OneRoster School", SLUG, domain=f"{SLUG}.localhost",
                                             admin_email=f"admin@{SLUG}.example", acting_user=None, run_now=True)
    provision(job.pk)
    institution.refresh_from_db()
    rng = random.Random(1500)
    files = roster(args.students, args.classes_per_student, rng)
    data = build_zip(files)
    result = {"students": args.students, "enrollments": len(files["enrollments"]), "zip_bytes": len(data)}
    with tenant_context(institution):
        from accounts.models import User
        admin = User.objects.get(email=f"admin@{SLUG}.example")
        started = time.perf_counter()
        plan = make_plan(csvzip.read(data))
        result["plan_seconds"] = round(time.perf_counter() - started, 2)
        assert not plan.errors, plan.errors[:3]
        result["changes"] = {k: v for k, v in plan.as_json()["counts"].items() if v}
        counted = [0]

        def count(execute, sql, params, many, context):
            counted[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            apply_plan(plan.as_json(), actor=admin, job_id=0)
            result["apply_seconds"] = round(time.perf_counter() - started, 2)
        result["apply_queries"] = counted[0]
        started = time.perf_counter()
        again = make_plan(csvzip.read(data))
        result["replan_seconds"] = round(time.perf_counter() - started, 2)
        result["replan_changes"] = {k: v for k, v in again.as_json()["counts"].items() if v}
        moved = [dict(e) for e in files["enrollments"] if e["role"] == "student"][:: 20]
        for e in moved:
            course, _, _ = e["classSourcedId"][3:].rpartition("-")
            e.update(classSourcedId=f"cl-{course}-{(int(e['classSourcedId'][-1]) + 1) % 3}", status="active",
                     dateLastModified="2026-10-01T00:00:00Z")
        delta = build_zip({"enrollments": moved}, mode="delta")
        started = time.perf_counter()
        delta_plan = make_plan(csvzip.read(delta))
        apply_plan(delta_plan.as_json(), actor=admin, job_id=0)
        result["delta_moves"] = len(moved)
        result["delta_plan_and_apply_seconds"] = round(time.perf_counter() - started, 2)
    result["machine"] = common.machine_info()
    common.write_json("oneroster_import", result)
    print({k: v for k, v in result.items() if k != "machine"})


if __name__ == "__main__":
    main()

"""Build the demo OneRoster 1.1 CSV zips for Northside (and small rosters for tests).

    python -m integrations.oneroster.samples.make_sample      # rewrites the two zips beside this file

northside-bulk.zip: one school, the Autumn 2026 term, two courses with three classes, the demo's
two teachers and students 01-20 (matched to the demo accounts by email, then linked by sourcedId),
three new students, and an aide (skipped: not a role we import).
northside-delta.zip (after the bulk): Amara moves class, student 33 leaves, a new student joins.
"""

import csv
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = {
    "orgs": ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
    "academicSessions": ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
                         "parentSourcedId", "schoolYear"],
    "courses": ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades",
                "orgSourcedId", "subjects", "subjectCodes"],
    "classes": ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
                "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"],
    "users": ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
              "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
              "agentSourcedIds", "grades", "password"],
    "enrollments": ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId",
                    "role", "primary", "beginDate", "endDate"],
}


def csv_text(name, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS[name], lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in COLUMNS[name]})
    return out.getvalue()


def build_zip(files, mode="bulk", version="1.1"):
    """files: {name: [row dicts]}; files not given are "absent" in the manifest."""
    manifest = [("manifest.version", "1.0"), ("oneroster.version", version)]
    for name in ["academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
                 "demographics", "enrollments", "lineItems", "orgs", "resources", "results", "roles", "users"]:
        manifest.append((f"file.{name}", mode if name in files else "absent"))
    manifest += [("source.systemName", "Scribe Tree sample SIS"), ("source.systemCode", "sample")]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(["propertyName", "value"])
        writer.writerows(manifest)
        archive.writestr("manifest.csv", text.getvalue())
        for name, rows in files.items():
            archive.writestr(f"{name}.csv", csv_text(name, rows))
    return buffer.getvalue()


def user(sid, given, family, email, role="student", identifier="", enabled="true", **extra):
    return {"sourcedId": sid, "enabledUser": enabled, "orgSourcedIds": "org-1", "role": role,
            "username": email, "givenName": given, "familyName": family, "identifier": identifier,
            "email": email, **extra}


def enrolment(sid, class_sid, user_sid, role="student", **extra):
    return {"sourcedId": sid, "classSourcedId": class_sid, "schoolSourcedId": "org-1", "userSourcedId": user_sid,
            "role": role, "primary": "false", **extra}


def northside_files():
    from tenants.management.commands.seed_demo import INSTITUTIONS, student_names

    spec = INSTITUTIONS[0]
    names = list(student_names(0))
    users = [user(f"t-{n}", *name.split(" ", 1), f"teacher{n}@northside.example", role="teacher")
             for n, name in enumerate(spec["teachers"], start=1)]
    users += [user(f"s-{n:02d}", *names[n - 1].split(" ", 1), f"student{n:02d}@northside.example",
                   identifier=f"NO-2026-{n:03d}") for n in range(1, 21)]
    users += [user("s-31", "Noor", "Haddad", "student31@northside.example", identifier="NO-2026-031"),
              user("s-32", "Pavel", "Novak", "student32@northside.example", identifier="NO-2026-032"),
              user("s-33", "Ruth", "Mensah", "student33@northside.example", identifier="NO-2026-033"),
              user("a-1", "Sam", "Aide", "aide1@northside.example", role="aide")]
    classes = [
        {"sourcedId": "c-eng-a", "title": "English 9 - Set A", "courseSourcedId": "eng9", "classCode": "ENG9A",
         "classType": "scheduled", "schoolSourcedId": "org-1", "termSourcedIds": "term-aut"},
        {"sourcedId": "c-eng-b", "title": "English 9 - Set B", "courseSourcedId": "eng9", "classCode": "ENG9B",
         "classType": "scheduled", "schoolSourcedId": "org-1", "termSourcedIds": "term-aut"},
        {"sourcedId": "c-his-a", "title": "History 9 - Set A", "courseSourcedId": "his9", "classCode": "HIS9A",
         "classType": "scheduled", "schoolSourcedId": "org-1", "termSourcedIds": "term-aut"},
    ]
    enrolments = [enrolment("e-t1-eng-a", "c-eng-a", "t-1", "teacher"),
                  enrolment("e-t1-eng-b", "c-eng-b", "t-1", "teacher"),
                  enrolment("e-t2-his-a", "c-his-a", "t-2", "teacher")]
    students = [f"s-{n:02d}" for n in range(1, 21)] + ["s-31", "s-32", "s-33"]
    for i, sid in enumerate(students):
        enrolments.append(enrolment(f"e-{sid}-eng", "c-eng-a" if i % 2 == 0 else "c-eng-b", sid))
        if i < 12:
            enrolments.append(enrolment(f"e-{sid}-his", "c-his-a", sid))
    enrolments.append(enrolment("e-a-1", "c-eng-a", "a-1", "aide"))
    return {
        "orgs": [{"sourcedId": "org-1", "name": spec["name"], "type": "school", "identifier": "NORTHSIDE"}],
        "academicSessions": [
            {"sourcedId": "sy-2026", "title": "2026-2027", "type": "schoolYear", "startDate": "2026-09-01",
             "endDate": "2027-07-15", "schoolYear": "2027"},
            {"sourcedId": "term-aut", "title": "Autumn 2026", "type": "term", "startDate": "2026-09-01",
             "endDate": "2026-12-18", "parentSourcedId": "sy-2026", "schoolYear": "2027"}],
        "courses": [
            {"sourcedId": "eng9", "schoolYearSourcedId": "sy-2026", "title": "English 9", "courseCode": "ENG9",
             "orgSourcedId": "org-1", "subjects": "English"},
            {"sourcedId": "his9", "schoolYearSourcedId": "sy-2026", "title": "History 9", "courseCode": "HIS9",
             "orgSourcedId": "org-1", "subjects": "History"}],
        "classes": classes,
        "users": users,
        "enrollments": enrolments,
    }


def northside_delta_files():
    stamp = "2026-10-01T08:00:00.000Z"
    return {
        "users": [
            user("s-34", "Tomas", "Silva", "student34@northside.example", identifier="NO-2026-034",
                 status="active", dateLastModified=stamp),
            {"sourcedId": "s-33", "status": "tobedeleted", "dateLastModified": stamp},
        ],
        "enrollments": [
            enrolment("e-s-01-eng", "c-eng-b", "s-01", status="active", dateLastModified=stamp),
            enrolment("e-s-34-eng", "c-eng-a", "s-34", status="active", dateLastModified=stamp),
            {"sourcedId": "e-s-02-his", "status": "tobedeleted", "dateLastModified": stamp},
        ],
    }


def main():
    (HERE / "northside-bulk.zip").write_bytes(build_zip(northside_files()))
    (HERE / "northside-delta.zip").write_bytes(build_zip(northside_delta_files(), mode="delta"))
    print(f"Wrote {HERE / 'northside-bulk.zip'} and {HERE / 'northside-delta.zip'}")


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scribetree.settings")
    django.setup()
    main()

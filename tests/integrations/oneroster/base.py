"""A small school's roster in OneRoster CSV, built with the sample generator's writer.

Tara teaches both classes of "Writing" (Autumn 2026); Sam and Cleo are in Set A, Otto in Set B;
Nia is new. The people already at Northside are matched by email on the first import.
"""

from django.core.cache import cache

from integrations.oneroster.actions import do_confirm_roster_import, do_start_roster_import
from integrations.oneroster.models import RosterImport
from integrations.oneroster.samples.make_sample import build_zip, enrolment, user
from tests.base import InstitutionTestCase

STAMP = "2026-10-01T08:00:00.000Z"


def roster_files():
    return {
        "orgs": [{"sourcedId": "org-1", "name": "Northside Academy", "type": "school"}],
        "academicSessions": [{"sourcedId": "term-1", "title": "Autumn 2026", "type": "term",
                              "startDate": "2026-09-01", "endDate": "2026-12-18", "schoolYear": "2027"}],
        "courses": [{"sourcedId": "wri", "title": "Writing", "courseCode": "WRI-9", "orgSourcedId": "org-1"}],
        "classes": [
            {"sourcedId": "wri-a", "title": "Set A", "courseSourcedId": "wri", "classCode": "WA",
             "schoolSourcedId": "org-1", "termSourcedIds": "term-1"},
            {"sourcedId": "wri-b", "title": "Set B", "courseSourcedId": "wri", "classCode": "WB",
             "schoolSourcedId": "org-1", "termSourcedIds": "term-1"},
        ],
        "users": [
            user("u-tara", "Tara", "Teacher", "tara@northside.example", role="teacher"),
            user("u-sam", "Sam", "Student", "sam@northside.example", identifier="NS-1"),
            user("u-cleo", "Cleo", "Classmate", "cleo@northside.example", identifier="NS-2"),
            user("u-otto", "Otto", "Outsider", "otto@northside.example", identifier="NS-3"),
            user("u-nia", "Nia", "Newcomer", "nia@northside.example", identifier="NS-4"),
            user("u-gran", "Gran", "Guardian", "gran@example.com", role="guardian"),
        ],
        "enrollments": [
            enrolment("e-tara-a", "wri-a", "u-tara", "teacher"),
            enrolment("e-tara-b", "wri-b", "u-tara", "teacher"),
            enrolment("e-sam", "wri-a", "u-sam"),
            enrolment("e-cleo", "wri-a", "u-cleo"),
            enrolment("e-otto", "wri-b", "u-otto"),
            enrolment("e-nia", "wri-b", "u-nia"),
        ],
    }


def delta(**files):
    return {name: [{**row, "status": row.get("status", "active"), "dateLastModified": STAMP} for row in rows]
            for name, rows in files.items()}


class RosterTestCase(InstitutionTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()

    def start(self, files, mode="bulk", version="1.1", data=None):
        """Upload as the admin would; the planning task runs when the transaction commits."""
        with self.captureOnCommitCallbacks(execute=True):
            job = do_start_roster_import("roster.zip", data or build_zip(files, mode=mode, version=version),
                                         acting_user=self.person("admin"))
        job.refresh_from_db()
        return job

    def confirm(self, job):
        with self.captureOnCommitCallbacks(execute=True):
            do_confirm_roster_import(job, acting_user=self.person("admin"))
        job.refresh_from_db()
        return job

    def run_import(self, files, mode="bulk", **kwargs):
        job = self.start(files, mode, **kwargs)
        self.assertEqual(job.state, RosterImport.State.PLANNED, job.error or job.errors)
        self.assertEqual(job.errors, [])
        return self.confirm(job)

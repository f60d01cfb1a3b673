from unittest import mock

from allauth.usersessions.models import UserSession
from auditlog.models import LogEntry

from accounts.actions import do_create_user, do_update_person
from accounts.models import Role, User
from coursework.models import Course, Enrolment, Section
from integrations.oneroster import tasks
from integrations.oneroster.models import RosterImport, RosterLink
from integrations.oneroster.samples.make_sample import build_zip, enrolment, user
from tests.base import PASSWORD
from tests.integrations.oneroster.base import RosterTestCase, delta, roster_files

State = RosterImport.State


class BulkImportTests(RosterTestCase):
    def test_the_dry_run_changes_nothing_and_lists_what_would_change(self):
        job = self.start(roster_files())
        self.assertEqual(job.state, State.PLANNED)
        self.assertEqual(job.mode, "bulk")
        counts = job.counts
        self.assertEqual((counts["people_create"], counts["courses_create"], counts["sections_create"],
                          counts["enrol"], counts["errors"]), (1, 1, 2, 6, 0))
        self.assertEqual([p["email"] for p in job.plan["people_create"]], ["nia@northside.example"])
        updates = {p["email"]: p["changes"] for p in job.plan["people_update"]}
        self.assertEqual(updates["sam@northside.example"], {"student_number": ["", "NS-1"]})
        self.assertEqual([s["reason"] for s in job.plan["skipped"]], ["role guardian is not imported"])
        self.assertFalse(User.objects.filter(email="nia@northside.example").exists())
        self.assertFalse(Course.objects.filter(title="Writing").exists())
        self.assertFalse(RosterLink.objects.exists())

    def test_confirming_applies_it_through_the_actions(self):
        job = self.run_import(roster_files())
        self.assertEqual(job.state, State.DONE)
        self.assertEqual(bytes(job.data), b"")  # the roster is not kept after the import
        course = Course.objects.get(title="Writing")
        self.assertEqual((course.term, course.code), ("Autumn 2026", "WRI-9"))
        self.assertEqual(list(course.teachers.all()), [self.person("teacher")])  # not the admin who imported
        self.assertEqual(sorted(course.sections.values_list("name", flat=True)), ["Set A", "Set B"])
        placed = {(e.student.email, e.section.name) for e in Enrolment.objects.filter(course=course)}
        self.assertEqual(placed, {("sam@northside.example", "Set A"), ("cleo@northside.example", "Set A"),
                                  ("otto@northside.example", "Set B"), ("nia@northside.example", "Set B")})
        nia = User.objects.get(email="nia@northside.example")
        self.assertEqual((nia.full_name, nia.role, nia.student_number), ("Nia Newcomer", Role.STUDENT, "NS-4"))
        self.assertFalse(nia.has_usable_password())
        self.assertEqual(LogEntry.objects.get_for_object(nia).first().actor, self.person("admin"))
        enrolment_log = LogEntry.objects.get_for_object(Enrolment.objects.get(student=nia))
        self.assertEqual(enrolment_log.first().actor, self.person("admin"))
        self.assertEqual(RosterLink.objects.get(kind="user", sourced_id="u-sam").object_id, self.person("student").pk)
        self.assertFalse(RosterLink.objects.filter(sourced_id="u-gran").exists())

    def test_the_same_file_again_changes_nothing(self):
        self.run_import(roster_files())
        again = self.start(roster_files())
        self.assertEqual({k: v for k, v in again.counts.items() if v and k != "skipped"}, {})
        self.assertEqual(again.plan["links"], [])

    def test_a_later_bulk_file_deactivates_people_it_no_longer_lists_and_removes_their_places(self):
        self.run_import(roster_files())
        otto = self.person("outsider")
        browser = self.client_for(self.northside)
        self.log_in_with_password(browser, otto.email, PASSWORD)
        self.assertTrue(UserSession.objects.filter(user=otto).exists())
        files = roster_files()
        files["users"] = [u for u in files["users"] if u["sourcedId"] != "u-otto"]
        files["enrollments"] = [e for e in files["enrollments"] if e["sourcedId"] != "e-otto"]
        job = self.run_import(files)
        self.assertEqual([p["email"] for p in job.plan["people_deactivate"]], ["otto@northside.example"])
        otto.refresh_from_db()
        self.assertFalse(otto.is_active)
        self.assertFalse(UserSession.objects.filter(user=otto).exists())
        self.assertFalse(Enrolment.objects.filter(student=otto).exists())
        # People never linked by an import (Pat, Ada) are left alone.
        self.assertTrue(User.objects.get(email="pat@northside.example").is_active)

    def test_a_bulk_file_without_a_class_archives_nothing_but_empties_it(self):
        self.run_import(roster_files())
        files = roster_files()
        files["classes"] = files["classes"][:1]
        files["enrollments"] = [e for e in files["enrollments"] if e["classSourcedId"] == "wri-a"]
        self.run_import(files)
        set_b = Section.objects.get(name="Set B")
        self.assertFalse(Enrolment.objects.filter(section=set_b).exists())
        self.assertFalse(Course.objects.get(title="Writing").is_archived)

    def test_it_keeps_an_admins_role(self):
        files = roster_files()
        files["users"].append(user("u-ada", "Ada", "Admin", "ada@northside.example", role="teacher"))
        job = self.run_import(files)
        self.assertIn("admin role is kept", " ".join(s["reason"] for s in job.plan["skipped"]))
        self.assertEqual(User.objects.get(email="ada@northside.example").role, Role.INSTITUTION_ADMIN)

    def test_oneroster_1_2_roles_file(self):
        files = roster_files()
        for row in files["users"]:
            row.pop("role")
        files["roles"] = [{"userSourcedId": "u-tara", "roleType": "primary", "role": "teacher",
                           "orgSourcedId": "org-1"}]
        files["roles"] += [{"userSourcedId": sid, "roleType": "primary", "role": "student", "orgSourcedId": "org-1"}
                           for sid in ["u-sam", "u-cleo", "u-otto", "u-nia"]]
        from integrations.oneroster.samples import make_sample
        with mock.patch.dict(make_sample.COLUMNS, {
                "users": [c for c in make_sample.COLUMNS["users"] if c != "role"],
                "roles": ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
                          "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"]}):
            data = build_zip(files, version="1.2")
        job = self.start(None, data=data)
        self.assertEqual(job.errors, [])
        self.assertEqual(job.counts["people_create"], 1)
        self.assertEqual(job.counts["enrol"], 6)


class DeltaImportTests(RosterTestCase):
    def setUp(self):
        super().setUp()
        self.run_import(roster_files())

    def test_a_delta_moves_a_student_adds_one_and_removes_a_place(self):
        files = delta(
            users=[user("u-zed", "Zed", "Zephyr", "zed@northside.example")],
            enrollments=[enrolment("e-sam", "wri-b", "u-sam"), enrolment("e-zed", "wri-a", "u-zed")],
        )
        files["enrollments"].append({"sourcedId": "e-cleo", "status": "tobedeleted", "dateLastModified": "x"})
        job = self.run_import(files, mode="delta")
        self.assertEqual(job.mode, "delta")
        sections = {e.student.email: e.section.name for e in Enrolment.objects.select_related("student", "section")}
        self.assertEqual(sections["sam@northside.example"], "Set B")
        self.assertEqual(sections["zed@northside.example"], "Set A")
        self.assertNotIn("cleo@northside.example", sections)
        self.assertIn("otto@northside.example", sections)  # untouched by the delta

    def test_a_delta_deactivates_a_user_to_be_deleted(self):
        files = delta(users=[{"sourcedId": "u-nia", "status": "tobedeleted"}])
        self.run_import(files, mode="delta")
        self.assertFalse(User.objects.get(email="nia@northside.example").is_active)

    def test_a_delta_renames_a_class_and_a_course(self):
        files = delta(courses=[{"sourcedId": "wri", "title": "Creative Writing", "courseCode": "WRI-9"}],
                      classes=[{"sourcedId": "wri-a", "title": "Set Alpha", "courseSourcedId": "wri",
                                "termSourcedIds": "term-1"}])
        self.run_import(files, mode="delta")
        course = Course.objects.get(code="WRI-9")
        self.assertEqual(course.title, "Creative Writing")
        self.assertEqual(sorted(course.sections.values_list("name", flat=True)), ["Set Alpha", "Set B"])

    def test_a_delta_deleting_a_course_archives_it(self):
        self.run_import(delta(courses=[{"sourcedId": "wri", "status": "tobedeleted"}]), mode="delta")
        self.assertTrue(Course.objects.get(code="WRI-9").is_archived)


class RowErrorTests(RosterTestCase):
    def errors(self, files, **kwargs):
        job = self.start(files, **kwargs)
        self.assertEqual(job.state, State.PLANNED)
        return {(e["file"], e["line"], e["message"]) for e in job.errors}, job

    def test_it_lists_each_bad_row_with_its_file_and_line_and_refuses_to_apply(self):
        files = roster_files()
        files["users"][1]["email"] = "not-an-email"  # line 3 (header, Tara, Sam)
        files["users"][2]["enabledUser"] = "perhaps"  # line 4
        files["users"].append(user("u-sam", "Sam", "Again", "sam2@northside.example"))  # line 8: duplicate sourcedId
        files["users"].append(user("u-nn", "", "", "nn@northside.example"))  # line 9
        files["enrollments"].append(enrolment("e-x", "wri-z", "u-otto"))  # line 8: unknown class
        files["enrollments"].append(enrolment("e-y", "wri-a", "u-nobody"))  # line 9: unknown person
        files["enrollments"].append(enrolment("e-z", "wri-a", "u-otto", "teacher"))  # line 10: not a teacher
        files["classes"].append({"sourcedId": "wri-c", "title": "Set C", "courseSourcedId": "nope",
                                 "termSourcedIds": "term-1"})  # line 4
        files["classes"].append({"sourcedId": "wri-d", "title": "Set D", "courseSourcedId": "wri",
                                 "termSourcedIds": "term-9"})  # line 5
        errors, job = self.errors(files)
        lines = {(file, line) for file, line, _ in errors}
        # Sam's and Cleo's enrolments (lines 4, 5) fail with their user rows.
        self.assertEqual(lines, {("users.csv", 3), ("users.csv", 4), ("users.csv", 8), ("users.csv", 9),
                                 ("enrollments.csv", 4), ("enrollments.csv", 5),
                                 ("enrollments.csv", 8), ("enrollments.csv", 9), ("enrollments.csv", 10),
                                 ("classes.csv", 4), ("classes.csv", 5)})
        self.assertIn(("users.csv", 3, "email 'not-an-email' is not a valid address."), errors)
        self.assertIn(("enrollments.csv", 4, "user u-sam has an error in users.csv."), errors)
        admin = self.signed_in_client("admin")
        page = admin.get(f"/admin/integrations_oneroster/rosterimport/{job.pk}/change/")
        self.assertContains(page, "not-an-email")
        self.assertNotContains(page, "Confirm and apply")
        response = admin.post(f"/admin/integrations_oneroster/rosterimport/{job.pk}/confirm/")
        self.assertEqual(response.status_code, 302)
        job.refresh_from_db()
        self.assertEqual(job.state, State.PLANNED)
        self.assertFalse(Course.objects.filter(title="Writing").exists())

    def test_missing_columns_and_files_and_versions(self):
        from integrations.oneroster.samples import make_sample

        with mock.patch.dict(make_sample.COLUMNS, {"users": ["sourcedId", "givenName"]}):
            errors, _ = self.errors(roster_files())
        self.assertIn(("users.csv", 1, "Missing columns: email, enabledUser, familyName."), errors)
        errors, _ = self.errors(roster_files(), version="1.0")
        self.assertIn(("manifest.csv", 1, "OneRoster version 1.0 is not 1.1 or 1.2."), errors)

    def test_a_file_that_is_not_a_roster_fails_with_a_reason(self):
        for data, reason in [(b"PK not really", "not a zip"), (build_zip({}, mode="bulk")[:0] or b"x", "not a zip")]:
            job = self.start(None, data=data)
            self.assertEqual(job.state, State.FAILED)
            self.assertIn(reason, job.error)
        import io
        import zipfile
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("users.csv", "sourcedId\n")
        job = self.start(None, data=buffer.getvalue())
        self.assertIn("no manifest.csv", job.error)


class JobSafetyTests(RosterTestCase):
    def test_a_failure_half_way_applies_nothing(self):
        job = self.start(roster_files())
        from coursework import actions as coursework_actions

        real = coursework_actions.do_enrol_student
        calls = []

        def flaky(*args, **kwargs):
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("worker lost its database")
            return real(*args, **kwargs)

        with mock.patch("integrations.oneroster.applier.do_enrol_student", flaky):
            job = self.confirm(job)
        self.assertEqual(job.state, State.FAILED)
        self.assertIn("nothing was changed", job.error)
        self.assertNotIn("worker lost", job.error)  # the reason is in the log, not on the page
        self.assertFalse(Course.objects.filter(title="Writing").exists())
        self.assertFalse(User.objects.filter(email="nia@northside.example").exists())
        self.assertFalse(RosterLink.objects.exists())
        self.assertEqual(User.objects.get(email="sam@northside.example").student_number, "")

    def test_a_change_after_the_review_sends_it_back_for_review(self):
        job = self.start(roster_files())
        do_create_user("nia@northside.example", "Nia N.", Role.STUDENT, acting_user=None)
        job = self.confirm(job)
        self.assertEqual(job.state, State.PLANNED)
        self.assertIn("changed here since the review", job.error)
        self.assertEqual(job.counts["people_create"], 0)
        self.assertFalse(Course.objects.filter(title="Writing").exists())

    def test_a_redelivered_task_does_not_apply_twice(self):
        job = self.run_import(roster_files())
        do_update_person(self.person("student"), student_number="CHANGED", acting_user=None)
        tasks.apply_roster_import(job.pk)
        tasks.plan_roster_import(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.state, State.DONE)
        self.assertEqual(User.objects.get(email="sam@northside.example").student_number, "CHANGED")

    def test_a_poison_task_gives_up_after_three_attempts(self):
        job = self.start(roster_files())
        RosterImport.objects.filter(pk=job.pk).update(state=State.APPLYING, attempts=RosterImport.MAX_ATTEMPTS)
        tasks.apply_roster_import(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.state, State.FAILED)
        self.assertIn("Gave up", job.error)

    def test_confirming_twice_is_refused(self):
        job = self.run_import(roster_files())
        from django.core.exceptions import ValidationError

        from integrations.oneroster.actions import do_confirm_roster_import
        with self.assertRaises(ValidationError):
            do_confirm_roster_import(job, acting_user=self.person("admin"))


class SampleZipTests(RosterTestCase):
    def test_the_demo_samples_import_cleanly(self):
        from integrations.oneroster.samples.make_sample import HERE

        job = self.start(None, data=(HERE / "northside-bulk.zip").read_bytes())
        self.assertEqual(job.errors, [])
        self.assertEqual(job.counts["courses_create"], 2)
        self.assertEqual(job.counts["sections_create"], 3)
        self.confirm(job)
        self.assertEqual(Course.objects.get(code="ENG9").sections.count(), 2)
        job = self.start(None, data=(HERE / "northside-delta.zip").read_bytes())
        self.assertEqual(job.errors, [])
        self.confirm(job)
        self.assertFalse(User.objects.get(email="student33@northside.example").is_active)
        first = User.objects.get(email="student01@northside.example")
        self.assertEqual(Enrolment.objects.get(student=first, course__code="ENG9").section.name, "English 9 - Set B")


class CrossInstitutionJobTests(RosterTestCase):
    def test_a_northside_job_id_does_nothing_at_riverside(self):
        from django_tenants.utils import tenant_context

        job = self.start(roster_files())
        RosterImport.objects.filter(pk=job.pk).update(state=State.CONFIRMED, confirmed_by=self.person("admin"))
        with tenant_context(self.riverside):
            tasks.apply_roster_import(job.pk)
            tasks.plan_roster_import(job.pk)
            self.assertFalse(Course.objects.filter(title="Writing").exists())
            self.assertFalse(RosterImport.objects.exists())
        job.refresh_from_db()
        self.assertEqual((job.state, job.attempts), (State.CONFIRMED, 0))
        self.assertFalse(Course.objects.filter(title="Writing").exists())

    def test_the_tasks_refuse_to_run_without_an_institution(self):
        from django.db import connection

        from scribetree.celery import MissingInstitution

        job = self.start(roster_files())
        connection.set_schema_to_public()
        try:
            with self.assertRaises(MissingInstitution):
                tasks.apply_roster_import.delay(job.pk)
        finally:
            connection.set_tenant(self.northside)

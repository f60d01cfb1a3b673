"""The privacy office in the institution's admin: request lists, the audit trail per person, holds."""

import csv
import io

from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from privacy.models import PrivacyRequest
from tests.privacy.base import PrivacyTestCase


class OfficeAdminTests(PrivacyTestCase):
    def count(self, client, path):
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        self.assertEqual(response.status_code, 200, path)
        return len(queries), response, "\n".join(q["sql"] for q in queries.captured_queries)

    def test_the_request_list_has_a_pinned_query_count(self):
        officer = self.signed_in_client("privacy_officer")
        self.file("student", PrivacyRequest.Kind.EXPORT)
        queries, _, sql = self.count(officer, "/admin/privacy/privacyrequest/")
        for key in ("classmate", "outsider"):
            self.file(key, PrivacyRequest.Kind.ERASURE)
        more, response, sql = self.count(officer, "/admin/privacy/privacyrequest/")
        # session, officer, its permissions (group and user), the count, the filtered count, the page
        # of requests with subjects; the same for 1 or 3 requests.
        self.assertEqual(more, queries, sql)
        self.assertLessEqual(queries, 9, sql)
        self.assertContains(response, "Otto Outsider")

    def test_the_officer_sees_and_exports_a_persons_audit_trail(self):
        sam = self.person("student")
        self.signed_in_client("teacher").get(f"/teach/submissions/{self.sams_work.pk}/")  # an access, logged
        officer = self.signed_in_client("privacy_officer")
        page = officer.get(f"/admin/privacy/privacyrequest/audit/{sam.pk}/")
        self.assertContains(page, "Audit trail of Sam Student")
        self.assertContains(page, "access")
        self.assertContains(page, "Sam Student — Persuasive essay")
        response = officer.get(f"/admin/privacy/privacyrequest/audit/{sam.pk}.csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        self.assertEqual(rows[0][:3], ["timestamp", "action", "object type"])
        actions = {row[1] for row in rows[1:]}
        self.assertTrue({"create", "update", "access"} <= actions, actions)
        # Only Sam's: nothing about Cleo's work.
        self.assertFalse(any("Cleo" in cell for row in rows for cell in row))

    def test_the_audit_trail_page_has_a_pinned_query_count(self):
        officer = self.signed_in_client("privacy_officer")
        path = f"/admin/privacy/privacyrequest/audit/{self.person('student').pk}/"
        queries, _, sql = self.count(officer, path)
        self.write(self.person("student"), ["More text.", "Even more text."])
        more, _, sql = self.count(officer, path)
        self.assertEqual(more, queries, sql)

    def test_teachers_and_students_cannot_open_it(self):
        path = f"/admin/privacy/privacyrequest/audit/{self.person('student').pk}/"
        self.assertEqual(self.signed_in_client("student").get(path).status_code, 302)
        self.assertEqual(self.signed_in_client("teacher").get(path).status_code, 302)

    def test_riverside_cannot_reach_northsides_admin_pages(self):
        filed = self.file("student", PrivacyRequest.Kind.EXPORT)
        with tenant_context(self.riverside):
            from accounts.actions import do_create_user, privacy_office_group
            from accounts.models import Role

            privacy_office_group()
            ray = do_create_user("ray@riverside.example", "Ray Privacy", Role.PRIVACY_OFFICER, password="x" * 12,
                                 acting_user=None)
        office = self.client_for(self.riverside)
        office.force_login(ray)
        self.assertEqual(office.get("/admin/privacy/privacyrequest/").status_code, 200)
        self.assertNotContains(office.get("/admin/privacy/privacyrequest/"), "Sam Student")
        change = office.get(f"/admin/privacy/privacyrequest/{filed.pk}/change/")
        self.assertNotContains(change, "Sam Student", status_code=change.status_code)
        trail = office.get(f"/admin/privacy/privacyrequest/audit/{self.person('student').pk}/")
        self.assertNotContains(trail, "Sam Student", status_code=trail.status_code)
        # Sam's id may be a Riverside person's id too: whatever it shows is Riverside's, never Sam's.
        csv_response = office.get(f"/admin/privacy/privacyrequest/audit/{self.person('student').pk}.csv")
        self.assertNotContains(csv_response, "Persuasive essay", status_code=csv_response.status_code)
        self.assertNotContains(csv_response, "Sam Student", status_code=csv_response.status_code)
        # And a Northside officer's session does not open Riverside's admin.
        northside_cookie = self.signed_in_client("privacy_officer").cookies["sessionid"].value
        stranger = self.client_for(self.riverside)
        stranger.cookies["sessionid"] = northside_cookie
        self.assertEqual(stranger.get("/admin/privacy/privacyrequest/").status_code, 302)

    def test_teacher_opening_a_students_work_is_access_logged(self):
        self.signed_in_client("teacher").get(f"/teach/submissions/{self.sams_work.pk}/")
        entry = LogEntry.objects.get_for_object(self.sams_work).filter(action=LogEntry.Action.ACCESS).get()
        self.assertEqual(entry.actor, self.person("teacher"))
        self.signed_in_client("teacher").get(f"/api/submissions/{self.sams_work.pk}")  # the API too
        self.assertEqual(LogEntry.objects.get_for_object(self.sams_work).filter(
            action=LogEntry.Action.ACCESS, actor=self.person("teacher")).count(), 2)
        # Sam reading his own work is not an access to record.
        self.signed_in_client("student").get(f"/api/submissions/{self.sams_work.pk}")
        self.assertEqual(LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count(), 2)

    def test_the_officer_places_and_releases_a_legal_hold_in_the_admin(self):
        officer = self.signed_in_client("privacy_officer")
        response = officer.post("/admin/privacy/legalhold/add/", {"subject": self.person("student").pk,
                                                                  "reason": "Appeal 2026-14"})
        self.assertEqual(response.status_code, 302)
        from privacy.models import LegalHold

        hold = LegalHold.objects.get()
        self.assertEqual((hold.placed_by, hold.reason), (self.person("privacy_officer"), "Appeal 2026-14"))
        officer.post("/admin/privacy/legalhold/", {"action": "release", "_selected_action": [hold.pk]})
        hold.refresh_from_db()
        self.assertIsNotNone(hold.released_at)

    def test_the_officer_publishes_a_notice_in_the_admin(self):
        officer = self.signed_in_client("privacy_officer")
        officer.post("/admin/privacy/privacynotice/add/", {"title": "How we use your data", "body": "Version one.",
                                                          "requires_acceptance": "on"})
        from privacy.models import PrivacyNotice

        notice = PrivacyNotice.objects.get()
        officer.post("/admin/privacy/privacynotice/", {"action": "publish", "_selected_action": [notice.pk]})
        notice.refresh_from_db()
        self.assertEqual(notice.state, "active")

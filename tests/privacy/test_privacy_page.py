"""The person's privacy page and the privacy office's home: contents, query counts, isolation."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy.models import PrivacyRequest
from tests.privacy.base import PrivacyTestCase


class PrivacyPageTests(PrivacyTestCase):
    def count(self, client, path):
        client.get(path)  # warm the host directory and search_path
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        self.assertEqual(response.status_code, 200)
        return len(queries), response, "\n".join(q["sql"] for q in queries.captured_queries)

    def test_it_shows_consents_and_requests_in_a_constant_number_of_queries(self):
        sam = self.signed_in_client("student")
        self.file("student", PrivacyRequest.Kind.EXPORT)
        # 1 session, 2 the person, 3 notice check (first request of the session only: warmed above),
        # then: 3 guardian links (wards), 4 consents, 5 may-answer (guardian links of the person),
        # 6 requests with subject and job, 7 the active notice
        queries, response, sql = self.count(sam, "/privacy/")
        self.assertEqual(queries, 7, sql)
        for kind in (PrivacyRequest.Kind.ERASURE, PrivacyRequest.Kind.RESTRICTION):
            self.file("student", kind)
        more, response, sql = self.count(sam, "/privacy/")
        self.assertEqual(more, queries, sql)
        self.assertContains(response, "Awaiting approval", count=3)
        self.assertContains(response, "Analytics about how I write")

    def test_it_lists_only_the_persons_own_requests(self):
        self.file("classmate", PrivacyRequest.Kind.EXPORT)
        response = self.signed_in_client("student").get("/privacy/")
        self.assertContains(response, "No requests yet.")

    def test_the_privacy_office_home_lists_open_requests_in_three_queries(self):
        for key in ("student", "classmate"):
            self.file(key, PrivacyRequest.Kind.EXPORT)
        # 1 session, 2 the officer, 3 open requests with their subjects
        queries, response, sql = self.count(self.signed_in_client("privacy_officer"), "/privacy-office/")
        self.assertEqual(queries, 3, sql)
        self.assertContains(response, "Cleo Classmate")
        self.assertEqual(self.signed_in_client("student").get("/privacy-office/").status_code, 403)
        self.assertEqual(self.signed_in_client("teacher").get("/privacy-office/").status_code, 403)

    def test_riverside_sees_nothing_of_northside(self):
        self.file("student", PrivacyRequest.Kind.EXPORT)
        rory = self.signed_in_client("riverside_student", self.riverside)
        page = rory.get("/privacy/")
        self.assertContains(page, "No requests yet.")
        self.assertNotContains(page, "Sam Student")
        from django_tenants.utils import tenant_context

        with tenant_context(self.riverside):
            from accounts.actions import do_create_user
            from accounts.models import Role

            do_create_user("ray@riverside.example", "Ray Privacy", Role.PRIVACY_OFFICER, password="x" * 12,
                           acting_user=None)
            ray = type(self.person("student")).objects.get(email="ray@riverside.example")
        office = self.client_for(self.riverside)
        office.force_login(ray)
        self.assertContains(office.get("/privacy-office/"), "No requests are waiting for you.")
        # A Northside session cookie means nothing at Riverside.
        sam = self.signed_in_client("student")
        cookie = sam.cookies["sessionid"].value
        stranger = self.client_for(self.riverside)
        stranger.cookies["sessionid"] = cookie
        self.assertEqual(stranger.get("/privacy/").status_code, 302)

"""Privacy notices: versions, shown at first sign-in and when a new version needs accepting."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from privacy.actions import do_accept_notice, do_create_notice, do_publish_notice
from privacy.middleware import SESSION_KEY, PrivacyNoticeMiddleware
from privacy.models import NoticeAcceptance, PrivacyNotice
from tests.base import PASSWORD
from tests.privacy.base import PrivacyTestCase


class NoticeTests(PrivacyTestCase):
    def publish(self, body="We use your writing to teach you.", **options):
        officer = self.person("privacy_officer")
        notice = do_create_notice(body, acting_user=officer, **options)
        return do_publish_notice(notice, acting_user=officer)

    def test_it_moves_a_notice_from_draft_to_active_to_archived(self):
        first = self.publish()
        second = self.publish("Version two.")
        first.refresh_from_db()
        self.assertEqual((first.version, first.state, second.version, second.state), (1, "archived", 2, "active"))
        with self.assertRaises(ValidationError):
            do_publish_notice(first, acting_user=self.person("privacy_officer"))

    def test_it_asks_at_first_sign_in_and_then_lets_the_person_through(self):
        self.publish()
        client = self.client_for(self.northside)
        client.post("/accounts/login/", {"login": "sam@northside.example", "password": PASSWORD})
        response = client.get("/student/")
        self.assertRedirects(response, "/privacy/notice/?next=%2Fstudent%2F")
        self.assertContains(client.get("/privacy/notice/?next=/student/"), "We use your writing to teach you.")
        self.assertRedirects(client.post("/privacy/notice/", {"next": "/student/"}), "/student/")
        self.assertTrue(NoticeAcceptance.objects.filter(person=self.person("student")).exists())
        self.assertEqual(client.get("/student/").status_code, 200)

    def test_it_asks_again_for_a_new_version_that_needs_acceptance_but_not_for_a_typo_fix(self):
        first = self.publish()
        sam = self.person("student")
        do_accept_notice(sam, first, acting_user=sam)
        self.publish("Typo fixed.", requires_acceptance=False)
        self.assertEqual(self.signed_in_client("student").get("/student/").status_code, 200)
        self.publish("We now also offer AI assistance.")
        self.assertEqual(self.signed_in_client("student").get("/student/").status_code, 302)

    def test_it_never_sends_the_person_elsewhere_after_accepting(self):
        self.publish()
        response = self.signed_in_client("student").post("/privacy/notice/", {"next": "https://evil.example/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_it_costs_no_query_per_request_once_checked(self):
        self.publish()
        request = RequestFactory().get("/student/", HTTP_HOST="northside.localhost")
        request.user, request.tenant, request.session = self.person("student"), self.northside, {}
        middleware = PrivacyNoticeMiddleware(lambda r: "page")
        with CaptureQueriesContext(connection) as first:
            self.assertNotEqual(middleware(request), "page")  # not accepted yet: redirected
        self.assertEqual(len(first), 2)  # required version; the person's acceptance
        request.session[SESSION_KEY]["accepted"] = request.session[SESSION_KEY]["required"]
        with CaptureQueriesContext(connection) as later:
            self.assertEqual(middleware(request), "page")
        self.assertEqual(len(later), 0)

    def test_without_an_active_notice_nobody_is_stopped(self):
        self.assertFalse(PrivacyNotice.objects.exists())
        self.assertEqual(self.signed_in_client("student").get("/student/").status_code, 200)

    def test_riverside_people_are_not_asked_to_accept_northsides_notice(self):
        self.publish()
        rory = self.signed_in_client("riverside_student", self.riverside)
        self.assertEqual(rory.get("/student/").status_code, 200)
        self.assertEqual(rory.get("/privacy/notice/").status_code, 302)  # none there: straight on


class NoticeDoesNotInterruptWorkTests(PrivacyTestCase):
    def test_an_autosave_and_the_api_are_never_redirected_to_the_notice(self):
        officer = self.person("privacy_officer")
        do_publish_notice(do_create_notice("New notice.", acting_user=officer), acting_user=officer)
        sam = self.signed_in_client("student")
        response = sam.post(f"/write/{self.sams_work.pk}/autosave",
                            {"text": "Schools should start later, because sleep matters a lot.",
                             "base_revision": self.sams_work.revision_number}, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Revision-Number"], str(self.sams_work.revision_number + 1))
        self.assertEqual(sam.get(f"/api/assignments/{self.essay.pk}/submission").status_code, 200)
        self.assertEqual(sam.get("/student/").status_code, 302)  # the next page asks

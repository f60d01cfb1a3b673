"""Filing a request: re-authentication first, the legal deadline, who may file for whom."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.actions import do_create_user
from accounts.models import Role
from privacy.actions import do_file_request, do_link_guardian
from privacy.models import PrivacyRequest
from tests.privacy.base import PrivacyTestCase

EXPORT = PrivacyRequest.Kind.EXPORT


class FileRequestTests(PrivacyTestCase):
    def test_it_asks_for_the_password_again_before_filing(self):
        sam = self.signed_in_client("student")
        response = sam.post("/privacy/requests/new", {"subject": self.person("student").pk, "kind": EXPORT})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/accounts/reauthenticate/"))
        self.assertFalse(PrivacyRequest.objects.exists())
        page = sam.get(response["Location"])
        self.assertContains(page, 'name="password"')
        # allauth replays the suspended post once the password is confirmed.
        response = sam.post(response["Location"], {"password": "correct horse battery staple"})
        filed = PrivacyRequest.objects.get()
        self.assertEqual((filed.subject, filed.filed_by, filed.kind, filed.state),
                         (self.person("student"), self.person("student"), EXPORT, "awaiting_approval"))
        self.assertEqual(filed.identity_method, "re-authentication")

    def test_it_files_after_a_recent_reauthentication_and_shows_the_request(self):
        sam = self.reauthenticated_client("student")
        response = sam.post("/privacy/requests/new", {"subject": self.person("student").pk, "kind": EXPORT})
        filed = PrivacyRequest.objects.get()
        self.assertRedirects(response, f"/privacy/requests/{filed.pk}/")
        page = sam.get(f"/privacy/requests/{filed.pk}/")
        self.assertContains(page, "Awaiting approval")

    def test_it_sets_the_gdpr_deadline_at_northside_and_the_ferpa_ccpa_deadline_at_riverside(self):
        filed = self.file("student", EXPORT)
        self.assertAlmostEqual(filed.due_at, timezone.now() + timedelta(days=30), delta=timedelta(minutes=1))
        self.assertEqual(filed.jurisdictions, "GDPR, FERPA")
        with tenant_context(self.riverside):
            rory = self.person("riverside_student")
            filed = do_file_request(rory, EXPORT, identity_verified_at=timezone.now(), acting_user=rory,
                                    institution=self.riverside)
            self.assertAlmostEqual(filed.due_at, timezone.now() + timedelta(days=45), delta=timedelta(minutes=1))

    def test_it_needs_details_for_a_rectification(self):
        with self.assertRaises(ValidationError):
            self.file("student", PrivacyRequest.Kind.RECTIFICATION)
        response = self.reauthenticated_client("student").post(
            "/privacy/requests/new", {"subject": self.person("student").pk, "kind": "rectification", "details": ""})
        self.assertContains(response, "Say what is wrong", status_code=400)

    def test_it_refuses_a_second_open_request_of_the_same_kind(self):
        self.file("student", EXPORT)
        with self.assertRaises(ValidationError):
            self.file("student", EXPORT)

    def test_it_lets_the_privacy_office_file_on_someones_behalf(self):
        officer = self.reauthenticated_client("privacy_officer")
        response = officer.post("/privacy-office/requests/new",
                                {"email": "sam@northside.example", "kind": "erasure", "details": "Letter of 1 Dec"})
        filed = PrivacyRequest.objects.get()
        self.assertRedirects(response, f"/admin/privacy/privacyrequest/{filed.pk}/change/",
                             fetch_redirect_response=False)
        self.assertEqual((filed.subject, filed.filed_by), (self.person("student"), self.person("privacy_officer")))
        # Sam sees it on his page too.
        self.assertContains(self.signed_in_client("student").get("/privacy/"), "Erasure")

    def test_it_refuses_teachers_and_students_filing_for_someone_else(self):
        with self.assertRaises(PermissionDenied):
            self.file("teacher", EXPORT, subject=self.person("student"))
        with self.assertRaises(PermissionDenied):
            self.file("classmate", EXPORT, subject=self.person("student"))
        self.assertEqual(self.reauthenticated_client("teacher").post(
            "/privacy-office/requests/new", {"email": "sam@northside.example", "kind": "export"}).status_code, 403)
        # A student posting someone else's id gets the form back, and nothing is filed.
        response = self.reauthenticated_client("classmate").post(
            "/privacy/requests/new", {"subject": self.person("student").pk, "kind": EXPORT})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(PrivacyRequest.objects.exists())

    def test_it_lets_a_guardian_file_for_their_ward(self):
        guardian = do_create_user("gina@northside.example", "Gina Guardian", Role.GUARDIAN,
                                  password="correct horse battery staple", acting_user=self.person("admin"))
        self.people["guardian"] = guardian
        do_link_guardian(guardian, self.person("student"), acting_user=self.person("admin"),
                         student_birth_date=timezone.localdate() - timedelta(days=365 * 14))
        client = self.reauthenticated_client("guardian")
        self.assertRedirects(client.get("/"), "/privacy/")
        client.post("/privacy/requests/new", {"subject": self.person("student").pk, "kind": EXPORT})
        filed = PrivacyRequest.objects.get()
        self.assertEqual((filed.subject, filed.filed_by), (self.person("student"), guardian))

    def test_the_office_cannot_file_for_someone_at_riverside(self):
        response = self.reauthenticated_client("privacy_officer").post(
            "/privacy-office/requests/new", {"email": "rory@riverside.example", "kind": "export"})
        self.assertContains(response, "No one at this institution", status_code=400)
        self.assertFalse(PrivacyRequest.objects.exists())


class GuardianAgeTests(PrivacyTestCase):
    def test_a_guardian_no_longer_files_once_the_student_is_past_the_threshold(self):
        guardian = do_create_user("gina@northside.example", "Gina Guardian", Role.GUARDIAN,
                                  password="correct horse battery staple", acting_user=self.person("admin"))
        self.people["guardian"] = guardian
        do_link_guardian(guardian, self.person("student"), acting_user=self.person("admin"),
                         student_birth_date=timezone.localdate() - timedelta(days=365 * 17))
        with self.assertRaises(PermissionDenied):
            self.file("guardian", EXPORT, subject=self.person("student"))
        response = self.reauthenticated_client("guardian").post(
            "/privacy/requests/new", {"subject": self.person("student").pk, "kind": EXPORT})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(PrivacyRequest.objects.exists())

"""The demo's walk-through, page by page: a student asks for a copy and for erasure, the privacy
office approves both in the admin, the jobs run, the student downloads the zip and reads the
certificate."""

import io
import zipfile

from accounts.models import User
from privacy.models import PrivacyRequest
from tests.base import PASSWORD
from tests.privacy.base import PrivacyTestCase


class PrivacyJourneyTests(PrivacyTestCase):
    def approve_in_admin(self, filed):
        officer = self.signed_in_client("privacy_officer")
        self.assertContains(officer.get("/privacy-office/"), f"/admin/privacy/privacyrequest/{filed.pk}/change/")
        with self.captureOnCommitCallbacks(execute=True):
            response = officer.post(f"/admin/privacy/privacyrequest/{filed.pk}/change/", {
                "decision": "approve", "note": "",
                "comments-TOTAL_FORMS": "0", "comments-INITIAL_FORMS": "0",
                "comments-MIN_NUM_FORMS": "0", "comments-MAX_NUM_FORMS": "1000"})
        self.assertEqual(response.status_code, 302)

    def test_a_student_gets_a_copy_then_is_erased(self):
        sam = self.client_for(self.northside)
        sam.post("/accounts/login/", {"login": "sam@northside.example", "password": PASSWORD})
        self.assertContains(sam.get("/privacy/"), "Make a request")
        response = sam.post("/privacy/requests/new", {"subject": self.person("student").pk, "kind": "export"})
        response = sam.post(response["Location"], {"password": PASSWORD})  # confirm it is him
        export = PrivacyRequest.objects.get(kind="export")
        self.assertContains(sam.get(f"/privacy/requests/{export.pk}/"), "The privacy office will review")

        self.approve_in_admin(export)
        page = sam.get(f"/privacy/requests/{export.pk}/")
        self.assertContains(page, "Download your data")
        link = page.content.decode().split('href="/privacy/requests/')[1].split('"')[0]
        download = sam.get(f"/privacy/requests/{link}")
        archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
        self.assertIn("Schools should start later, because sleep matters.",
                      archive.read(f"revisions/{self.sams_work.pk}-persuasive-essay/revision-0003.txt").decode())

        sam.post("/privacy/requests/new", {"subject": self.person("student").pk, "kind": "erasure"})
        erasure = PrivacyRequest.objects.get(kind="erasure")
        self.approve_in_admin(erasure)
        erasure.refresh_from_db()
        self.assertEqual(erasure.state, "completed")
        self.assertEqual(User.objects.get(pk=self.person("student").pk).full_name, "Erased person")
        self.assertEqual(sam.get("/privacy/").status_code, 302)  # his sessions ended with the erasure
        # The office reads the certificate on the request.
        certificate = self.signed_in_client("privacy_officer").get(
            f"/admin/privacy/privacyrequest/{erasure.pk}/change/")
        self.assertContains(certificate, "coursework.Revision")

"""Export: approved by the office, built by the job, downloaded once by the requester only."""

import io
import json
import zipfile
from datetime import timedelta

from auditlog.models import LogEntry
from django.core.files.storage import default_storage
from django.utils import timezone

from coursework.actions import revision_text
from privacy.models import PrivacyJob, PrivacyRequest
from tests.privacy.base import PrivacyTestCase

EXPORT = PrivacyRequest.Kind.EXPORT


class ExportTests(PrivacyTestCase):
    def exported(self):
        filed = self.file("student", EXPORT)
        self.approve(filed)
        filed.refresh_from_db()
        return filed, filed.job

    def open_zip(self, job):
        with default_storage.open(job.file_name, "rb") as handle:
            return zipfile.ZipFile(io.BytesIO(handle.read()))

    def test_it_builds_the_zip_when_the_office_approves(self):
        filed, job = self.exported()
        self.assertEqual((filed.state, job.state, job.progress_percent), ("completed", "done", 100))
        archive = self.open_zip(job)
        names = set(archive.namelist())
        self.assertIn("index.html", names)
        submission = json.loads(archive.read("data/coursework.Submission.json"))
        self.assertEqual([row["text"] for row in submission["rows"]], [self.sams_work.text])
        self.assertEqual(submission["lawful_basis"], "Public task (education)")
        person = json.loads(archive.read("data/accounts.User.json"))["rows"][0]
        self.assertEqual(person["email"], "sam@northside.example")
        self.assertNotIn("password", person)
        reflection = json.loads(archive.read("data/coursework.StageSubmission.json"))["rows"][0]["reflection"]
        self.assertEqual(reflection, "I worked on my thesis.")
        comments = json.loads(archive.read("data/coursework.Comment.json"))["rows"]
        self.assertEqual([c["body"] for c in comments], ["Which schools?"])
        process = json.loads(archive.read("data/coursework.ProcessEvent.json"))["rows"]
        self.assertEqual([(p["active_seconds"], p["typed_chars"]) for p in process], [(30, 20)] * 3)

    def test_it_writes_the_original_text_of_every_revision(self):
        _, job = self.exported()
        archive = self.open_zip(job)
        folder = f"revisions/{self.sams_work.pk}-persuasive-essay"
        for number in (1, 2, 3):
            self.assertEqual(archive.read(f"{folder}/revision-{number:04d}.txt").decode(),
                             revision_text(self.sams_work, number))
        self.assertIn(f"{folder}/revision-0003.txt", archive.read("index.html").decode())

    def test_it_leaves_out_other_students_work(self):
        cleos = self.write(self.person("classmate"), ["Cleo's secret essay"])
        _, job = self.exported()
        archive = self.open_zip(job)
        everything = b"".join(archive.read(name) for name in archive.namelist())
        self.assertNotIn(b"Cleo's secret essay", everything)
        self.assertFalse(any(name.startswith(f"revisions/{cleos.pk}-") for name in archive.namelist()))

    def test_the_requester_downloads_it_and_the_download_is_recorded(self):
        filed, job = self.exported()
        sam = self.signed_in_client("student")
        page = sam.get(f"/privacy/requests/{filed.pk}/")
        url = f"/privacy/requests/{filed.pk}/download/{job.download_token}"
        self.assertContains(page, url)
        response = sam.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertTrue(zipfile.is_zipfile(io.BytesIO(b"".join(response.streaming_content))))
        self.assertTrue(LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(filed.pk),
                                                actor=self.person("student")).exists())

    def test_nobody_else_can_use_the_link(self):
        filed, job = self.exported()
        url = f"/privacy/requests/{filed.pk}/download/{job.download_token}"
        for key in ("classmate", "teacher", "privacy_officer"):
            with self.subTest(key):
                self.assertEqual(self.signed_in_client(key).get(url).status_code, 404)
                self.assertEqual(self.signed_in_client(key).get(f"/privacy/requests/{filed.pk}/").status_code, 404)
        self.assertEqual(self.client.get(url).status_code, 302)  # signed out: to the sign-in page
        self.assertEqual(self.signed_in_client("student").get(url[:-4] + "abcd").status_code, 404)

    def test_the_link_expires(self):
        filed, job = self.exported()
        PrivacyJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        sam = self.signed_in_client("student")
        self.assertEqual(sam.get(f"/privacy/requests/{filed.pk}/download/{job.download_token}").status_code, 404)
        self.assertContains(sam.get(f"/privacy/requests/{filed.pk}/"), "The download has expired")

    def test_riverside_cannot_reach_northsides_request_or_download(self):
        filed, job = self.exported()
        rory = self.signed_in_client("riverside_student", self.riverside)
        for path in (f"/privacy/requests/{filed.pk}/", f"/privacy/requests/{filed.pk}/progress",
                     f"/privacy/requests/{filed.pk}/download/{job.download_token}"):
            with self.subTest(path):
                self.assertEqual(rory.get(path).status_code, 404)

    def test_the_page_polls_for_progress_while_the_job_runs(self):
        filed = self.file("student", EXPORT)
        with self.captureOnCommitCallbacks(execute=False):  # approved, job queued but not yet run
            from privacy.actions import do_decide_request

            do_decide_request(filed, approve=True, acting_user=self.person("privacy_officer"))
        sam = self.signed_in_client("student")
        page = sam.get(f"/privacy/requests/{filed.pk}/")
        self.assertContains(page, 'hx-trigger="every 2s"')
        partial = sam.get(f"/privacy/requests/{filed.pk}/progress", HTTP_HX_REQUEST="true")
        self.assertContains(partial, "<progress")
        self.assertNotContains(partial, "<html")

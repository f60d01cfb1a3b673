from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from coursework.models import Course
from integrations.oneroster.actions import do_start_roster_import
from integrations.oneroster.models import RosterImport
from integrations.oneroster.samples.make_sample import build_zip
from tests.base import InstitutionClient
from tests.integrations.oneroster.base import RosterTestCase, roster_files

BASE = "/admin/integrations_oneroster/rosterimport"


class RosterAdminTests(RosterTestCase):
    def upload(self, admin, data, name="roster.zip"):
        with self.captureOnCommitCallbacks(execute=True):
            return admin.post(f"{BASE}/add/", {"roster": SimpleUploadedFile(name, data, "application/zip")})

    def test_the_admin_uploads_reviews_and_confirms(self):
        admin = self.signed_in_client("admin")
        response = self.upload(admin, build_zip(roster_files()))
        job = RosterImport.objects.get()
        self.assertRedirects(response, f"{BASE}/{job.pk}/change/", fetch_redirect_response=False)
        page = admin.get(f"{BASE}/{job.pk}/change/")
        self.assertContains(page, "What this import would change")
        self.assertContains(page, "nia@northside.example")
        self.assertContains(page, "Confirm and apply")
        self.assertFalse(Course.objects.filter(title="Writing").exists())
        with self.captureOnCommitCallbacks(execute=True):
            response = admin.post(f"{BASE}/{job.pk}/confirm/")
        self.assertEqual(response.status_code, 302)
        job.refresh_from_db()
        self.assertEqual(job.state, RosterImport.State.DONE)
        self.assertEqual(job.confirmed_by, self.person("admin"))
        self.assertTrue(Course.objects.filter(title="Writing").exists())
        self.assertContains(admin.get(f"{BASE}/{job.pk}/change/"), "What was applied")

    def test_the_progress_partial_polls_while_running_and_reloads_when_done(self):
        admin = self.signed_in_client("admin")
        job = do_start_roster_import("r.zip", build_zip(roster_files()), acting_user=self.person("admin"))
        response = admin.get(f"{BASE}/{job.pk}/progress/", HTTP_HX_REQUEST="true")
        self.assertContains(response, 'hx-trigger="every 1s"')
        from integrations.oneroster.tasks import plan_roster_import
        plan_roster_import(job.pk)
        response = admin.get(f"{BASE}/{job.pk}/progress/?was=queued", HTTP_HX_REQUEST="true")
        self.assertNotContains(response, "every 1s")
        self.assertEqual(response["HX-Refresh"], "true")

    def test_the_admin_discards_an_import(self):
        admin = self.signed_in_client("admin")
        self.upload(admin, build_zip(roster_files()))
        job = RosterImport.objects.get()
        admin.post(f"{BASE}/{job.pk}/discard/")
        job.refresh_from_db()
        self.assertEqual((job.state, bytes(job.data)), (RosterImport.State.DISCARDED, b""))
        self.assertFalse(Course.objects.filter(title="Writing").exists())

    def test_it_refuses_a_file_that_is_not_a_zip(self):
        admin = self.signed_in_client("admin")
        response = self.upload(admin, b"a,b\n", name="roster.csv")
        self.assertContains(response, "Upload the .zip file")
        self.assertFalse(RosterImport.objects.exists())

    def test_the_changelist_has_a_constant_number_of_queries(self):
        admin = self.signed_in_client("admin")
        admin.get(f"{BASE}/")  # warms the host directory (one query, once per process)
        for count in (3, 8):
            while RosterImport.objects.count() < count:
                do_start_roster_import("r.zip", build_zip(roster_files()), acting_user=self.person("admin"))
            # session, the admin, their TOTP check, COUNT (filtered), COUNT (all),
            # the page of imports with their uploader (one JOIN; the zip and plan columns deferred).
            with self.assertNumQueries(6):
                response = admin.get(f"{BASE}/")
            self.assertEqual(response.context["cl"].result_count, count)

    def test_teachers_and_privacy_officers_cannot_import(self):
        job = do_start_roster_import("r.zip", build_zip(roster_files()), acting_user=self.person("admin"))
        for key in ["teacher", "privacy_officer", "student"]:
            client = self.signed_in_client(key)
            for url in [f"{BASE}/", f"{BASE}/add/", f"{BASE}/{job.pk}/change/", f"{BASE}/{job.pk}/progress/"]:
                with self.subTest(key=key, url=url):
                    self.assertIn(client.get(url).status_code, {302, 403})
            with self.subTest(key=key, url="confirm"):
                self.assertIn(client.post(f"{BASE}/{job.pk}/confirm/").status_code, {302, 403})
        job.refresh_from_db()
        self.assertIsNone(job.confirmed_by)

    def test_riversides_admin_cannot_see_or_confirm_northsides_import(self):
        job = self.start(roster_files())
        with tenant_context(self.riverside):
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

            from accounts.actions import do_create_user
            from accounts.models import Role
            from tests.base import PASSWORD
            rivadmin = do_create_user("rivadmin@riverside.example", "Riv Admin", Role.INSTITUTION_ADMIN,
                                      password=PASSWORD, acting_user=None)
            TOTP.activate(rivadmin, generate_totp_secret())
        client = InstitutionClient(self.riverside)
        client.force_login(rivadmin)
        listing = client.get(f"{BASE}/")
        self.assertEqual(listing.status_code, 200)
        self.assertNotContains(listing, "roster.zip")
        self.assertEqual(client.get(f"{BASE}/{job.pk}/change/").status_code, 404)
        self.assertEqual(client.get(f"{BASE}/{job.pk}/progress/").status_code, 404)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(client.post(f"{BASE}/{job.pk}/confirm/").status_code, 404)
        job.refresh_from_db()
        self.assertEqual(job.state, RosterImport.State.PLANNED)
        # Northside's admin session is no key to Riverside's imports either.
        northside_admin = self.signed_in_client("admin")
        self.assertEqual(northside_admin.get(f"{BASE}/").status_code, 200)
        with tenant_context(self.riverside):
            self.assertFalse(RosterImport.objects.exists())

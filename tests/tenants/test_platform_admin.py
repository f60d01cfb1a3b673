from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Institution, ProvisioningJob
from tests.base import PASSWORD, InstitutionClient, InstitutionTestCase


class PlatformAdminTests(InstitutionTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with schema_context("public"):
            cls.operator = User.objects.create_superuser("olive@scribetree.example", PASSWORD,
                                                         full_name="Olive Operator")
            TOTP.activate(cls.operator, generate_totp_secret())

    def operator_client(self):
        client = InstitutionClient(None)
        client.force_login(self.operator)
        return client

    def test_it_lists_institutions_for_the_operator(self):
        response = self.operator_client().get("/admin/tenants/institution/")
        self.assertContains(response, "Northside Academy")
        self.assertContains(response, "Riverside High School")
        self.assertContains(response, "riverside.localhost")

    def test_it_provisions_in_the_background_and_shows_progress(self):
        client = self.operator_client()
        with self.captureOnCommitCallbacks(execute=False) as queued:
            response = client.post("/admin/tenants/institution/add/", {
                "name": "Lakeside College", "slug": "lakeside", "domain": "", "admin_email": "head@lakeside.example",
                "admin_name": "Lee Head", "brand_colour": "#225522", "gdpr": "on",
            })
        self.assertEqual(response.status_code, 302)
        with schema_context("public"):
            institution = Institution.objects.get(slug="lakeside")
            job = institution.provisioning_job
        self.assertEqual(job.state, ProvisioningJob.State.QUEUED)  # the request did not provision
        progress_url = f"/admin/tenants/institution/{institution.pk}/progress/"
        progress = client.get(progress_url)
        self.assertContains(progress, "Queued")
        self.assertContains(progress, 'hx-trigger="every 1s"')  # the page keeps polling
        for callback in queued:
            callback()  # what Celery does after the commit
        progress = client.get(progress_url)
        self.assertContains(progress, "Done")
        self.assertContains(progress, "ready in")
        self.assertNotContains(progress, "hx-trigger")
        self.assertEqual(connection.schema_name, "inst_northside")

    def test_it_shows_a_clear_error_for_a_taken_slug(self):
        response = self.operator_client().post("/admin/tenants/institution/add/", {
            "name": "Another Northside", "slug": "northside", "domain": "", "admin_email": "x@x.example",
            "brand_colour": "#225522",
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Institution with this Slug already exists.")

    def test_it_refuses_the_platform_admin_to_anyone_but_operators(self):
        client = InstitutionClient(None)
        response = client.get("/admin/", follow=True)
        self.assertEqual(response.redirect_chain[-1][0], "/accounts/login/?next=%2Fadmin%2F")  # allauth's sign-in
        self.assertContains(response, "Sign in")

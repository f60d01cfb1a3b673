import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import Role, User
from tenants.actions import do_create_institution
from tenants.models import Institution, ProvisioningJob
from tenants.provisioning import ProvisioningRefused, provision
from tests.base import InstitutionClient, InstitutionTestCase


class ProvisioningTests(InstitutionTestCase):
    def create_lakeside(self, **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            connection.set_schema_to_public()
            institution, job = do_create_institution(
                "Lakeside College", "lakeside", admin_email="head@lakeside.example", admin_name="Lee Head",
                acting_user=None, **kwargs)
        connection.set_tenant(self.northside)
        institution.refresh_from_db()
        job.refresh_from_db()
        return institution, job

    def test_it_gives_a_new_institution_its_schema_admin_and_domain(self):
        institution, job = self.create_lakeside()
        self.assertEqual(job.state, ProvisioningJob.State.DONE)
        self.assertEqual(institution.status, Institution.Status.READY)
        self.assertTrue(schema_exists("inst_lakeside"))
        self.assertEqual(institution.domains.get().domain, "lakeside.localhost")
        with tenant_context(institution):
            admin = User.objects.get(email="head@lakeside.example")
        self.assertEqual(admin.role, Role.INSTITUTION_ADMIN)
        self.assertTrue(admin.is_staff)

    def test_it_makes_the_new_institution_usable_at_once(self):
        institution, _ = self.create_lakeside()
        response = InstitutionClient(institution).get("/accounts/login/")
        self.assertContains(response, "Sign in to Lakeside College")

    def test_it_runs_provisioning_as_a_background_job_after_commit(self):
        from unittest import mock

        from tenants.tasks import provision_institution

        with mock.patch.object(provision_institution, "apply_async") as send, \
                self.captureOnCommitCallbacks(execute=True):
            connection.set_schema_to_public()
            institution, job = do_create_institution(
                "Hillside School", "hillside", admin_email="a@hillside.example", acting_user=None)
            send.assert_not_called()  # nothing is sent before the transaction commits
        send.assert_called_once_with((job.pk,), {}, headers={"_schema_name": "public"})
        job.refresh_from_db()
        self.assertEqual(job.state, ProvisioningJob.State.QUEUED)
        response = InstitutionClient(institution).get("/accounts/login/")
        self.assertContains(response, "being set up", status_code=503)
        provision_institution.delay(job.pk)  # what the worker does with it
        job.refresh_from_db()
        self.assertEqual(job.state, ProvisioningJob.State.DONE)
        self.assertEqual(InstitutionClient(institution).get("/accounts/login/").status_code, 200)

    def test_it_resumes_after_the_last_finished_step(self):
        connection.set_schema_to_public()
        institution, job = do_create_institution(
            "Hillside School", "hillside", admin_email="a@hillside.example", acting_user=None, run_now=True)
        with override_settings(PROVISIONING_METHOD="clone"), \
                pytest.raises(ValueError), self._fail_step(ProvisioningJob.Step.ADMIN):
            provision(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.completed_steps, ["schema"])
        self.assertEqual(job.state, ProvisioningJob.State.QUEUED)
        provision(job.pk)  # picks up at the admin step; the schema is not cloned twice
        job.refresh_from_db()
        self.assertEqual(job.completed_steps, ["schema", "admin", "ready"])
        self.assertEqual(job.attempts, 2)
        self.assertIsNone(provision(job.pk))  # a redelivered, finished job does nothing

    def test_it_gives_up_after_three_attempts_and_says_so(self):
        connection.set_schema_to_public()
        institution, job = do_create_institution(
            "Hillside School", "hillside", admin_email="a@hillside.example", acting_user=None, run_now=True)
        for _ in range(ProvisioningJob.MAX_ATTEMPTS):
            with pytest.raises(ValueError), self._fail_step(ProvisioningJob.Step.ADMIN):
                provision(job.pk)
        job.refresh_from_db()
        institution.refresh_from_db()
        self.assertEqual(job.state, ProvisioningJob.State.FAILED)
        self.assertEqual(institution.status, Institution.Status.FAILED)
        self.assertIn("ValueError", job.error)
        with pytest.raises(ProvisioningRefused):
            provision(job.pk)

    def test_it_refuses_a_slug_that_is_taken_or_reserved(self):
        from django.core.exceptions import ValidationError

        connection.set_schema_to_public()
        for slug in ["northside", "public", "Bad Slug"]:
            with self.subTest(slug=slug), pytest.raises(ValidationError):
                do_create_institution("X", slug, admin_email="x@x.example", acting_user=None, run_now=True)

    def test_it_creates_an_institution_from_the_shell(self):
        from io import StringIO

        out = StringIO()
        call_command("create_institution", name="Bayside School", slug="bayside", domain="write.bayside.example",
                     admin_email="boss@bayside.example", gdpr=True, stdout=out)
        connection.set_tenant(self.northside)
        institution = Institution.objects.get(slug="bayside")
        self.assertTrue(institution.is_ready)
        self.assertTrue(institution.gdpr)
        self.assertIn("write.bayside.example", out.getvalue())
        self.assertIn("/accounts/password/reset/key/", out.getvalue())

    @staticmethod
    def _fail_step(step):
        from unittest import mock

        from tenants.provisioning import STEP_FUNCTIONS

        return mock.patch.dict(STEP_FUNCTIONS, {step: mock.Mock(side_effect=ValueError("simulated crash"))})

"""Nothing of one institution is visible, writable or reachable from another."""

import pytest
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from scribetree.celery import InstitutionTask, MissingInstitution, app
from tests.base import PASSWORD, InstitutionClient, InstitutionTestCase


@app.task(base=InstitutionTask, name="tests.count_people")
def count_people():
    return User.objects.count()


class AccountIsolationTests(InstitutionTestCase):
    def test_it_refuses_a_riverside_account_on_northside(self):
        response = self.log_in_with_password(self.client, "rita@riverside.example")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "not correct")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_keeps_each_account_in_its_own_schema(self):
        self.assertFalse(User.objects.filter(email="rita@riverside.example").exists())
        with tenant_context(self.riverside):
            self.assertTrue(User.objects.filter(email="rita@riverside.example").exists())
            self.assertFalse(User.objects.filter(email="sam@northside.example").exists())

    def test_it_does_not_accept_a_northside_session_cookie_on_riverside(self):
        northside = self.signed_in_client("student")
        self.assertEqual(northside.get("/student/").status_code, 200)
        riverside = InstitutionClient(self.riverside)
        riverside.cookies = northside.cookies  # replay the very same cookie at the other host
        response = riverside.get("/student/")
        self.assertRedirects(response, "/accounts/login/?next=/student/", fetch_redirect_response=False)

    def test_it_sets_host_only_session_cookies(self):
        self.signed_in_client("student")
        response = self.log_in_with_password(self.client, "sam@northside.example")
        self.assertEqual(response.cookies["sessionid"]["domain"], "")

    def test_it_refuses_institution_accounts_in_the_platform_admin(self):
        public = InstitutionClient(None)
        response = public.post("/accounts/login/", {"login": "ada@northside.example", "password": PASSWORD})
        self.assertContains(response, "not correct")
        response = public.get("/admin/")
        self.assertEqual(response.status_code, 302)

    def test_it_refuses_platform_operators_on_an_institution(self):
        with schema_context("public"):
            User.objects.create_superuser("op@scribetree.example", PASSWORD, full_name="Olive Operator")
        response = self.log_in_with_password(self.client, "op@scribetree.example")
        self.assertContains(response, "not correct")


class CacheIsolationTests(InstitutionTestCase):
    def test_it_does_not_read_a_northside_cache_entry_under_riverside(self):
        cache.set("dashboard", "northside's numbers")
        with tenant_context(self.riverside):
            self.assertIsNone(cache.get("dashboard"))
            cache.set("dashboard", "riverside's numbers")
        self.assertEqual(cache.get("dashboard"), "northside's numbers")


class TaskIsolationTests(InstitutionTestCase):
    def test_it_runs_an_institution_task_in_the_schema_it_was_sent_from(self):
        with tenant_context(self.riverside):
            self.assertEqual(count_people.delay().get(), 3)  # Rita, Rory and Riverside's first admin
        self.assertEqual(count_people.delay().get(), 7)  # six named people and Northside's first admin

    def test_it_refuses_to_send_an_institution_task_from_public(self):
        with schema_context("public"), pytest.raises(MissingInstitution):
            count_people.delay()

    def test_it_refuses_to_run_an_institution_task_that_arrives_without_one(self):
        with pytest.raises(MissingInstitution):
            count_people.apply(headers={"_schema_name": "public"}).get()
        self.assertEqual(connection.schema_name, "inst_northside")


class AdminIsolationTests(InstitutionTestCase):
    def test_it_shows_an_institution_admin_only_their_own_institution_settings(self):
        admin = self.signed_in_client("admin")
        response = admin.get("/admin/tenants/institution/")
        self.assertContains(response, "Northside Academy")
        self.assertNotContains(response, "Riverside")
        response = admin.get(f"/admin/tenants/institution/{self.riverside.pk}/change/")
        self.assertEqual(response.status_code, 302)  # "doesn't exist" -> back to the index
        self.riverside.refresh_from_db()
        self.assertEqual(self.riverside.name, "Riverside High School")

    def test_it_lists_only_this_institutions_people_in_its_admin(self):
        admin = self.signed_in_client("admin")
        response = admin.get("/admin/accounts/user/")
        self.assertContains(response, "sam@northside.example")
        self.assertNotContains(response, "riverside.example")

    def test_it_does_not_serve_the_platform_admin_on_an_institution_domain(self):
        admin = self.signed_in_client("admin")
        response = admin.get("/admin/tenants/provisioningjob/")
        self.assertEqual(response.status_code, 404)

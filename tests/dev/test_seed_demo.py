from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from accounts.models import Role, User
from tests.base import InstitutionTestCase


class SeedDemoTests(InstitutionTestCase):
    def seed(self):
        # The command ends in public; later tests of this class expect Northside, even after a failure.
        self.addCleanup(connection.set_tenant, self.northside)
        call_command("seed_demo", verbosity=0)
        connection.set_tenant(self.northside)

    def accounts_of(self, institution):
        with tenant_context(institution):
            return {u.email: (u.role, u.password) for u in User.objects.all()}

    def test_it_gives_each_institution_its_demo_people(self):
        self.seed()
        northside = self.accounts_of(self.northside)
        riverside = self.accounts_of(self.riverside)
        for slug, people in (("northside", northside), ("riverside", riverside)):
            self.assertEqual(people[f"teacher1@{slug}.example"][0], Role.TEACHER)
            self.assertEqual(people[f"privacy@{slug}.example"][0], Role.PRIVACY_OFFICER)
            self.assertEqual(people[f"admin@{slug}.example"][0], Role.INSTITUTION_ADMIN)
            students = [e for e, (role, _) in people.items() if e.startswith("student") and role == Role.STUDENT]
            self.assertEqual(len(students), 30)
        with tenant_context(self.northside):
            names = set(User.objects.filter(role=Role.STUDENT, email__startswith="student").values_list(
                "full_name", flat=True))
            self.assertEqual(len(names), 30)
            self.assertTrue(User.objects.get(email="teacher1@northside.example").check_password("scribe-demo-2026"))
        with schema_context("public"):
            self.assertTrue(User.objects.get(email="operator@scribetree.example").is_superuser)

    def test_it_changes_nothing_when_run_twice(self):
        self.seed()
        before = (self.accounts_of(self.northside), self.accounts_of(self.riverside))
        self.seed()
        self.assertEqual((self.accounts_of(self.northside), self.accounts_of(self.riverside)), before)


class SeedDemoScimTokenTests(InstitutionTestCase):
    def test_it_makes_one_scim_token_for_northside_and_prints_it_once(self):
        import io
        import re

        from integrations.scim.models import ScimToken
        from tests.integrations.scim.base import ScimClient

        self.addCleanup(connection.set_tenant, self.northside)
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        raw = re.search(r"bearer token (st_scim_\S+)", out.getvalue()).group(1)
        connection.set_tenant(self.northside)
        self.assertEqual(ScimClient(self.northside, raw).call("get", "Users?count=1").status_code, 200)
        self.assertEqual(ScimClient(self.riverside, raw).call("get", "Users?count=1").status_code, 401)
        again = io.StringIO()
        call_command("seed_demo", stdout=again)
        connection.set_tenant(self.northside)
        self.assertNotIn(raw, again.getvalue())
        self.assertIn("the demo token exists", again.getvalue())
        self.assertEqual(ScimToken.objects.count(), 1)
        with tenant_context(self.riverside):
            self.assertEqual(ScimToken.objects.count(), 0)

"""TENANT_LIMIT_SET_CALLS sends `SET search_path` once per connection and institution.

Its known failure (django-tenants #1262): a SET inside a savepoint that is rolled back is undone
by PostgreSQL while the connection still believes it is set, so later queries read another
institution's rows. These pin that it cannot happen here.
"""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from tests.base import InstitutionTestCase
from tests.tenants.test_isolation import count_people


def current_search_path():
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        return cursor.fetchone()[0]


class SearchPathTests(InstitutionTestCase):
    def test_it_sets_the_search_path_once_for_many_queries(self):
        User.objects.count()
        with CaptureQueriesContext(connection) as queries:
            for _ in range(5):
                User.objects.count()
        self.assertFalse([q for q in queries.captured_queries if "search_path" in q["sql"]])

    def test_it_restores_the_schema_after_a_rolled_back_savepoint(self):
        try:
            with transaction.atomic():
                connection.set_tenant(self.riverside)
                self.assertTrue(User.objects.filter(email="rita@riverside.example").exists())
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
        # The SET issued inside the savepoint is gone on the server; the connection must know.
        self.assertEqual(connection.schema_name, "inst_riverside")
        self.assertTrue(User.objects.filter(email="rita@riverside.example").exists())
        self.assertIn("inst_riverside", current_search_path())
        connection.set_tenant(self.northside)
        self.assertTrue(User.objects.filter(email="sam@northside.example").exists())
        self.assertIn("inst_northside", current_search_path())

    def test_it_restores_the_schema_when_a_savepoint_rolls_back_after_switching_back(self):
        User.objects.count()  # search_path is set for Northside
        try:
            with transaction.atomic():
                with tenant_context(self.riverside):
                    User.objects.count()
                raise RuntimeError
        except RuntimeError:
            pass
        self.assertFalse(User.objects.filter(email="rita@riverside.example").exists())
        self.assertIn("inst_northside", current_search_path())

    def test_it_unwinds_nested_schema_contexts(self):
        with tenant_context(self.riverside):
            with schema_context("public"):
                self.assertIn("public", current_search_path())
                with tenant_context(self.northside):
                    self.assertTrue(User.objects.filter(email="sam@northside.example").exists())
                self.assertEqual(current_search_path(), "public")
            self.assertTrue(User.objects.filter(email="rita@riverside.example").exists())
        self.assertTrue(User.objects.filter(email="sam@northside.example").exists())

    def test_it_puts_the_schema_back_after_a_celery_task(self):
        with tenant_context(self.riverside):
            count_people.delay()
            self.assertTrue(User.objects.filter(email="rita@riverside.example").exists())
        count_people.delay()
        self.assertTrue(User.objects.filter(email="sam@northside.example").exists())
        self.assertIn("inst_northside", current_search_path())

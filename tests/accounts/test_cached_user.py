"""With a shared cache, the signed-in person is read from it, not the database, on each request
(accounts/backends.py). Every change to the person shows on their next request."""

from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.actions import do_change_role, do_deactivate_user, do_update_person
from accounts.backends import user_key
from accounts.models import Role
from privacy.erasure import person_cache_keys
from tests.base import InstitutionTestCase


def person_queries(queries):
    return [q["sql"] for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]


@override_settings(AUTH_USER_CACHE_SECONDS=300)
class CachedUserTests(InstitutionTestCase):
    def test_a_signed_in_student_is_read_from_the_cache_after_the_first_request(self):
        sam = self.signed_in_client("student")
        with CaptureQueriesContext(connection) as first:
            self.assertEqual(sam.get("/student/").status_code, 200)
        with CaptureQueriesContext(connection) as second:
            self.assertContains(sam.get("/student/"), "Hello, Sam")
        self.assertEqual(len(person_queries(first)), 1)
        self.assertEqual(person_queries(second), [])

    def test_a_change_to_the_person_shows_on_their_next_request(self):
        sam = self.signed_in_client("student")
        sam.get("/student/")
        do_update_person(self.person("student"), preferred_name="Sammy", acting_user=self.person("admin"))
        self.assertContains(sam.get("/student/"), "Hello, Sammy")
        do_change_role(self.person("student"), Role.TEACHER, acting_user=self.person("admin"))
        self.assertEqual(sam.get("/student/").status_code, 403)  # no longer a student: not their page

    def test_a_deactivated_person_is_signed_out_at_once(self):
        sam = self.signed_in_client("student")
        sam.get("/student/")
        do_deactivate_user(self.person("student"), acting_user=self.person("admin"))
        self.assertEqual(sam.get("/student/").status_code, 302)

    def test_staff_are_always_read_from_the_database(self):
        ada = self.signed_in_client("admin")
        ada.get("/accounts/security/")
        self.assertIsNone(cache.get(user_key(self.person("admin").pk)))

    def test_the_cached_person_is_only_found_in_their_own_institution(self):
        # Ids repeat across schemas; the cache key carries the schema.
        self.signed_in_client("student").get("/student/")
        self.assertEqual(cache.get(user_key(self.person("student").pk)).email, "sam@northside.example")
        with tenant_context(self.riverside):
            self.assertIsNone(cache.get(user_key(self.person("student").pk)))

    def test_erasure_removes_the_cached_person(self):
        self.assertIn(user_key(self.person("student").pk), person_cache_keys(self.person("student").pk))

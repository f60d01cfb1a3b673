from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from accounts.actions import do_deactivate_user
from tests.base import InstitutionTestCase

CACHED = "django.contrib.sessions.backends.cached_db"


@override_settings(SESSION_ENGINE=CACHED)
class CachedSessionTests(InstitutionTestCase):
    """Production (a Redis cache) reads sessions from the cache: ending one must remove the cached copy."""

    def session_key(self, client):
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    def test_it_forgets_a_cached_session_when_the_person_is_deactivated(self):
        student = self.client_for(self.northside)
        self.log_in_with_password(student, self.person("student").email)  # allauth records the session
        self.assertEqual(student.get("/student/").status_code, 200)
        key = self.session_key(student)
        store = import_module(CACHED).SessionStore
        self.assertIsNotNone(cache.get(store.cache_key_prefix + key))  # the page was served from the cache

        do_deactivate_user(self.person("student"), acting_user=self.person("admin"))

        self.assertIsNone(cache.get(store.cache_key_prefix + key))
        self.assertFalse(store().exists(key))
        self.assertEqual(student.get("/student/").status_code, 302)

    def test_it_keeps_northside_sessions_out_of_riverside(self):
        student = self.signed_in_client("student")
        student.get("/student/")
        rory = self.client_for(self.riverside)
        rory.cookies[settings.SESSION_COOKIE_NAME] = self.session_key(student)
        self.assertEqual(rory.get("/student/").status_code, 302)  # the cached session is Northside's only

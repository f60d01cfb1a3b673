from django.test import override_settings
from django_tenants.utils import tenant_context

from coursework.actions import do_create_course
from integrations.scim.actions import do_create_scim_token
from tests.integrations.scim.base import ScimClient, ScimTestCase

LOW = {"scim": "3/minute", "api": "3/minute", "api_institution": "5/minute", "scim_auth_failures": "2/minute"}


@override_settings(SCRIBETREE_THROTTLE_RATES=LOW)
class ScimThrottleTests(ScimTestCase):
    def test_it_answers_429_with_retry_after_and_a_scim_error(self):
        for _ in range(3):
            self.assertEqual(self.scim.call("get", "Users").status_code, 200)
        response = self.scim.call("get", "Users")
        body = self.assert_scim_error(response, 429)
        self.assertIn("Retry", body["detail"])
        self.assertGreaterEqual(int(response["Retry-After"]), 1)

    def test_each_token_has_its_own_allowance(self):
        _, other = do_create_scim_token("Okta", acting_user=self.person("admin"))
        for _ in range(3):
            self.scim.call("get", "Users")
        self.assertEqual(self.scim.call("get", "Users").status_code, 429)
        self.assertEqual(ScimClient(self.northside, other).call("get", "Users").status_code, 200)

    def test_northsides_use_does_not_throttle_riverside(self):
        for _ in range(4):
            self.scim.call("get", "Users")
        with tenant_context(self.riverside):
            _, raw = do_create_scim_token("Riverside", acting_user=self.person("riverside_teacher"))
        self.assertEqual(ScimClient(self.riverside, raw).call("get", "Users").status_code, 200)

    def test_wrong_tokens_from_one_address_are_cut_off_with_429(self):
        guesser = ScimClient(self.northside, "st_scim_guess", REMOTE_ADDR="203.0.113.9")
        self.assertEqual(guesser.call("get", "Users").status_code, 401)
        self.assertEqual(guesser.call("get", "Users").status_code, 401)
        with self.assertNumQueries(0):  # no token lookup once cut off
            response = guesser.call("get", "Users")
        body = self.assert_scim_error(response, 429)
        self.assertIn("Retry-After", response)
        self.assertIn("Retry", body["detail"])
        # Another address (the real identity provider) and another institution are unaffected.
        self.assertEqual(self.scim.call("get", "Users").status_code, 200)
        riverside_guesser = ScimClient(self.riverside, "st_scim_guess", REMOTE_ADDR="203.0.113.9")
        self.assertEqual(riverside_guesser.call("get", "Users").status_code, 401)

    def test_the_throttle_key_names_the_institution(self):
        from django.db import connection

        from scribetree.api_throttling import ScimTokenThrottle

        class Request:
            auth = self.token

        self.assertEqual(connection.schema_name, self.northside.schema_name)
        key = ScimTokenThrottle().get_cache_key(Request(), None)
        self.assertEqual(key, f"throttle:scim:{self.northside.schema_name}:token-{self.token.pk}")


@override_settings(SCRIBETREE_THROTTLE_RATES=LOW)
class ApiThrottleTests(ScimTestCase):
    def setUp(self):
        super().setUp()
        do_create_course("Writing", "Autumn", acting_user=self.person("teacher"))

    def test_the_api_answers_429_per_person(self):
        tara = self.signed_in_client("teacher")
        for _ in range(3):
            self.assertEqual(tara.get("/api/courses").status_code, 200)
        response = tara.get("/api/courses")
        self.assertEqual(response.status_code, 429)
        self.assertIn("Retry-After", response)
        self.assertIn("throttled", response.json()["detail"])
        self.assertEqual(self.signed_in_client("student").get("/api/courses").status_code, 200)

    def test_the_institution_as_a_whole_is_capped(self):
        for key in ["teacher", "student", "classmate"]:
            client = self.signed_in_client(key)
            for _ in range(2):
                client.get("/api/courses")
        self.assertEqual(self.signed_in_client("outsider").get("/api/courses").status_code, 429)

    def test_riverside_is_not_throttled_by_northside(self):
        tara = self.signed_in_client("teacher")
        for _ in range(6):
            tara.get("/api/courses")
        rita = self.signed_in_client("riverside_teacher", self.riverside)
        self.assertEqual(rita.get("/api/courses").status_code, 200)

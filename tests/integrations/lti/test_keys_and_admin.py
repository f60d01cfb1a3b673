"""The tool's keys (encrypted, rotated, published) and the institution admin's LMS pages."""

import jwt
from django.db import connection
from django_tenants.utils import tenant_context

from integrations.lti import keys
from integrations.lti.models import PlatformRegistration, ToolKey
from tests.base import InstitutionTestCase


class ToolKeyTests(InstitutionTestCase):
    def test_the_jwks_endpoint_publishes_the_active_and_previous_keys_only(self):
        first = self.client.get("/lti/jwks.json").json()["keys"]
        self.assertEqual(len(first), 1)
        self.assertEqual(first[0]["alg"], "RS256")
        self.assertNotIn("d", first[0])  # public only
        keys.rotate_tool_key()
        second = {k["kid"] for k in self.client.get("/lti/jwks.json").json()["keys"]}
        self.assertEqual(len(second), 2)
        self.assertIn(first[0]["kid"], second)  # still verifiable during rotation
        keys.rotate_tool_key()
        third = {k["kid"] for k in self.client.get("/lti/jwks.json").json()["keys"]}
        self.assertNotIn(first[0]["kid"], third)
        self.assertEqual(ToolKey.objects.get(kid=first[0]["kid"]).status, ToolKey.Status.RETIRED)

    def test_tokens_are_signed_with_the_active_key_and_verify_against_the_published_set(self):
        token = keys.sign({"hello": "world"})
        kid = jwt.get_unverified_header(token)["kid"]
        published = {k["kid"]: k for k in self.client.get("/lti/jwks.json").json()["keys"]}
        self.assertEqual(jwt.decode(token, jwt.PyJWK.from_dict(published[kid]).key, algorithms=["RS256"]),
                         {"hello": "world"})

    def test_the_private_key_is_stored_encrypted_and_bound_to_the_institution(self):
        key = keys.active_key()
        stored = bytes(key.private_key_encrypted)
        self.assertNotIn(b"PRIVATE KEY", stored)
        fernet_here = keys._fernet()
        self.assertIn(b"PRIVATE KEY", fernet_here.decrypt(stored))
        with tenant_context(self.riverside):
            from cryptography.fernet import InvalidToken

            with self.assertRaises(InvalidToken):
                keys._fernet().decrypt(stored)
        self.assertEqual(connection.schema_name, self.northside.schema_name)


class LtiAdminTests(InstitutionTestCase):
    def test_the_setup_page_shows_this_institutions_urls_and_per_lms_steps(self):
        admin = self.signed_in_client("admin")
        page = admin.get("/admin/integrations_lti/platformregistration/setup/")
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        for url in ("http://northside.localhost/lti/login/", "http://northside.localhost/lti/launch/",
                    "http://northside.localhost/lti/jwks.json", "http://northside.localhost/lti/config/canvas.json"):
            self.assertIn(url, html)
        for lms in ("Canvas", "Moodle", "Blackboard", "D2L Brightspace"):
            self.assertIn(f"<h2>{lms}</h2>", html)
        self.assertIn("oidc_initiation_url", html)
        self.assertNotIn("riverside", html)

    def test_the_canvas_json_names_this_institutions_endpoints(self):
        config = self.client.get("/lti/config/canvas.json").json()
        self.assertEqual(config["oidc_initiation_url"], "http://northside.localhost/lti/login/")
        self.assertEqual(config["public_jwk_url"], "http://northside.localhost/lti/jwks.json")
        self.assertIn("https://purl.imsglobal.org/spec/lti-ags/scope/score", config["scopes"])

    def test_an_admin_adds_a_registration_with_deployments(self):
        admin = self.signed_in_client("admin")
        response = admin.post("/admin/integrations_lti/platformregistration/add/", {
            "name": "Northside Moodle", "lms": "moodle", "is_active": "on",
            "issuer": "https://moodle.northside.example", "client_id": "abc123",
            "auth_login_url": "https://moodle.northside.example/mod/lti/auth.php",
            "auth_token_url": "https://moodle.northside.example/mod/lti/token.php", "auth_token_audience": "",
            "key_set_url": "https://moodle.northside.example/mod/lti/certs.php",
            "deployments-TOTAL_FORMS": "1", "deployments-INITIAL_FORMS": "0", "deployments-MIN_NUM_FORMS": "0",
            "deployments-MAX_NUM_FORMS": "1000", "deployments-0-deployment_id": "2", "deployments-0-label": "Site",
        })
        self.assertEqual(response.status_code, 302, response.content[:1500])
        registration = PlatformRegistration.objects.get(client_id="abc123")
        self.assertEqual(list(registration.deployments.values_list("deployment_id", flat=True)), ["2"])

    def test_the_key_page_never_shows_the_private_key_and_rotation_is_an_action(self):
        admin = self.signed_in_client("admin")
        listing = admin.get("/admin/integrations_lti/toolkey/")
        self.assertEqual(listing.status_code, 200)
        key = ToolKey.objects.get()
        detail = admin.get(f"/admin/integrations_lti/toolkey/{key.pk}/change/").content.decode()
        self.assertNotIn("private_key", detail)
        self.assertNotIn(bytes(key.private_key_encrypted).decode()[:20], detail)
        admin.post("/admin/integrations_lti/toolkey/", {"action": "rotate", "_selected_action": [key.pk]})
        self.assertEqual(ToolKey.objects.filter(status="active").exclude(pk=key.pk).count(), 1)

    def test_teachers_cannot_open_the_lms_admin(self):
        teacher = self.signed_in_client("teacher")
        response = teacher.get("/admin/integrations_lti/platformregistration/setup/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])


class OutboundUrlTests(InstitutionTestCase):
    def test_outside_debug_only_public_https_urls_are_called(self):
        from django.test import override_settings

        from integrations.lti.outbound import UnsafeUrl, check_outbound_url

        with override_settings(DEBUG=False, TESTING=False):
            self.assertEqual(check_outbound_url("https://canvas.example/jwks"), "https://canvas.example/jwks")
            for url in ("http://canvas.example/jwks", "https://127.0.0.1/x", "https://169.254.169.254/latest",
                        "https://10.0.0.5/token", "https://[::1]/x", "https://localhost/x", "file:///etc/passwd"):
                with self.subTest(url), self.assertRaises(UnsafeUrl):
                    check_outbound_url(url)


class LinkedPeopleAdminTests(InstitutionTestCase):
    def test_admins_see_lms_links_and_passbacks_read_only(self):
        admin = self.signed_in_client("admin")
        for path in ("/admin/integrations_lti/ltiidentity/", "/admin/integrations_lti/gradepassback/"):
            with self.subTest(path):
                self.assertEqual(admin.get(path).status_code, 200)
                self.assertEqual(admin.get(path + "add/").status_code, 403)

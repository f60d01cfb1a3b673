import hashlib
from datetime import timedelta

from auditlog.models import LogEntry
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from integrations.scim.actions import do_create_scim_token, do_revoke_scim_token
from integrations.scim.models import ScimToken
from tests.integrations.scim.base import ScimClient, ScimTestCase

ENDPOINTS = ["Users", "Groups", "ServiceProviderConfig", "ResourceTypes", "Schemas",
             "Users/1", "Groups/teachers", "ResourceTypes/User"]


class TokenAuthTests(ScimTestCase):
    def assert_refused(self, client, status=401):
        for path in ENDPOINTS:
            with self.subTest(path=path):
                response = client.call("get", path)
                self.assert_scim_error(response, status)
                if status == 401:
                    self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="scim"')
        response = client.call("post", "Users", {"userName": "x@northside.example"})
        self.assert_scim_error(response, status)

    def test_it_lets_a_live_token_in(self):
        for path in ENDPOINTS:
            with self.subTest(path=path):
                self.assertIn(self.scim.call("get", path).status_code, {200, 404})
        self.assertEqual(self.scim.call("get", "Users").status_code, 200)

    def test_it_refuses_no_token(self):
        self.assert_refused(ScimClient(self.northside))

    def test_it_refuses_a_wrong_token(self):
        self.assert_refused(ScimClient(self.northside, "st_scim_" + "A" * 43))

    def test_it_refuses_a_malformed_authorization_header(self):
        self.assert_refused(ScimClient(self.northside, HTTP_AUTHORIZATION=f"Bearer {self.raw_token} extra"))
        self.assert_refused(ScimClient(self.northside, HTTP_AUTHORIZATION=f"Basic {self.raw_token}"))
        self.assert_refused(ScimClient(self.northside, HTTP_AUTHORIZATION="Bearer"))

    def test_it_refuses_the_hash_used_as_a_token(self):
        self.assert_refused(ScimClient(self.northside, self.token.token_hash))

    def test_it_refuses_a_revoked_token(self):
        do_revoke_scim_token(self.token, acting_user=self.person("admin"))
        self.assert_refused(self.scim)

    def test_a_signed_in_admins_session_does_not_get_in(self):
        # DRF's SessionAuthentication is not among SCIM's authenticators: a session is ignored.
        admin = self.signed_in_client("admin")
        response = admin.get("/scim/v2/Users")
        self.assertEqual(response.status_code, 401)
        response = admin.post("/scim/v2/Users", data="{}", content_type="application/scim+json")
        self.assertEqual(response.status_code, 401)

    def test_a_northside_token_is_useless_at_riverside(self):
        self.assert_refused(ScimClient(self.riverside, self.raw_token))

    def test_a_riverside_token_sees_only_riverside(self):
        with tenant_context(self.riverside):
            _, raw = do_create_scim_token("Riverside Okta", acting_user=self.person("riverside_teacher"))
        riverside = ScimClient(self.riverside, raw)
        names = {r["userName"] for r in riverside.call("get", "Users").json()["Resources"]}
        self.assertEqual(names, {"rita@riverside.example", "rory@riverside.example", "setup-admin@riverside.example"})
        # Ids are per schema, so Sam's number may name someone at Riverside: never Sam.
        sam = self.person("student")
        response = riverside.call("get", f"Users/{sam.pk}")
        self.assertNotIn(b"sam@northside.example", response.content)
        riverside.call("patch", f"Users/{sam.pk}",
                       {"Operations": [{"op": "replace", "path": "active", "value": False}]})
        sam.refresh_from_db()
        self.assertTrue(sam.is_active)
        self.assert_refused(ScimClient(self.northside, raw))

    def test_it_stores_only_a_hash(self):
        self.assertEqual(self.token.token_hash, hashlib.sha256(self.raw_token.encode()).hexdigest())
        self.assertFalse(ScimToken.objects.filter(token_hash__contains=self.raw_token).exists())
        self.assertTrue(self.raw_token.startswith(self.token.prefix))
        self.assertGreaterEqual(len(self.raw_token), 40)
        for entry in LogEntry.objects.get_for_object(self.token):
            self.assertNotIn(self.raw_token, str(entry.changes))
            self.assertNotIn(self.token.token_hash, str(entry.changes))

    def test_it_records_when_a_token_was_last_used_at_most_once_a_minute(self):
        self.assertIsNone(self.token.last_used_at)
        self.scim.call("get", "ServiceProviderConfig")
        first = ScimToken.objects.get(pk=self.token.pk).last_used_at
        self.assertIsNotNone(first)
        with self.assertNumQueries(1):  # the token; no UPDATE within the minute
            self.scim.call("get", "ServiceProviderConfig")
        ScimToken.objects.filter(pk=self.token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
        self.scim.call("get", "ServiceProviderConfig")
        self.assertGreater(ScimToken.objects.get(pk=self.token.pk).last_used_at, first)

    @override_settings(SCRIBETREE_SCIM_ENABLED=False)
    def test_it_is_404_when_scim_is_switched_off(self):
        self.assertEqual(self.scim.call("get", "Users").status_code, 404)


class TokenAdminTests(ScimTestCase):
    def test_the_admin_makes_a_token_and_sees_it_once(self):
        admin = self.signed_in_client("admin")
        response = admin.post("/admin/integrations_scim/scimtoken/add/", {"name": "Okta"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response["Cache-Control"])
        token = ScimToken.objects.get(name="Okta")
        raw = response.context["raw_token"]
        self.assertEqual(token.token_hash, hashlib.sha256(raw.encode()).hexdigest())
        self.assertContains(response, raw)
        self.assertContains(response, "http://northside.localhost/scim/v2/")
        self.assertEqual(token.created_by, self.person("admin"))
        page = admin.get(f"/admin/integrations_scim/scimtoken/{token.pk}/change/")
        self.assertNotContains(page, raw)
        listing = admin.get("/admin/integrations_scim/scimtoken/")
        self.assertNotContains(listing, raw)
        self.assertContains(listing, token.prefix)
        self.assertEqual(ScimClient(self.northside, raw).call("get", "Users").status_code, 200)

    def test_the_admin_revokes_a_token(self):
        admin = self.signed_in_client("admin")
        admin.post("/admin/integrations_scim/scimtoken/", {"action": "revoke", "_selected_action": [self.token.pk]})
        self.token.refresh_from_db()
        self.assertIsNotNone(self.token.revoked_at)
        self.assertEqual(self.scim.call("get", "Users").status_code, 401)
        self.assertContains(admin.get("/admin/integrations_scim/scimtoken/"), "revoked")

    def test_the_token_list_has_a_constant_number_of_queries(self):
        admin = self.signed_in_client("admin")
        admin.get("/admin/integrations_scim/scimtoken/")  # warms the host directory (one query, once per process)
        for count in (1, 6):
            while ScimToken.objects.count() < count:
                do_create_scim_token("Another", acting_user=self.person("admin"))
            # session, the admin, their TOTP check, COUNT (filtered), COUNT (all), the tokens with their
            # issuer (one JOIN).
            with self.assertNumQueries(6):
                response = admin.get("/admin/integrations_scim/scimtoken/")
            self.assertEqual(response.context["cl"].result_count, count)

    def test_tokens_cannot_be_deleted(self):
        admin = self.signed_in_client("admin")
        response = admin.post(f"/admin/integrations_scim/scimtoken/{self.token.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 403)

    def test_teachers_and_privacy_officers_cannot_reach_tokens(self):
        for key in ["teacher", "privacy_officer"]:
            with self.subTest(key=key):
                response = self.signed_in_client(key).get("/admin/integrations_scim/scimtoken/")
                self.assertIn(response.status_code, {302, 403})

    def test_riversides_admin_never_sees_northsides_tokens(self):
        with tenant_context(self.riverside):
            from accounts.actions import do_create_user
            from accounts.models import Role
            from tests.base import PASSWORD

            rivadmin = do_create_user("rivadmin@riverside.example", "Riv Admin", Role.INSTITUTION_ADMIN,
                                      password=PASSWORD, acting_user=None)
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
            TOTP.activate(rivadmin, generate_totp_secret())
        client = ScimClient(self.riverside)
        client.force_login(rivadmin)
        listing = client.get("/admin/integrations_scim/scimtoken/")
        self.assertEqual(listing.status_code, 200)
        self.assertNotContains(listing, self.token.prefix)
        self.assertEqual(client.get(f"/admin/integrations_scim/scimtoken/{self.token.pk}/change/").status_code, 302)

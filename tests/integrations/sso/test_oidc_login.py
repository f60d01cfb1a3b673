"""Google Workspace and Microsoft Entra sign-in, with the providers faked at the HTTP boundary.

`responses` answers allauth's real HTTP calls (discovery, token endpoint, JWKS) with what Google
and Entra send: a token response whose id_token is a real RS256 JWT signed by a test key.
"""

import json
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django_tenants.utils import tenant_context

from accounts.models import User
from integrations.sso.actions import do_save_oidc_provider
from integrations.sso.models import OidcProvider
from tests.base import InstitutionTestCase

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "test-key", "alg": "RS256",
       "use": "sig"}
TENANT = "0b5c3f6e-1111-2222-3333-444455556666"
ENTRA = f"https://login.microsoftonline.com/{TENANT}/v2.0"
GOOGLE_ISSUER = "https://accounts.google.com"


def id_token(claims, issuer, audience):
    now = int(time.time())
    payload = {"iss": issuer, "aud": audience, "iat": now, "exp": now + 600, "sub": "sub-" + claims["email"],
               "jti": f"jti-{now}-{claims['email']}", **claims}
    return jwt.encode(payload, KEY, algorithm="RS256", headers={"kid": "test-key"})


class OidcTestCase(InstitutionTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        do_save_oidc_provider(OidcProvider(kind="google", enabled=True, client_id="northside-google",
                                           client_secret="google-secret-1234", email_domains="northside.example"),
                              acting_user=None)
        do_save_oidc_provider(OidcProvider(kind="microsoft", enabled=True, client_id="northside-entra",
                                           client_secret="entra-secret-5678", entra_tenant=TENANT,
                                           email_domains="northside.example, staff.northside.example"),
                              acting_user=None)

    def setUp(self):
        super().setUp()
        cache.clear()
        self.http = responses.RequestsMock(assert_all_requests_are_fired=False)
        self.http.start()
        self.addCleanup(self.http.stop)
        self.addCleanup(self.http.reset)
        self.http.add(responses.GET, f"{ENTRA}/.well-known/openid-configuration", json={
            "issuer": ENTRA, "authorization_endpoint": f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize",
            "token_endpoint": f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token",
            "jwks_uri": f"https://login.microsoftonline.com/{TENANT}/discovery/v2.0/keys",
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        })
        self.http.add(responses.GET, f"https://login.microsoftonline.com/{TENANT}/discovery/v2.0/keys",
                      json={"keys": [JWK]})

    def answer_token(self, url, token):
        self.http.add(responses.POST, url, json={"access_token": "at-123", "token_type": "Bearer",
                                                 "expires_in": 3600, "id_token": token})

    def google_sign_in(self, claims, client=None, audience="northside-google", issuer=GOOGLE_ISSUER):
        client = client or self.client
        start = client.post("/accounts/google/login/", {"process": "login"})
        self.assertEqual(start.status_code, 302)
        location = urlsplit(start["Location"])
        self.assertEqual(location.netloc, "accounts.google.com")
        query = parse_qs(location.query)
        self.assertEqual(query["client_id"], ["northside-google"])
        self.assertEqual(query["hd"], ["northside.example"])
        self.answer_token("https://oauth2.googleapis.com/token", id_token(claims, issuer, audience))
        return client.get("/accounts/google/login/callback/", {"code": "auth-code", "state": query["state"][0]})

    def entra_sign_in(self, claims, client=None):
        client = client or self.client
        start = client.post("/accounts/oidc/entra/login/", {"process": "login"})
        self.assertEqual(start.status_code, 302, start.content[:300])
        query = parse_qs(urlsplit(start["Location"]).query)
        self.assertEqual(query["client_id"], ["northside-entra"])
        self.answer_token(f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token",
                          id_token(claims, ENTRA, "northside-entra"))
        return client.get("/accounts/oidc/entra/login/callback/", {"code": "auth-code", "state": query["state"][0]})

    def assertSignedInAs(self, user):
        self.assertEqual(str(self.client.session.get("_auth_user_id")), str(user.pk))

    def assertRefused(self, response, code):
        self.assertContains(response, f"<code>{code}</code>", status_code=403)
        self.assertNotIn("_auth_user_id", self.client.session)


class GoogleTests(OidcTestCase):
    def test_it_signs_in_an_existing_person_of_the_institutions_domain(self):
        tara = self.person("teacher")
        response = self.google_sign_in({"email": tara.email, "email_verified": True, "hd": "northside.example"})
        self.assertRedirects(response, "/teacher/", fetch_redirect_response=False)
        self.assertSignedInAs(tara)

    def test_it_refuses_an_account_of_another_domain(self):
        response = self.google_sign_in({"email": "someone@gmail.com", "email_verified": True})
        self.assertRefused(response, "wrong_domain")
        self.assertContains(response, "not one of this school", status_code=403)

    def test_it_refuses_a_personal_google_account_using_a_school_address(self):
        # Verified email in the school's domain, but not managed by its Workspace (no `hd`).
        response = self.google_sign_in({"email": self.person("teacher").email, "email_verified": True})
        self.assertRefused(response, "wrong_domain")

    def test_it_refuses_a_riverside_address_at_northside(self):
        response = self.google_sign_in({"email": self.person("riverside_teacher").email, "email_verified": True})
        self.assertRefused(response, "wrong_domain")

    def test_it_creates_nobody_for_an_unknown_address_of_the_domain(self):
        response = self.google_sign_in({"email": "newbie@northside.example", "email_verified": True,
                                        "hd": "northside.example"})
        self.assertRefused(response, "no_account")
        self.assertFalse(User.objects.filter(email="newbie@northside.example").exists())

    def test_it_refuses_an_id_token_issued_to_another_client(self):
        response = self.google_sign_in({"email": self.person("teacher").email, "email_verified": True,
                                        "hd": "northside.example"}, audience="riverside-google")
        self.assertRefused(response, "provider_error")

    def test_it_refuses_an_id_token_from_another_issuer(self):
        response = self.google_sign_in({"email": self.person("teacher").email, "email_verified": True,
                                        "hd": "northside.example"}, issuer="https://evil.example")
        self.assertRefused(response, "provider_error")

    def test_it_refuses_a_callback_without_the_state_this_browser_started(self):
        self.client.post("/accounts/google/login/", {"process": "login"})
        response = self.client.get("/accounts/google/login/callback/", {"code": "auth-code", "state": "forged"})
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertIn(response.status_code, {403, 400})


class ClientSecretTests(OidcTestCase):
    def test_it_stores_the_secret_sealed_and_sends_it_to_the_token_endpoint(self):
        stored = OidcProvider.objects.get(kind="google").client_secret
        self.assertTrue(stored.startswith("fernet1:"))
        self.assertNotIn("google-secret-1234", stored)
        self.google_sign_in({"email": self.person("teacher").email, "email_verified": True,
                             "hd": "northside.example"})
        token_call = next(c for c in self.http.calls if c.request.url == "https://oauth2.googleapis.com/token")
        self.assertEqual(parse_qs(token_call.request.body)["client_secret"], ["google-secret-1234"])

    def test_it_opens_secrets_sealed_under_a_previous_secret_key(self):
        from django.test import override_settings

        from integrations.sso.secrets import seal, unseal

        with override_settings(SECRET_KEY="old-key-old-key-old-key-old-key-old-key-old-key-old"):
            sealed = seal("rotated-secret")
        with override_settings(SECRET_KEY="new-key-new-key-new-key-new-key-new-key-new-key-new",
                               SECRET_KEY_FALLBACKS=["old-key-old-key-old-key-old-key-old-key-old-key-old"]):
            self.assertEqual(unseal(sealed), "rotated-secret")
        with override_settings(SECRET_KEY="new-key-new-key-new-key-new-key-new-key-new-key-new",
                               SECRET_KEY_FALLBACKS=[]), self.assertLogs("integrations.sso", "WARNING") as logs:
            self.assertEqual(unseal(sealed), "")
        self.assertNotIn("rotated-secret", "".join(logs.output))


class EntraTests(OidcTestCase):
    def test_it_signs_in_an_existing_person_through_the_institutions_directory(self):
        sam = self.person("student")
        response = self.entra_sign_in({"email": sam.email, "tid": TENANT, "name": "Sam Student"})
        self.assertRedirects(response, "/student/", fetch_redirect_response=False)
        self.assertSignedInAs(sam)

    def test_it_refuses_another_domain(self):
        response = self.entra_sign_in({"email": "ceo@contoso.example", "tid": TENANT})
        self.assertRefused(response, "wrong_domain")


class OidcIsolationTests(OidcTestCase):
    def test_it_has_no_google_or_microsoft_sign_in_at_riverside(self):
        riverside = self.client_for(self.riverside)
        self.assertEqual(riverside.post("/accounts/google/login/", {"process": "login"}).status_code, 404)
        self.assertEqual(riverside.post("/accounts/oidc/entra/login/", {"process": "login"}).status_code, 404)
        self.assertNotContains(riverside.get("/accounts/login/"), "Sign in with Google")
        self.assertContains(self.client.get("/accounts/login/"), "Sign in with Google")

    def test_it_keeps_each_institutions_client_to_itself(self):
        with tenant_context(self.riverside):
            do_save_oidc_provider(OidcProvider(kind="google", enabled=True, client_id="riverside-google",
                                               client_secret="r-secret", email_domains="riverside.example"),
                                  acting_user=None)
        start = self.client_for(self.riverside).post("/accounts/google/login/", {"process": "login"})
        self.assertEqual(parse_qs(urlsplit(start["Location"]).query)["client_id"], ["riverside-google"])
        start = self.client.post("/accounts/google/login/", {"process": "login"})
        self.assertEqual(parse_qs(urlsplit(start["Location"]).query)["client_id"], ["northside-google"])

"""Northside with a SAML IdP (a DevIdP built from a test key pair), and Riverside with its own.

Responses are real: built as XML and signed with python-xmlsec's template API in
integrations/sso/dev_idp.py, then posted to allauth's ACS the way a browser would.
"""

from urllib.parse import parse_qs, urlsplit

from django.core.cache import cache
from django_tenants.utils import tenant_context

from integrations.sso.actions import do_save_saml_provider
from integrations.sso.dev_idp import DevIdP, KeyPair, attributes_for, parse_authn_request
from integrations.sso.models import SamlIdentityProvider
from tests.base import InstitutionTestCase

# Generated once per test process (RSA key generation is the slow part).
NORTHSIDE_KEYS = KeyPair.generate("Northside test IdP")
RIVERSIDE_KEYS = KeyPair.generate("Riverside test IdP")
ATTACKER_KEYS = KeyPair.generate("Northside test IdP")  # same name, different key

NORTHSIDE_ACS = "http://northside.localhost/accounts/saml/northside/acs/"
NORTHSIDE_SP = "http://northside.localhost/accounts/saml/northside/metadata/"
RIVERSIDE_ACS = "http://riverside.localhost/accounts/saml/riverside/acs/"
RIVERSIDE_SP = "http://riverside.localhost/accounts/saml/riverside/metadata/"


def person(email, given="Sam", surname="Student", affiliation=("student",), number=""):
    return {"email": email, "given": given, "surname": surname, "affiliation": list(affiliation), "number": number}


def configure_saml(idp, *, acting_user=None, **fields):
    config = SamlIdentityProvider.objects.first() or SamlIdentityProvider()
    config.enabled = True
    config.name = "School account"
    config.entity_id, config.sso_url, config.x509cert = idp.entity_id, idp.sso_url, idp.key_pair.cert_base64
    for name, value in fields.items():
        setattr(config, name, value)
    return do_save_saml_provider(config, acting_user=acting_user)


class SamlTestCase(InstitutionTestCase):
    """Adds: `idp` (Northside's IdP; JIT on, IdP-initiated off) and `riverside_idp` (Riverside's,
    configured at Riverside with its own key)."""

    idp = DevIdP("https://idp.northside.example/saml", "https://idp.northside.example/sso", NORTHSIDE_KEYS)
    riverside_idp = DevIdP("https://idp.riverside.example/saml", "https://idp.riverside.example/sso",
                           RIVERSIDE_KEYS)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.saml_config = configure_saml(cls.idp, jit_provisioning=True)
        with tenant_context(cls.riverside):
            configure_saml(cls.riverside_idp, jit_provisioning=True)

    def setUp(self):
        super().setUp()
        cache.clear()  # rate-limit counters live in the cache

    # --- the browser's side of the flow --------------------------------------------------------
    def start_login(self, client=None, next_url=None, slug="northside"):
        """POST the sign-in button; returns the AuthnRequest's ID the IdP would answer."""
        client = client or self.client
        data = {"process": "login"}
        if next_url:
            data["next"] = next_url
        response = client.post(f"/accounts/saml/{slug}/login/", data)
        self.assertEqual(response.status_code, 302, response.content[:500])
        location = urlsplit(response["Location"])
        request = parse_authn_request(parse_qs(location.query)["SAMLRequest"][0])
        return request

    def post_to_acs(self, root, client=None, relay_state="", slug="northside", idp=None):
        """POST a SAMLResponse to the ACS as the browser would, then follow allauth's hop to finish."""
        client = client or self.client
        idp = idp or self.idp
        response = client.post(f"/accounts/saml/{slug}/acs/", {"SAMLResponse": idp.encode(root),
                                                                "RelayState": relay_state})
        if response.status_code != 302 or "/acs/finish/" not in response["Location"]:
            return response
        return client.get(response["Location"])

    def response_for(self, who, request=None, **kwargs):
        kwargs.setdefault("acs_url", NORTHSIDE_ACS)
        kwargs.setdefault("audience", NORTHSIDE_SP)
        idp = kwargs.pop("idp", self.idp)
        return idp.response_xml(name_id=who["email"], attributes=attributes_for(who),
                                in_response_to=request["id"] if request else None, **kwargs)

    def sign_in(self, who, client=None, **kwargs):
        client = client or self.client
        request = self.start_login(client)
        return self.post_to_acs(self.response_for(who, request, **kwargs), client=client)

    def assertSignedInAs(self, client, user):
        with tenant_context(client.institution):  # the session row lives in that schema
            self.assertEqual(str(client.session.get("_auth_user_id")), str(user.pk))

    def assertRefused(self, response, client=None, code=None):
        client = client or self.client
        self.assertEqual(response.status_code, 403, response.content[:1000])
        self.assertContains(response, "Sign-in did not work", status_code=403)
        self.assertNotContains(response, "Traceback", status_code=403)
        if code:
            self.assertContains(response, f"<code>{code}</code>", status_code=403)
        self.assertNotIn("_auth_user_id", client.session)

"""An institution's admin sets up SAML and Google/Microsoft sign-in in its own Django admin."""

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from accounts.actions import do_create_user
from accounts.models import Role
from integrations.sso.dev_idp import DevIdP
from integrations.sso.models import OidcProvider, SamlIdentityProvider
from tests.base import PASSWORD, InstitutionTestCase
from tests.integrations.sso.base import NORTHSIDE_KEYS

IDP = DevIdP("https://idp.northside.example/saml", "https://idp.northside.example/sso", NORTHSIDE_KEYS)
SAML_ADD = "/admin/integrations_sso/samlidentityprovider/add/"
OIDC_ADD = "/admin/integrations_sso/oidcprovider/add/"


def saml_form(**overrides):
    data = {
        "enabled": "on", "name": "Northside account", "metadata_url": "", "entity_id": "", "sso_url": "",
        "x509cert": "", "attr_email": "urn:oid:0.9.2342.19200300.100.1.3", "attr_first_name": "urn:oid:2.5.4.42",
        "attr_last_name": "urn:oid:2.5.4.4", "attr_full_name": "", "attr_role": "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
        "attr_student_number": "", "student_values": "student", "teacher_values": "faculty",
        "unmatched_role": "refuse", "jit_provisioning": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class SamlAdminTests(InstitutionTestCase):
    def setUp(self):
        super().setUp()
        self.admin = self.signed_in_client("admin")

    def test_it_lists_single_sign_on_in_the_institutions_admin(self):
        index = self.admin.get("/admin/")
        self.assertContains(index, "Single sign-on")
        self.assertContains(index, "SAML identity providers")
        self.assertNotContains(index, "Social applications")  # allauth's table is unused

    def test_it_reads_an_uploaded_metadata_file(self):
        upload = SimpleUploadedFile("idp.xml", IDP.metadata_xml().encode(), content_type="text/xml")
        response = self.admin.post(SAML_ADD, saml_form(metadata_file=upload))
        self.assertEqual(response.status_code, 302, response.content[:2000])
        config = SamlIdentityProvider.objects.get()
        self.assertEqual((config.entity_id, config.sso_url, config.x509cert),
                         (IDP.entity_id, IDP.sso_url, NORTHSIDE_KEYS.cert_base64))
        entry = LogEntry.objects.get_for_object(config).get()
        self.assertEqual(entry.actor, self.person("admin"))

    def test_it_accepts_entity_id_url_and_certificate_typed_in(self):
        response = self.admin.post(SAML_ADD, saml_form(entity_id=IDP.entity_id, sso_url=IDP.sso_url,
                                                       x509cert=NORTHSIDE_KEYS.cert_pem.decode()))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(SamlIdentityProvider.objects.get().is_complete)

    def test_it_refuses_a_metadata_url_on_a_local_address_without_fetching_it(self):
        for url in ["https://127.0.0.1/metadata", "https://localhost:8009/metadata", "http://idp.example/m"]:
            with self.subTest(url=url):
                response = self.admin.post(SAML_ADD, saml_form(metadata_url=url))
                self.assertEqual(response.status_code, 200)
                self.assertFalse(SamlIdentityProvider.objects.exists())

    def test_it_refuses_to_turn_on_an_incomplete_idp(self):
        response = self.admin.post(SAML_ADD, saml_form())
        self.assertContains(response, "To turn sign-in on")
        self.assertFalse(SamlIdentityProvider.objects.exists())

    def test_it_shows_the_service_provider_details_to_give_the_idp(self):
        self.admin.post(SAML_ADD, saml_form(entity_id=IDP.entity_id, sso_url=IDP.sso_url,
                                            x509cert=NORTHSIDE_KEYS.cert_base64))
        config = SamlIdentityProvider.objects.get()
        page = self.admin.get(f"/admin/integrations_sso/samlidentityprovider/{config.pk}/change/")
        self.assertContains(page, "northside.localhost/accounts/saml/northside/metadata/")
        self.assertContains(page, "northside.localhost/accounts/saml/northside/acs/")

    def test_it_allows_only_one_idp(self):
        self.admin.post(SAML_ADD, saml_form(entity_id=IDP.entity_id, sso_url=IDP.sso_url,
                                            x509cert=NORTHSIDE_KEYS.cert_base64))
        existing = SamlIdentityProvider.objects.get()
        response = self.admin.get(SAML_ADD)  # the one there is, to change
        self.assertRedirects(response, f"/admin/integrations_sso/samlidentityprovider/{existing.pk}/change/")
        self.admin.post(SAML_ADD, saml_form(entity_id="https://second.example/idp", sso_url=IDP.sso_url,
                                            x509cert=NORTHSIDE_KEYS.cert_base64))
        self.assertEqual(SamlIdentityProvider.objects.count(), 1)

    def test_it_is_closed_to_teachers_and_privacy_officers(self):
        self.assertEqual(self.signed_in_client("teacher").get(SAML_ADD).status_code, 302)
        self.assertEqual(self.signed_in_client("privacy_officer").get(SAML_ADD).status_code, 403)


class OidcAdminTests(InstitutionTestCase):
    def setUp(self):
        super().setUp()
        self.admin = self.signed_in_client("admin")

    def add_google(self, **overrides):
        data = {"kind": "google", "enabled": "on", "client_id": "northside-google",
                "client_secret": "s3cret-value-WXYZ", "entra_tenant": "", "email_domains": "Northside.example"}
        data.update(overrides)
        return self.admin.post(OIDC_ADD, data)

    def test_it_never_shows_the_client_secret_back(self):
        self.assertEqual(self.add_google().status_code, 302)
        provider = OidcProvider.objects.get()
        self.assertEqual(provider.email_domains, "northside.example")
        self.assertNotIn("s3cret-value", provider.client_secret)  # sealed at rest
        listing = self.admin.get("/admin/integrations_sso/oidcprovider/")
        self.assertContains(listing, "••••WXYZ")
        self.assertNotContains(listing, "s3cret-value")
        change = self.admin.get(f"/admin/integrations_sso/oidcprovider/{provider.pk}/change/")
        self.assertNotContains(change, "s3cret-value")
        self.assertContains(change, "northside.localhost/accounts/google/login/callback/")
        history = " ".join(str(e.changes) for e in LogEntry.objects.get_for_object(provider))
        self.assertNotIn("s3cret", history)
        self.assertNotIn("WXYZ", history)

    def test_it_keeps_the_secret_when_the_field_is_left_empty(self):
        self.add_google()
        provider = OidcProvider.objects.get()
        self.admin.post(f"/admin/integrations_sso/oidcprovider/{provider.pk}/change/", {
            "kind": "google", "enabled": "on", "client_id": "renamed", "client_secret": "", "entra_tenant": "",
            "email_domains": "northside.example"})
        provider.refresh_from_db()
        self.assertEqual((provider.client_id, provider.secret), ("renamed", "s3cret-value-WXYZ"))

    def test_it_refuses_a_multi_tenant_microsoft_endpoint(self):
        response = self.admin.post(OIDC_ADD, {"kind": "microsoft", "enabled": "on", "client_id": "x",
                                              "client_secret": "y", "entra_tenant": "common",
                                              "email_domains": "northside.example"})
        self.assertContains(response, "not a multi-tenant endpoint")
        self.assertFalse(OidcProvider.objects.exists())


class SsoAdminIsolationTests(InstitutionTestCase):
    def test_it_shows_riverside_none_of_northsides_settings(self):
        northside_admin = self.signed_in_client("admin")
        northside_admin.post(OIDC_ADD, {"kind": "google", "enabled": "on", "client_id": "northside-google",
                                        "client_secret": "secret", "email_domains": "northside.example"})
        northside_pk = OidcProvider.objects.get().pk
        with tenant_context(self.riverside):
            head = do_create_user("head@riverside.example", "Rae Head", Role.INSTITUTION_ADMIN, password=PASSWORD,
                                  acting_user=None)
            TOTP.activate(head, generate_totp_secret())
            self.assertFalse(OidcProvider.objects.exists())
        riverside = self.client_for(self.riverside)
        riverside.force_login(head)
        self.assertNotContains(riverside.get("/admin/integrations_sso/oidcprovider/"), "northside-google")
        page = riverside.get(f"/admin/integrations_sso/oidcprovider/{northside_pk}/change/")
        self.assertIn(page.status_code, {302, 404})
        self.assertNotContains(page, "northside-google", status_code=page.status_code)

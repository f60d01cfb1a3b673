"""Two institutions with SAML at once: each sees only its own IdP, SP metadata and accounts."""

from allauth.socialaccount.adapter import get_adapter
from django.test import RequestFactory
from django_tenants.utils import tenant_context

from tests.integrations.sso.base import (
    NORTHSIDE_ACS,
    NORTHSIDE_SP,
    RIVERSIDE_ACS,
    RIVERSIDE_SP,
    SamlTestCase,
    person,
)


class TwoInstitutionsTests(SamlTestCase):
    def test_it_serves_each_institution_its_own_sp_metadata(self):
        northside = self.client.get("/accounts/saml/northside/metadata/")
        self.assertEqual(northside.status_code, 200)
        self.assertContains(northside, f'entityID="{NORTHSIDE_SP}"')
        self.assertContains(northside, f'Location="{NORTHSIDE_ACS}"')
        self.assertNotContains(northside, "riverside")
        riverside = self.client_for(self.riverside).get("/accounts/saml/riverside/metadata/")
        self.assertContains(riverside, f'entityID="{RIVERSIDE_SP}"')
        self.assertContains(riverside, f'Location="{RIVERSIDE_ACS}"')

    def test_it_has_no_northside_endpoints_at_riverside(self):
        riverside = self.client_for(self.riverside)
        for path in ["/accounts/saml/northside/metadata/", "/accounts/saml/northside/login/"]:
            with self.subTest(path=path):
                self.assertEqual(riverside.get(path).status_code, 404)
        request = self.start_login()
        root = self.response_for(person(self.person("student").email), request)
        self.assertEqual(self.post_to_acs(root, client=riverside).status_code, 404)

    def test_it_signs_people_in_at_both_institutions_without_multiple_apps_errors(self):
        sam = self.person("student")
        self.assertRedirects(self.sign_in(person(sam.email)), "/student/", fetch_redirect_response=False)
        rory = self.person("riverside_student")
        riverside = self.client_for(self.riverside)
        request = self.start_login(riverside, slug="riverside")
        root = self.response_for(person(rory.email), request, idp=self.riverside_idp, acs_url=RIVERSIDE_ACS,
                                 audience=RIVERSIDE_SP)
        response = self.post_to_acs(root, client=riverside, slug="riverside", idp=self.riverside_idp)
        self.assertRedirects(response, "/student/", fetch_redirect_response=False)
        self.assertSignedInAs(riverside, rory)
        # allauth looks a linked account's provider up by "saml" alone (no client id): the path
        # that raised MultipleObjectsReturned with several SAML apps (allauth #3779).
        self.assertEqual(self.client.get("/accounts/3rdparty/").status_code, 200)
        self.assertEqual(riverside.get("/accounts/3rdparty/").status_code, 200)
        for institution, slug in [(self.northside, "northside"), (self.riverside, "riverside")]:
            with tenant_context(institution):
                request = RequestFactory().get("/", HTTP_HOST=f"{slug}.localhost")
                provider = get_adapter().get_provider(request, "saml")
                self.assertEqual(provider.app.client_id, slug)

    def test_it_shows_each_login_page_only_its_own_idp(self):
        with tenant_context(self.riverside):
            from integrations.sso.models import SamlIdentityProvider

            SamlIdentityProvider.objects.update(name="Riverside login")
        self.assertNotContains(self.client.get("/accounts/login/"), "Riverside login")
        self.assertContains(self.client_for(self.riverside).get("/accounts/login/"), "Sign in with Riverside login")

    def test_it_offers_no_sso_on_the_platform_domain(self):
        from tests.base import InstitutionClient

        platform = InstitutionClient(None)
        self.assertNotContains(platform.get("/accounts/login/"), "Sign in with")
        self.assertEqual(platform.get("/accounts/saml/northside/metadata/").status_code, 404)


class SingleLogoutTests(SamlTestCase):
    def test_it_does_not_offer_single_logout(self):
        sam = self.person("student")
        self.sign_in(person(sam.email))
        # An unsigned LogoutRequest would otherwise sign Sam out and redirect wherever it says.
        response = self.client.get("/accounts/saml/northside/sls/",
                                   {"SAMLRequest": "x", "RelayState": "https://evil.example/"})
        self.assertEqual(response.status_code, 404)
        self.assertSignedInAs(self.client, sam)

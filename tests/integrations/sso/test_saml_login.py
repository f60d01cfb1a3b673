import time

from allauth.socialaccount.models import SocialAccount
from auditlog.models import LogEntry

from accounts.models import Role, User
from integrations.sso.dev_idp import attributes_for
from tests.integrations.sso.base import NORTHSIDE_ACS, NORTHSIDE_SP, SamlTestCase, person


class SamlLoginTests(SamlTestCase):
    def test_it_links_an_existing_person_by_email_and_signs_them_in(self):
        sam = self.person("student")
        response = self.sign_in(person(sam.email))
        self.assertRedirects(response, "/student/", fetch_redirect_response=False)
        self.assertSignedInAs(self.client, sam)
        self.assertTrue(SocialAccount.objects.filter(user=sam, provider="saml", uid=sam.email).exists())

    def test_it_signs_in_again_through_the_linked_account_without_a_second_link(self):
        sam = self.person("student")
        self.sign_in(person(sam.email))
        client = self.client_for(self.northside)
        response = self.sign_in(person(sam.email), client=client)
        self.assertRedirects(response, "/student/", fetch_redirect_response=False)
        self.assertSignedInAs(client, sam)
        self.assertEqual(SocialAccount.objects.filter(user=sam).count(), 1)

    def test_it_creates_a_new_student_on_first_sign_in_through_the_audited_action(self):
        response = self.sign_in(person("nina@northside.example", "Nina", "New", ("student", "member"), "NS-42"))
        nina = User.objects.get(email="nina@northside.example")
        self.assertRedirects(response, "/student/", fetch_redirect_response=False)
        self.assertSignedInAs(self.client, nina)
        self.assertEqual((nina.full_name, nina.role, nina.student_number), ("Nina New", Role.STUDENT, "NS-42"))
        self.assertFalse(nina.has_usable_password())
        self.assertTrue(LogEntry.objects.get_for_object(nina).filter(action=LogEntry.Action.CREATE).exists())

    def test_it_maps_a_faculty_affiliation_to_teacher(self):
        self.sign_in(person("fred@northside.example", "Fred", "Faculty", ("faculty", "member")))
        self.assertEqual(User.objects.get(email="fred@northside.example").role, Role.TEACHER)

    def test_it_refuses_a_role_the_rule_does_not_cover(self):
        response = self.sign_in(person("val@northside.example", "Val", "Visitor", ("affiliate",)))
        self.assertRefused(response, code="role_not_allowed")
        self.assertFalse(User.objects.filter(email="val@northside.example").exists())

    def test_it_refuses_an_unknown_person_when_jit_provisioning_is_off(self):
        self.saml_config.jit_provisioning = False
        self.saml_config.save()
        response = self.sign_in(person("nina@northside.example"))
        self.assertRefused(response, code="no_account")
        self.assertFalse(User.objects.filter(email="nina@northside.example").exists())

    def test_it_refuses_a_deactivated_person(self):
        from accounts.actions import do_deactivate_user

        sam = do_deactivate_user(self.person("student"), acting_user=None)
        response = self.sign_in(person(sam.email))
        self.assertRedirects(response, "/accounts/inactive/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_sends_the_person_back_to_the_page_they_asked_for(self):
        request = self.start_login(next_url="/student/?tab=work")
        response = self.post_to_acs(self.response_for(person(self.person("student").email), request))
        self.assertRedirects(response, "/student/?tab=work", fetch_redirect_response=False)

    def test_it_shows_the_sign_in_button_on_the_login_page(self):
        response = self.client.get("/accounts/login/")
        self.assertContains(response, "Sign in with School account")
        self.assertContains(response, 'action="/accounts/saml/northside/login/?process=login')

    def test_it_still_asks_an_admin_for_their_second_factor(self):
        ada = self.person("admin")
        response = self.sign_in(person(ada.email, "Ada", "Admin", ("staff",)))
        self.assertRedirects(response, "/accounts/2fa/authenticate/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_keeps_one_link_when_the_idp_sends_transient_name_ids(self):
        sam = self.person("student")
        transient = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
        for n in range(2):
            client = self.client_for(self.northside)
            request = self.start_login(client)
            root = self.idp.response_xml(acs_url=NORTHSIDE_ACS, audience=NORTHSIDE_SP, name_id=f"_t{n}",
                                         name_id_format=transient, attributes=attributes_for(person(sam.email)),
                                         in_response_to=request["id"])
            self.assertRedirects(self.post_to_acs(root, client=client), "/student/", fetch_redirect_response=False)
        self.assertEqual(list(SocialAccount.objects.filter(user=sam).values_list("uid", flat=True)), [sam.email])

    def test_it_refuses_a_response_to_a_sign_in_started_too_long_ago(self):
        from unittest import mock

        request = self.start_login()
        root = self.response_for(person(self.person("student").email), request)
        later = time.time() + 11 * 60  # allauth keeps a sign-in's state for 10 minutes
        with mock.patch("integrations.sso.saml.time") as clock:
            clock.time.return_value = later
            response = self.post_to_acs(root)
        self.assertRefused(response, code="saml_unknown_request")

    def test_it_builds_the_sign_in_page_with_a_fixed_number_of_queries(self):
        from integrations.sso.actions import do_save_oidc_provider
        from integrations.sso.models import OidcProvider

        do_save_oidc_provider(OidcProvider(kind="google", enabled=True, client_id="g", client_secret="s",
                                           email_domains="northside.example"), acting_user=None)
        self.client.get("/accounts/login/")  # warms the host directory (its own tests pin it)
        # 1. the enabled SAML IdP, 2. the enabled OIDC providers: read once per request and reused
        # by every allauth lookup on the page (integrations.sso.adapter.institution_apps).
        with self.assertNumQueries(2):
            response = self.client.get("/accounts/login/")
        self.assertContains(response, "Sign in with School account")
        self.assertContains(response, "Sign in with Google")

    def test_it_cuts_overlong_attributes_to_fit_rather_than_failing(self):
        response = self.sign_in(person("nina@northside.example", "N" * 300, "", ("student",), "9" * 80))
        self.assertRedirects(response, "/student/", fetch_redirect_response=False)
        nina = User.objects.get(email="nina@northside.example")
        self.assertEqual((len(nina.full_name), len(nina.student_number)), (200, 50))

    def test_it_refuses_a_response_without_an_email_for_a_new_person(self):
        request = self.start_login()
        root = self.idp.response_xml(acs_url=NORTHSIDE_ACS, audience=NORTHSIDE_SP, name_id="opaque-id-123",
                                     name_id_format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                                     attributes={"urn:oid:2.5.4.42": ["Nina"]}, in_response_to=request["id"])
        self.assertRefused(self.post_to_acs(root), code="no_email")

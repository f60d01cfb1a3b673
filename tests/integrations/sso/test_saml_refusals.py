"""Every way a SAML response must be refused (the list in docs/integrations.md)."""

import copy
import datetime as dt

from django.test import override_settings
from django_tenants.utils import tenant_context
from lxml import etree

from accounts.models import User
from integrations.sso.dev_idp import SAML, SAMLP, DevIdP, attributes_for
from integrations.sso.models import SamlAssertionSeen
from tests.integrations.sso.base import (
    ATTACKER_KEYS,
    NORTHSIDE_ACS,
    RIVERSIDE_ACS,
    RIVERSIDE_SP,
    SamlTestCase,
    person,
)


def now():
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class SamlRefusalTests(SamlTestCase):
    def setUp(self):
        super().setUp()
        self.sam = person(self.person("student").email)

    def refused(self, root, code=None, client=None, relay_state=""):
        response = self.post_to_acs(root, client=client, relay_state=relay_state)
        self.assertRefused(response, client=client, code=code)
        return response

    def test_it_refuses_an_unsigned_response(self):
        request = self.start_login()
        self.refused(self.response_for(self.sam, request, sign_assertion=False), "saml_invalid")

    def test_it_refuses_a_response_signed_only_on_the_outside_when_assertions_must_be_signed(self):
        request = self.start_login()
        self.refused(self.response_for(self.sam, request, sign_assertion=False, sign_response=True), "saml_invalid")

    def test_it_requires_the_whole_response_signed_when_the_admin_asks(self):
        self.saml_config.want_messages_signed = True
        self.saml_config.save()
        request = self.start_login()
        self.refused(self.response_for(self.sam, request), "saml_invalid")  # assertion only
        request = self.start_login()
        response = self.post_to_acs(self.response_for(self.sam, request, sign_response=True))
        self.assertRedirects(response, "/student/", fetch_redirect_response=False)

    def test_it_refuses_a_signature_by_another_key(self):
        request = self.start_login()
        self.refused(self.response_for(self.sam, request, key_pair=ATTACKER_KEYS), "saml_invalid")

    def test_it_refuses_an_assertion_changed_after_signing(self):
        request = self.start_login()
        root = self.response_for(self.sam, request)
        name_id = root.find(f".//{{{SAML}}}NameID")
        name_id.text = self.person("admin").email
        self.refused(root, "saml_invalid")

    def test_it_refuses_a_wrong_audience(self):
        request = self.start_login()
        self.refused(self.response_for(self.sam, request, audience="https://other-sp.example/metadata"),
                     "saml_invalid")

    def test_it_refuses_a_wrong_destination(self):
        request = self.start_login()
        self.refused(self.response_for(self.sam, request, destination="https://evil.example/acs"), "saml_invalid")

    def test_it_refuses_a_response_without_destination(self):
        request = self.start_login()
        self.refused(self.response_for(self.sam, request, destination=None), "saml_no_destination")

    def test_it_refuses_an_expired_response(self):
        request = self.start_login()
        self.refused(self.response_for(self.sam, request, not_before=now() - dt.timedelta(minutes=30),
                                       not_on_or_after=now() - dt.timedelta(minutes=6)), "saml_invalid")

    def test_it_refuses_a_response_not_yet_valid_beyond_the_allowed_clock_skew(self):
        request = self.start_login()
        self.refused(self.response_for(self.sam, request, not_before=now() + dt.timedelta(minutes=6),
                                       not_on_or_after=now() + dt.timedelta(minutes=20)), "saml_invalid")

    def test_it_accepts_a_clock_skew_within_the_bound(self):
        request = self.start_login()
        response = self.post_to_acs(self.response_for(self.sam, request, not_before=now() + dt.timedelta(minutes=2)))
        self.assertRedirects(response, "/student/", fetch_redirect_response=False)

    def test_it_refuses_an_assertion_without_an_expiry_on_its_subject(self):
        # It could never be dropped from the replay cache, so it could be replayed later.
        request = self.start_login()
        self.refused(self.response_for(self.sam, request, subject_expiry=False), "saml_no_expiry")

    def test_it_forgets_expired_assertion_ids(self):
        SamlAssertionSeen.objects.create(assertion_id="_long-gone", expires_at=now() - dt.timedelta(minutes=1))
        request = self.start_login()
        self.assertRedirects(self.post_to_acs(self.response_for(self.sam, request)), "/student/",
                             fetch_redirect_response=False)
        self.assertFalse(SamlAssertionSeen.objects.filter(assertion_id="_long-gone").exists())
        self.assertEqual(SamlAssertionSeen.objects.count(), 1)

    def test_it_refuses_sha1_signatures(self):
        request = self.start_login()
        self.refused(self.response_for(self.sam, request, algorithm="sha1"), "saml_invalid")

    def test_it_refuses_an_unsolicited_response_when_idp_initiated_sign_in_is_off(self):
        self.refused(self.response_for(self.sam, None), "saml_unsolicited")

    def test_it_refuses_a_response_to_a_request_this_browser_did_not_make(self):
        self.start_login()  # this browser's own request is pending, but the response names another
        root = self.response_for(self.sam, {"id": "_someone-elses-request"})
        self.refused(root, "saml_unknown_request")

    def test_it_refuses_a_captured_response_posted_from_another_browser(self):
        request = self.start_login()
        root = self.response_for(self.sam, request)
        attacker = self.client_for(self.northside)
        self.refused(root, "saml_unknown_request", client=attacker)

    def test_it_refuses_a_replayed_assertion_even_in_a_fresh_sign_in(self):
        first, second = self.start_login(), self.start_login()
        root = self.response_for(self.sam, first, assertion_id="_once-only")
        self.assertRedirects(self.post_to_acs(root), "/student/", fetch_redirect_response=False)
        # Same browser, its second pending request: only the replay cache can catch this one.
        replay = self.response_for(self.sam, second, assertion_id="_once-only")
        self.assertContains(self.post_to_acs(replay), "<code>saml_replayed</code>", status_code=403)
        self.assertEqual(SamlAssertionSeen.objects.filter(assertion_id="_once-only").count(), 1)

    def test_it_refuses_the_same_idp_initiated_response_twice(self):
        self.saml_config.allow_idp_initiated = True
        self.saml_config.save()
        root = self.response_for(self.sam, None)
        self.assertRedirects(self.post_to_acs(root), "/student/", fetch_redirect_response=False)
        other_browser = self.client_for(self.northside)
        self.refused(root, "saml_replayed", client=other_browser)

    def test_it_refuses_signature_wrapping_with_an_evil_assertion_beside_the_signed_one(self):
        request = self.start_login()
        root = self.response_for(self.sam, request)
        signed = root.find(f"{{{SAML}}}Assertion")
        evil = copy.deepcopy(signed)
        evil.set("ID", "_evil")
        evil.find(f".//{{{SAML}}}NameID").text = self.person("admin").email
        evil.remove(evil.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
        signed.addprevious(evil)
        self.refused(root, "saml_invalid")

    def test_it_refuses_signature_wrapping_with_the_signed_assertion_hidden_in_extensions(self):
        request = self.start_login()
        root = self.response_for(self.sam, request)
        signed = root.find(f"{{{SAML}}}Assertion")
        evil = copy.deepcopy(signed)
        evil.find(f".//{{{SAML}}}NameID").text = self.person("admin").email
        evil.remove(evil.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
        extensions = etree.Element(f"{{{SAMLP}}}Extensions")
        root.find(f"{{{SAML}}}Issuer").addnext(extensions)
        root.remove(signed)
        extensions.append(signed)
        root.append(evil)
        self.refused(root, "saml_invalid")

    def test_it_refuses_signature_wrapping_with_the_signed_assertion_nested_in_an_evil_one(self):
        request = self.start_login()
        root = self.response_for(self.sam, request)
        signed = root.find(f"{{{SAML}}}Assertion")
        evil = copy.deepcopy(signed)
        evil.set("ID", "_evil")
        evil.find(f".//{{{SAML}}}NameID").text = self.person("admin").email
        evil.remove(evil.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
        advice = etree.Element(f"{{{SAML}}}Advice")
        evil.find(f"{{{SAML}}}Conditions").addnext(advice)
        root.replace(signed, evil)
        advice.append(signed)  # the signature still verifies: on the nested original
        self.refused(root, "saml_invalid")

    def test_it_refuses_a_response_from_another_institutions_idp(self):
        request = self.start_login()
        root = self.response_for(self.sam, request, idp=self.riverside_idp)
        self.refused(root, "saml_invalid")

    def test_it_refuses_a_response_meant_for_another_institution_of_the_same_idp(self):
        # A district IdP serving both schools: Riverside's response must not open Northside.
        with tenant_context(self.riverside):
            from tests.integrations.sso.base import configure_saml

            configure_saml(self.idp)
        request = self.start_login()
        root = self.response_for(self.sam, request, acs_url=RIVERSIDE_ACS, audience=RIVERSIDE_SP)
        self.refused(root, "saml_invalid")

    def test_it_refuses_an_idp_claiming_to_be_northside_with_its_own_key(self):
        impostor = DevIdP(self.idp.entity_id, self.idp.sso_url, ATTACKER_KEYS)
        request = self.start_login()
        self.refused(impostor.response_xml(acs_url=NORTHSIDE_ACS, audience=self.saml_config.entity_id,
                                           name_id=self.sam["email"], attributes=attributes_for(self.sam),
                                           in_response_to=request["id"]), "saml_invalid")

    def test_it_never_creates_anyone_from_a_refused_response(self):
        request = self.start_login()
        self.post_to_acs(self.response_for(person("nina@northside.example"), request, sign_assertion=False))
        self.assertFalse(User.objects.filter(email="nina@northside.example").exists())

    def test_it_logs_the_reason_without_personal_data(self):
        with self.assertLogs("integrations.sso", level="WARNING") as logs:
            self.post_to_acs(self.response_for(self.sam, None))
        self.assertIn("reason=saml_unsolicited institution=inst_northside", logs.output[-1])
        self.assertNotIn(self.sam["email"], "\n".join(logs.output))

    @override_settings(DEBUG=False)
    def test_it_shows_no_technical_detail_on_the_error_page(self):
        request = self.start_login()
        response = self.post_to_acs(self.response_for(self.sam, request, audience="https://x.example/"))
        self.assertNotContains(response, "audience", status_code=403)
        self.assertNotContains(response, self.sam["email"], status_code=403)


class RelayStateTests(SamlTestCase):
    """IdP-initiated sign-in (turned on here) may only land on this institution's own paths."""

    def setUp(self):
        super().setUp()
        self.saml_config.allow_idp_initiated = True
        self.saml_config.save()
        self.sam = person(self.person("student").email)

    def land(self, relay_state):
        return self.post_to_acs(self.response_for(self.sam, None), relay_state=relay_state,
                                client=self.client_for(self.northside))

    def test_it_follows_a_relay_state_to_its_own_path(self):
        self.assertRedirects(self.land("/student/?tab=work"), "/student/?tab=work", fetch_redirect_response=False)

    def test_it_never_redirects_elsewhere(self):
        for relay_state in ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                            "http://northside.localhost@evil.example/", "javascript:alert(1)", "https://riverside.localhost/student/",
                            "http://northside.localhost/student/"]:
            with self.subTest(relay_state=relay_state):
                response = self.land(relay_state)
                self.assertRedirects(response, "/student/", fetch_redirect_response=False)

    def test_it_ignores_an_absolute_next_in_sp_initiated_sign_in(self):
        client = self.client_for(self.northside)
        request = self.start_login(client, next_url="https://evil.example/")
        response = self.post_to_acs(self.response_for(self.sam, request), client=client)
        self.assertRedirects(response, "/student/", fetch_redirect_response=False)

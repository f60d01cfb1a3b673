"""The demo: Northside points at the dev IdP, whose pages drive a real sign-in.

(tests/dev/test_seed_demo.py checks that seed_demo calls ensure_demo_saml for Northside only.)"""

import io
from urllib.parse import urlencode, urlsplit

from lxml import html as lxml_html

from accounts.models import Role, User
from integrations.sso.demo import demo_idp, ensure_demo_saml
from integrations.sso.dev_idp import DevIdPApp
from integrations.sso.models import SamlIdentityProvider
from tests.base import InstitutionTestCase


def wsgi_call(app, method, path, query="", body=b""):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    status = []
    content = b"".join(app(environ, lambda s, h: status.append(s)))
    return status[0], content.decode()


class DemoSsoTests(InstitutionTestCase):
    def seed(self):
        ensure_demo_saml()

    def test_it_configures_northside_against_the_dev_idp_once(self):
        self.seed()
        config = SamlIdentityProvider.objects.get()
        idp = demo_idp()
        self.assertEqual((config.entity_id, config.sso_url, config.x509cert),
                         (idp.entity_id, idp.sso_url, idp.key_pair.cert_base64))
        self.assertTrue(config.enabled and config.jit_provisioning)
        updated_at = config.updated_at
        self.seed()
        self.assertEqual(SamlIdentityProvider.objects.get().updated_at, updated_at)

    def test_a_demo_person_signs_in_through_the_dev_idp_pages(self):
        self.seed()
        app = DevIdPApp(demo_idp())
        start = self.client.post("/accounts/saml/northside/login/", {"process": "login"})
        location = urlsplit(start["Location"])
        self.assertEqual(f"{location.scheme}://{location.netloc}{location.path}", demo_idp().sso_url)
        status, page = wsgi_call(app, "GET", "/sso", location.query)
        self.assertEqual(status, "200 OK")
        self.assertIn("Development identity provider", page)
        self.assertIn("new.student@northside.example", page)
        form = lxml_html.fromstring(page).forms[0]
        fields = dict(form.fields)
        fields["person"] = "2"  # new.student@northside.example: created just in time
        status, page = wsgi_call(app, "POST", "/sso/answer", body=urlencode(fields).encode())
        post = lxml_html.fromstring(page).forms[0]
        self.assertEqual(post.action, "http://northside.localhost/accounts/saml/northside/acs/")
        acs = self.client.post(urlsplit(post.action).path, dict(post.fields))
        response = self.client.get(acs["Location"])
        self.assertRedirects(response, "/student/", fetch_redirect_response=False)
        newcomer = User.objects.get(email="new.student@northside.example")
        self.assertEqual((newcomer.role, newcomer.student_number), (Role.STUDENT, "NO-2026-101"))
        self.assertEqual(str(self.client.session["_auth_user_id"]), str(newcomer.pk))

"""A student signs in through the school's SAML IdP in a real browser (dev IdP on loopback)."""

import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def northside_idp(django_db_setup, django_db_blocker):
    """Northside configured (committed) against a dev IdP served on a free loopback port."""
    from accounts.models import User
    from integrations.sso.actions import apply_metadata, do_save_saml_provider
    from integrations.sso.dev_idp import DevIdP, DevIdPApp
    from integrations.sso.models import SamlAssertionSeen, SamlIdentityProvider
    from tenants.models import Institution

    app = DevIdPApp(None)
    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    port = server.server_address[1]
    app.idp = DevIdP(f"http://localhost:{port}/metadata", f"http://localhost:{port}/sso")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with django_db_blocker.unblock():
        northside = Institution.objects.get(slug="northside")
        with tenant_context(northside):
            config = SamlIdentityProvider(enabled=True, name="Northside account", jit_provisioning=True)
            do_save_saml_provider(apply_metadata(config, app.idp.metadata_xml()), acting_user=None)
    try:
        yield app.idp
    finally:
        server.shutdown()
        server.server_close()
        with django_db_blocker.unblock(), tenant_context(northside):
            User.objects.filter(email="new.student@northside.example").delete()
            SamlAssertionSeen.objects.all().delete()
            SamlIdentityProvider.objects.all().delete()


def test_a_new_student_signs_in_through_the_school_idp(live_server_url, northside_idp, browser_page):
    page = browser_page
    page.goto(live_server_url.format(host="northside.localhost") + "/accounts/login/")
    page.get_by_role("button", name="Sign in with Northside account").click()

    page.wait_for_url("**/sso?**")
    assert page.get_by_text("Development identity provider").is_visible()
    page.get_by_role("button", name="Noor Haddad").click()

    page.wait_for_url("**/student/")
    assert page.get_by_role("banner").get_by_text("Northside Academy").is_visible()


def test_a_refused_role_sees_the_sign_in_error_page(live_server_url, northside_idp, browser_page):
    page = browser_page
    page.goto(live_server_url.format(host="northside.localhost") + "/accounts/login/")
    page.get_by_role("button", name="Sign in with Northside account").click()
    page.get_by_role("button", name="Val Visitor").click()

    page.wait_for_url("**/acs/finish/")
    assert page.get_by_role("heading", name="Sign-in did not work").is_visible()
    assert page.get_by_role("alert").get_by_text("has not set up Scribe Tree sign-in for your role").is_visible()
    assert page.get_by_role("link", name="Back to the sign-in page").is_visible()

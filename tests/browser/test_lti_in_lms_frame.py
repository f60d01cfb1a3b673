"""A teacher opens Scribe Tree inside an LMS page, in a browser that blocks third-party cookies.

The LMS (http://lms.test, served by Playwright's request routing) frames the tool's login URL with
`lti_storage_target=_parent` and answers lti.put_data / lti.get_data like Canvas does; its OIDC
endpoint signs the id_token. The tool's key-set fetch is answered by `responses` in this process.
This drives the real postMessage scripts: storage at login, read back at launch, then the
first-party window.
"""

import time
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser

LMS = "http://lms.test"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

LMS_PAGE = """<!doctype html><html><head><title>LMS course</title></head><body>
<h1>English 10 in the LMS</h1>
<iframe id="tool" name="tool" style="width:900px;height:600px" src="%(login)s"></iframe>
<script>
  var store = {};
  window.addEventListener("message", function (e) {
    if (e.origin !== "%(tool_origin)s") return;
    var d = e.data, reply = {message_id: d.message_id, key: d.key};
    if (d.subject === "lti.put_data") {
      store[d.key] = d.value; reply.subject = "lti.put_data.response"; reply.value = d.value;
    }
    else if (d.subject === "lti.get_data") { reply.subject = "lti.get_data.response"; reply.value = store[d.key]; }
    else return;
    window.storageCalls = (window.storageCalls || []).concat([d.subject]);
    e.source.postMessage(reply, e.origin);
  });
</script></body></html>"""


def jwks():
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True)
    jwk.update(kid="lms-key", alg="RS256", use="sig")
    return {"keys": [jwk]}


@pytest.fixture
def lms_registration(django_db_setup, django_db_blocker):
    from accounts.models import User
    from coursework.models import Course
    from integrations.lti.models import Deployment, LtiIdentity, PlatformRegistration
    from tenants.models import Institution

    with django_db_blocker.unblock():
        northside = Institution.objects.get(slug="northside")
        with tenant_context(northside):
            registration = PlatformRegistration.objects.create(
                name="Browser LMS", issuer=LMS, client_id="browser-client", auth_login_url=f"{LMS}/auth",
                auth_token_url=f"{LMS}/token", key_set_url=f"{LMS}/jwks")
            Deployment.objects.create(registration=registration, deployment_id="dep-1")
    yield registration
    with django_db_blocker.unblock(), tenant_context(northside):
        course_ids = list(registration.contexts.values_list("course_id", flat=True))
        user_ids = list(LtiIdentity.objects.filter(registration=registration).values_list("user_id", flat=True))
        registration.delete()
        Course.objects.filter(pk__in=course_ids).delete()
        User.objects.filter(pk__in=user_ids).delete()


@pytest.fixture
def cookie_blocking_page(chromium_path, request):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync",
                  "--test-third-party-cookie-phaseout",
                  # The routed LMS counts as a public site framing a loopback one; real LMSs and tools are both public.
                  "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests"])
        context = browser.new_context()
        try:
            yield context, context.new_page()
        finally:
            failed = getattr(request.node, "rep_call", None)
            if failed is not None and failed.failed:
                from tests.browser.conftest import ARTIFACTS

                ARTIFACTS.mkdir(exist_ok=True)
                for number, page in enumerate(context.pages):
                    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{number}.png"), full_page=True)
            browser.close()


def test_a_teacher_launches_from_an_lms_frame_with_third_party_cookies_blocked(
        live_server_url, lms_registration, cookie_blocking_page):
    context, page = cookie_blocking_page
    tool = live_server_url.format(host="northside.localhost")
    login = f"{tool}/lti/login/?" + urlencode({
        "iss": LMS, "login_hint": "teacher-7", "target_link_uri": f"{tool}/lti/launch/", "client_id": "browser-client",
        "lti_deployment_id": "dep-1", "lti_storage_target": "_parent"})
    launches = []

    def lms(route):
        url = urlparse(route.request.url)
        if url.path == "/course":
            body = LMS_PAGE % {"login": login, "tool_origin": tool}
        elif url.path == "/auth":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            now = int(time.time())
            token = jwt.encode({
                "iss": LMS, "aud": "browser-client", "sub": "teacher-7", "iat": now, "exp": now + 300,
                "nonce": query["nonce"], "name": "Tia Frame",
                LTI + "message_type": "LtiResourceLinkRequest", LTI + "version": "1.3.0",
                LTI + "deployment_id": "dep-1",
                LTI + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
                LTI + "context": {"id": "ctx-1", "title": "English 10 (browser LMS)"},
                LTI + "resource_link": {"id": "rl-1", "title": "Framed essay"},
                LTI + "launch_presentation": {"document_target": "iframe"},
            }, PEM, algorithm="RS256", headers={"kid": "lms-key"})
            body = (f'<form id="f" method="post" action="{query["redirect_uri"]}">'
                    f'<input type="hidden" name="id_token" value="{token}">'
                    f'<input type="hidden" name="state" value="{query["state"]}"></form>'
                    '<script>document.getElementById("f").submit()</script>')
        else:
            return route.fulfill(status=404, body="")
        route.fulfill(status=200, content_type="text/html", body=body)

    context.route(f"{LMS}/**", lms)
    page.on("request", lambda r: launches.append(r.post_data or "") if r.url.endswith("/lti/launch/") else None)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        http.add(responses.GET, f"{LMS}/jwks", json=jwks())
        http.add_passthru(tool)
        page.goto(f"{LMS}/course")
        frame = page.frame_locator("#tool")
        open_button = frame.get_by_role("link", name="Open in Scribe Tree")
        open_button.wait_for(timeout=15000)

        # Two launches: the first arrived without the cookie, the second carried the stored secret.
        assert len(launches) == 2, launches
        assert "lti_storage_secret" in launches[1]
        assert page.evaluate("window.storageCalls") == ["lti.put_data", "lti.get_data"]

        with page.expect_popup() as popup_info:
            open_button.click()
        window = popup_info.value
        window.get_by_role("button", name="Continue as Tia").click()
        window.wait_for_url("**/teach/assignments/*/")
        assert window.get_by_role("heading", name="Framed essay").first.is_visible()

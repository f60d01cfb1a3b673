"""LTI tests: Northside has a Canvas-like LMS registration; the simulated platform is `self.platform`."""

import re

from django.core.cache import cache

from integrations.lti.models import Deployment, PlatformRegistration
from tests.base import InstitutionClient, InstitutionTestCase
from tests.integrations.lti.simulator import ROLE_INSTRUCTOR, ROLE_LEARNER, Platform

LAUNCH_URL = "http://northside.localhost/lti/launch/"


class LtiTestCase(InstitutionTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.registration = cls.register(Platform())

    @staticmethod
    def register(platform, **fields):
        registration = PlatformRegistration.objects.create(
            name="Northside Canvas", lms=PlatformRegistration.Lms.CANVAS, issuer=platform.issuer,
            client_id=platform.client_id, auth_login_url=platform.auth_url, auth_token_url=platform.token_url,
            key_set_url=platform.jwks_url, **fields)
        Deployment.objects.create(registration=registration, deployment_id=platform.deployment_id)
        return registration

    def setUp(self):
        super().setUp()
        cache.clear()  # platform key sets and tokens are cached per registration
        self.platform = Platform().start()
        self.addCleanup(self.platform.stop)

    # --- the browser's side of the protocol ------------------------------------------------------------
    def browser(self, institution=None):
        return InstitutionClient(institution or self.northside)

    def start_login(self, client, platform=None, **extra):
        platform = platform or self.platform
        target = f"http://{client.defaults['HTTP_HOST']}/lti/launch/"
        response = client.post("/lti/login/", platform.login_params(target, **extra))
        if response.status_code != 302:
            return None, None, response
        auth = Platform.auth_request(response["Location"])
        return auth["state"], auth["nonce"], response

    def post_launch(self, client, state, id_token, **extra):
        data = {"id_token": id_token}
        if state is not None:
            data["state"] = state
        return client.post("/lti/launch/", data, **extra)

    def launch(self, client=None, *, platform=None, roles=(ROLE_LEARNER,), **claims):
        """Login initiation then launch, as the LMS and the browser do; returns the launch response."""
        client = client or self.browser()
        platform = platform or self.platform
        state, nonce, response = self.start_login(client, platform)
        assert state, response.content[:500]
        return self.post_launch(client, state, platform.id_token(nonce=nonce, roles=roles, **claims))

    def launch_teacher(self, client=None, **claims):
        claims.setdefault("sub", "lms-teacher-1")
        claims.setdefault("name", "Tom Teacher")
        return self.launch(client, roles=(ROLE_INSTRUCTOR,), **claims)

    def assertRefused(self, response, code, status=400):
        self.assertEqual(response.status_code, status, response.content[:300])
        self.assertIn(f"<code>{code}</code>", response.content.decode())

    def assertSignedOut(self, client):
        self.assertNotIn("_auth_user_id", client.session)


def form_value(html, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else None

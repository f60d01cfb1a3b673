"""SCIM tests talk to /scim/v2/ the way an identity provider does: a bearer token, JSON bodies.

Bodies marked "Entra" or "Okta" follow the requests those services document for SCIM 2.0
provisioning (Microsoft's "Develop and plan provisioning for a SCIM endpoint" request/response
examples and Okta's "SCIM 2.0 protocol reference"), ids and names swapped for ours.
"""

import json

from django.core.cache import cache

from integrations.scim.actions import do_create_scim_token
from tests.base import InstitutionClient, InstitutionTestCase

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimClient(InstitutionClient):
    def __init__(self, institution, token=None, **defaults):
        if token:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        super().__init__(institution, **defaults)

    def call(self, method, path, body=None, **headers):
        url = path if path.startswith("/") else f"/scim/v2/{path}"
        kwargs = {"content_type": SCIM}
        if body is not None:
            kwargs["data"] = json.dumps(body)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        return getattr(self, method)(url, **kwargs, **extra)


class ScimTestCase(InstitutionTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.token, cls.raw_token = do_create_scim_token("Entra", acting_user=cls.people["admin"])

    def setUp(self):
        super().setUp()
        cache.clear()  # throttle histories live in the cache
        self.scim = ScimClient(self.northside, self.raw_token)

    def assert_scim_error(self, response, status, scim_type=None):
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], SCIM)
        body = response.json()
        self.assertEqual(body["schemas"], [ERROR])
        self.assertEqual(body["status"], str(status))
        if scim_type:
            self.assertEqual(body.get("scimType"), scim_type)
        self.assertNotIn("Traceback", response.content.decode())
        return body

from tests.integrations.scim.base import ENTERPRISE, GROUP, SCIM, USER, ScimTestCase


class DiscoveryTests(ScimTestCase):
    def test_service_provider_config_says_what_we_support(self):
        response = self.scim.call("get", "ServiceProviderConfig")
        self.assertEqual(response["Content-Type"], SCIM)
        body = response.json()
        self.assertTrue(body["patch"]["supported"])
        self.assertTrue(body["filter"]["supported"])
        self.assertTrue(body["etag"]["supported"])
        self.assertFalse(body["bulk"]["supported"])
        self.assertFalse(body["changePassword"]["supported"])
        self.assertEqual(body["authenticationSchemes"][0]["type"], "oauthbearertoken")

    def test_resource_types_and_schemas(self):
        types = self.scim.call("get", "ResourceTypes").json()
        self.assertEqual({t["id"] for t in types["Resources"]}, {"User", "Group"})
        self.assertEqual(self.scim.call("get", "ResourceTypes/User").json()["schema"], USER)
        self.assertEqual(self.scim.call("get", "ResourceTypes/Nope").status_code, 404)
        schemas = self.scim.call("get", "Schemas").json()
        self.assertEqual({s["id"] for s in schemas["Resources"]}, {USER, GROUP, ENTERPRISE})
        user = self.scim.call("get", f"Schemas/{USER}").json()
        self.assertIn("userName", [a["name"] for a in user["attributes"]])
        self.assertEqual(self.scim.call("get", "Schemas/urn:nope").status_code, 404)

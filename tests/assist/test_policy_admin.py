"""The institution admin sets the assistant's ceiling in the institution's admin (one policy per institution)."""

from assist.models import AssistPolicy
from tests.base import InstitutionTestCase


class PolicyAdminTests(InstitutionTestCase):
    def post(self, client, **fields):
        data = {"enabled": "on", "allowed": ["clarity", "grammar"], "provider": "local", "base_url": "", "model": "",
                "redact_terms": "", "api_key": "", **fields}
        return client.post("/admin/assist/assistpolicy/add/", data)

    def test_adding_twice_keeps_one_policy(self):
        admin = self.signed_in_client("admin")
        self.assertEqual(self.post(admin).status_code, 302)
        self.assertEqual(self.post(admin, allowed=["brainstorm"]).status_code, 302)
        self.assertEqual(list(AssistPolicy.objects.values_list("allowed", flat=True)), [["brainstorm"]])

    def test_an_openai_provider_needs_its_url_and_the_error_is_shown_by_the_field(self):
        response = self.post(self.signed_in_client("admin"), provider="openai")
        self.assertContains(response, "An OpenAI-compatible provider needs its base URL.")
        self.assertFalse(AssistPolicy.objects.exists())

    def test_teachers_and_other_institutions_cannot_reach_it(self):
        refused = self.post(self.signed_in_client("teacher"))  # not staff: sent to sign in as an admin
        self.assertEqual(refused.status_code, 302)
        self.assertIn("login", refused["Location"])
        self.assertFalse(AssistPolicy.objects.exists())
        riverside_admin = self.client_for(self.riverside)
        response = self.post(riverside_admin)  # not signed in there: Northside's session means nothing
        self.assertEqual(response.status_code, 302)
        self.assertIn("login", response["Location"])
        self.assertFalse(AssistPolicy.objects.exists())

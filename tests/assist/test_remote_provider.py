"""The OpenAI-compatible provider against a local fake server: redaction out, restoration back,
the boundary, consent checked again in Celery, and the key sealed and never shown."""

import re

from assist.actions import do_update_policy
from assist.models import AssistPolicy, Exchange
from assist.sealing import unseal
from tests.assist.base import ESSAY, AssistTestCase
from tests.assist.fake_openai import FakeOpenAI

KEY = "sk-test-abcdefghijklmnopqrstuvwxyz"


class RemoteProviderTests(AssistTestCase):
    def setUp(self):
        super().setUp()
        self.consent()
        self.switch_on("clarity")
        self.reflect()
        self.fake = FakeOpenAI().__enter__()
        self.addCleanup(self.fake.__exit__, None, None, None)
        do_update_policy(enabled=True, allowed=["brainstorm", "clarity", "grammar", "outline"], provider="openai",
                         base_url=self.fake.base_url, model="school-model", redact_terms="Northside\n",
                         api_key=KEY, acting_user=self.person("admin"))

    def ask_and_run(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.ask("clarity")
        self.assertEqual(response.status_code, 302)
        return Exchange.objects.get()

    def test_text_leaves_redacted_and_the_answer_comes_back_restored(self):
        def reply(body):  # name the person the way the text it received does
            placeholder = re.search(r"\[PERSON_\d+\]", body["messages"][1]["content"]).group()
            return f"Does {placeholder}'s second paragraph prove the claim? Which evidence is missing?"

        self.fake.reply = reply
        exchange = self.ask_and_run()
        sent = self.fake.requests[0]
        self.assertEqual(sent["path"], "/v1/chat/completions")
        self.assertEqual(sent["headers"]["Authorization"], f"Bearer {KEY}")
        self.assertEqual(sent["body"]["model"], "school-model")
        user_message = sent["body"]["messages"][1]["content"]
        self.assertNotIn("Sam", user_message)
        self.assertIn("[PERSON_", user_message)
        self.assertIn("never write, rewrite", sent["body"]["messages"][0]["content"])
        self.assertEqual(exchange.state, "answered")
        self.assertNotIn("Sam Student", exchange.redacted_text)
        self.assertTrue(exchange.answer.startswith("Does Sam Student's second paragraph"))
        self.assertEqual(exchange.decisions[0]["check"], "redaction")
        self.assertContains(self.panel(), "Does Sam Student&#x27;s second paragraph")

    def test_an_answer_that_rewrites_the_paragraph_is_refused_logged_and_not_shown(self):
        paragraph = ESSAY.split("\n\n")[1]
        self.fake.reply = lambda body: "Here is a better version:\n\n" + paragraph.replace("many", "most")
        exchange = self.ask_and_run()
        self.assertEqual((exchange.state, exchange.refused), ("refused", True))
        panel = self.panel()
        self.assertContains(panel, "so it was refused and is not shown")
        self.assertNotContains(panel, "most students are still half asleep")
        review = self.tara.get(f"/teach/submissions/{self.work.pk}/")
        self.assertContains(review, "most students are still half asleep")  # the teacher sees what was refused

    def test_a_server_error_is_logged_without_details(self):
        self.fake.status = 500
        exchange = self.ask_and_run()
        self.assertEqual(exchange.state, "failed")
        self.assertEqual(exchange.answer, "The assistant's server answered with an error (500).")

    def test_consent_withdrawn_before_the_task_runs_stops_the_text_leaving(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.ask("clarity")
        self.consent(answer="declined")
        for callback in callbacks:
            callback()
        self.assertEqual(self.fake.requests, [])
        self.assertEqual(Exchange.objects.get().state, "failed")

    def test_the_key_is_sealed_and_never_shown_back_in_the_admin(self):
        policy = AssistPolicy.objects.get()
        self.assertNotIn(KEY.encode(), bytes(policy.sealed_api_key))
        self.assertEqual(unseal(policy.sealed_api_key), KEY)
        admin = self.signed_in_client("admin")
        response = admin.get(f"/admin/assist/assistpolicy/{policy.pk}/change/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, KEY)
        self.assertNotContains(response, KEY[:10])
        # Saving without a key keeps the sealed one; the audit log never holds it.
        data = {"enabled": "on", "allowed": ["clarity"], "provider": "openai", "base_url": self.fake.base_url,
                "model": "other-model", "redact_terms": "", "api_key": ""}
        self.assertEqual(admin.post(f"/admin/assist/assistpolicy/{policy.pk}/change/", data).status_code, 302)
        policy.refresh_from_db()
        self.assertEqual((unseal(policy.sealed_api_key), policy.model, policy.allowed),
                         (KEY, "other-model", ["clarity"]))
        from auditlog.models import LogEntry

        self.assertFalse(LogEntry.objects.filter(changes_text__contains=KEY[:10]).exists())

    def test_riverside_does_not_use_northsides_provider_or_see_its_exchanges(self):
        from django_tenants.utils import tenant_context

        self.ask_and_run()
        with tenant_context(self.riverside):
            self.assertEqual(AssistPolicy.current().provider, "local")
            self.assertFalse(AssistPolicy.objects.exists())
            self.assertFalse(Exchange.objects.exists())
        rita = self.signed_in_client("riverside_teacher", self.riverside)
        self.assertEqual(rita.get(f"/teach/submissions/{self.work.pk}/").status_code, 404)

    def test_a_provider_on_a_private_address_is_refused_where_the_deployment_does_not_allow_it(self):
        from django.test import override_settings

        with override_settings(ASSIST_ALLOW_PRIVATE_PROVIDERS=False):
            exchange = self.ask_and_run()
        self.assertEqual(exchange.state, "failed")
        self.assertIn("private network", exchange.answer)
        self.assertEqual(self.fake.requests, [])

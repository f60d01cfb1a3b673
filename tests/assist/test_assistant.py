"""The writing assistant from the student's page: consent, the teacher's settings, the reflection gate, the log."""

from assist.actions import AssistRefused, do_request_help, do_set_stage_assist, do_update_policy
from assist.models import Exchange, StageAssist, Unlock
from tests.assist.base import ESSAY, REFLECTION, AssistTestCase


class AssistantTests(AssistTestCase):
    def test_without_consent_the_assistant_says_so_and_stays_off(self):
        self.switch_on()
        response = self.panel()
        self.assertContains(response, "it needs your consent for AI assistance")
        self.assertEqual(self.reflect().status_code, 400)
        self.assertEqual(self.ask("clarity").status_code, 400)
        self.assertFalse(Exchange.objects.exists())
        self.assertFalse(Unlock.objects.exists())

    def test_it_is_off_until_the_teacher_switches_it_on_for_the_stage(self):
        self.consent()
        self.assertContains(self.panel(), "Your teacher has not switched the assistant on for the draft stage.")
        self.assertContains(self.ask("clarity"), "not switched on for this stage", status_code=400)

    def test_the_rule_is_shown_and_a_short_reflection_earns_nothing(self):
        self.consent()
        self.switch_on("clarity")
        self.assertContains(self.panel(), "at least 30 words, in at least 2 sentences;")
        response = self.reflect("Help me please.")
        self.assertContains(response, "It has 3 words; at least 30 are needed.", status_code=400)
        self.assertContains(self.ask("clarity"), "Write a reflection on this stage first", status_code=400)
        self.assertFalse(Unlock.objects.get().accepted)

    def test_a_reflection_unlocks_local_feedback_and_the_exchange_is_logged(self):
        self.consent()
        self.switch_on("clarity", "brainstorm")
        self.assertRedirects(self.reflect(), f"/write/{self.work.pk}/assistant/")
        self.assertContains(self.panel(), "Unlocked for the draft stage")
        response = self.ask("clarity", HTTP_HX_REQUEST="true")
        self.assertContains(response, "Readability (Flesch reading ease)")
        exchange = Exchange.objects.get()
        self.assertEqual((exchange.state, exchange.provider, exchange.category), ("answered", "local", "clarity"))
        self.assertEqual([d["result"] for d in exchange.decisions], ["passed", "passed", "passed"])
        self.assertEqual(exchange.redacted_text, ESSAY)  # local: nothing left Scribe Tree, nothing to redact
        # Tara sees the same exchange on the review page.
        review = self.tara.get(f"/teach/submissions/{self.work.pk}/")
        self.assertContains(review, "Writing assistant log")
        self.assertContains(review, "Readability (Flesch reading ease)")

    def test_grammar_hints_are_refused_when_the_stage_does_not_allow_them(self):
        self.consent()
        self.switch_on("clarity")
        self.reflect()
        with self.assertRaises(AssistRefused):
            do_request_help(self.work, "grammar", acting_user=self.sam)

    def test_the_institution_ceiling_bounds_the_teacher(self):
        self.switch_on("clarity", "grammar")
        do_update_policy(enabled=True, allowed=["brainstorm", "clarity"], provider="local",
                         acting_user=self.person("admin"))
        self.assertEqual(StageAssist.objects.get(stage=self.stage).allowed, ["clarity"])  # cut back to the ceiling
        with self.assertRaises(AssistRefused):
            do_set_stage_assist(self.stage, ["grammar"], acting_user=self.person("teacher"))
        page = self.tara.get(f"/teach/assignments/{self.essay.pk}/assistant/")
        self.assertContains(page, "Clarity and structure feedback")
        self.assertNotContains(page, "Grammar hints")
        response = self.tara.post(f"/teach/assignments/{self.essay.pk}/assistant/",
                                  {f"stage_{self.stage.pk}": ["grammar"]})
        self.assertEqual(response.status_code, 200)  # not a choice on offer: the form says so
        self.assertEqual(StageAssist.objects.get(stage=self.stage).allowed, ["clarity"])

    def test_the_teacher_sets_the_stages_on_the_settings_page(self):
        final = self.essay.stages.last()
        response = self.tara.post(f"/teach/assignments/{self.essay.pk}/assistant/",
                                  {f"stage_{self.stage.pk}": ["brainstorm", "outline"],
                                   f"stage_{final.pk}": ["grammar"]})
        self.assertRedirects(response, f"/teach/assignments/{self.essay.pk}/assistant/")
        self.assertEqual(StageAssist.objects.get(stage=self.stage).allowed, ["brainstorm", "outline"])
        self.assertEqual(StageAssist.objects.get(stage=final).allowed, ["grammar"])

    def test_a_withdrawn_consent_switches_it_off_again(self):
        self.consent()
        self.switch_on("clarity")
        self.reflect()
        self.consent(answer="declined")
        self.assertContains(self.panel(), "it needs your consent")
        self.assertEqual(self.ask("clarity").status_code, 400)

    def test_the_writing_page_loads_the_panel_without_costing_it_a_query(self):
        response = self.sam_client.get(f"/write/{self.essay.pk}/")
        self.assertContains(response, f'hx-get="/write/{self.work.pk}/assistant/"')

    def test_the_panel_costs_a_constant_number_of_queries(self):
        # 1 session, 2 the student, 3 the submission (access check), 4 consent, 5 the policy,
        # 6 the stage's settings, 7 the last reflection, 8 whether one unlocked, 9 the log with stages
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.consent()
        self.switch_on("clarity")
        self.reflect()
        self.ask("clarity")
        self.panel()
        with CaptureQueriesContext(connection) as queries:
            self.panel()
        self.assertEqual(len(queries), 9, "\n".join(q["sql"] for q in queries.captured_queries))
        for _ in range(3):
            self.ask("clarity")
        with CaptureQueriesContext(connection) as more:
            self.panel()
        self.assertEqual(len(more), 9)


class AssistantAccessTests(AssistTestCase):
    def test_nobody_else_reaches_a_students_assistant(self):
        self.consent()
        self.switch_on("clarity")
        cleo = self.signed_in_client("classmate")
        for path in (f"/write/{self.work.pk}/assistant/",):
            self.assertEqual(cleo.get(path).status_code, 404)
        self.assertEqual(cleo.post(f"/write/{self.work.pk}/assistant/reflect", {"reflection": REFLECTION}).status_code,
                         404)
        self.assertEqual(cleo.post(f"/write/{self.work.pk}/assistant/ask", {"category": "clarity"}).status_code, 404)
        rory = self.signed_in_client("riverside_student", self.riverside)
        self.assertEqual(rory.get(f"/write/{self.work.pk}/assistant/").status_code, 404)
        self.assertEqual(rory.post(f"/write/{self.work.pk}/assistant/ask", {"category": "clarity"}).status_code, 404)
        self.assertFalse(Unlock.objects.exists())

    def test_only_the_assignments_teacher_sets_it(self):
        path = f"/teach/assignments/{self.essay.pk}/assistant/"
        self.assertEqual(self.signed_in_client("other_teacher").get(path).status_code, 404)
        rita = self.signed_in_client("riverside_teacher", self.riverside)
        self.assertEqual(rita.post(path, {f"stage_{self.stage.pk}": ["clarity"]}).status_code, 404)
        self.assertFalse(StageAssist.objects.exists())


class SettingsPageQueryTests(AssistTestCase):
    def test_the_settings_page_costs_six_queries(self):
        # 1 session, 2 the teacher, 3 the assignment (access check), 4 its stages, 5 their settings,
        # 6 the institution's policy
        self.switch_on("clarity")
        queries, _, sql = self.count_queries(self.tara, f"/teach/assignments/{self.essay.pk}/assistant/")
        self.assertEqual(queries, 6, sql)

"""seed_demo's writing support: a student unlocks the assistant with a reflection and gets local
feedback that lands in the log; a pasted essay and a copied submission show up as observations
with evidence, on the teacher's dashboard and review page."""

from django.core.management import call_command
from django.db import connection
from django_tenants.utils import tenant_context

from accounts.models import User
from assist.models import Exchange
from coursework.models import Submission
from integrity.models import IntegrityJob, Observation, SimilarityMatch
from privacy.actions import active_notice, do_accept_notice
from tests.base import InstitutionClient, InstitutionTestCase


class SeedDemoWritingSupportTests(InstitutionTestCase):
    def test_the_demo_shows_the_assistant_and_the_integrity_signals(self):
        self.addCleanup(connection.set_tenant, self.northside)
        call_command("seed_demo", verbosity=0)
        with tenant_context(self.northside):
            slug = "northside"
            self.assertFalse(IntegrityJob.objects.filter(state=IntegrityJob.State.QUEUED).exists())
            pasted = Submission.objects.get(student__email=f"student07@{slug}.example",
                                            assignment__title__startswith="Service essay")
            copied = Submission.objects.get(student__email=f"student08@{slug}.example",
                                            assignment__title__startswith="Service essay")
            paste = Observation.objects.get(submission=pasted, kind="paste")
            self.assertTrue(paste.notable)
            self.assertEqual(paste.evidence[0]["revision"], 2)
            self.assertTrue(SimilarityMatch.objects.filter(submission=copied, other=pasted).exists())
            self.assertTrue(Observation.objects.filter(submission=copied, kind="similarity", notable=True).exists())
            prepared = Exchange.objects.get(submission__student__email=f"student06@{slug}.example")
            self.assertEqual((prepared.state, prepared.provider), ("answered", "local"))

            # A new user, as student04: the panel asks for a reflection, which unlocks local feedback.
            student = User.objects.get(email=f"student04@{slug}.example")
            work = Submission.objects.get(student=student, assignment__title__startswith="Argumentative essay")
            client = InstitutionClient(self.northside)
            client.force_login(student)
            do_accept_notice(student, active_notice(), acting_user=student)  # as a new user does first
            self.assertContains(client.get(f"/write/{work.pk}/assistant/"), "write a short reflection")
            reflection = ("I am trying to show that graded homework makes students practise more. I am stuck on "
                          "finding evidence from the second article, and I am not sure my thesis is clear enough.")
            client.post(f"/write/{work.pk}/assistant/reflect", {"reflection": reflection})
            client.post(f"/write/{work.pk}/assistant/ask", {"category": "clarity"})
            log = client.get(f"/write/{work.pk}/assistant/")
            self.assertContains(log, "Readability (Flesch reading ease)")

            teacher = User.objects.get(email=f"teacher1@{slug}.example")
            do_accept_notice(teacher, active_notice(), acting_user=teacher)
            tara = InstitutionClient(self.northside)
            tara.force_login(teacher)
            dashboard = tara.get(f"/teach/courses/{pasted.assignment.course_id}/")
            self.assertContains(dashboard, "Writing-process observations")
            review = tara.get(f"/teach/submissions/{copied.pk}/")
            self.assertContains(review, "shared with")

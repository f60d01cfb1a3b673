from datetime import timedelta

from django.utils import timezone

from coursework.models import Assignment
from tests.coursework.teacher.base import TeacherTestCase


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


class CreateAssignmentTests(TeacherTestCase):
    def setUp(self):
        super().setUp()
        self.path = f"/teach/courses/{self.course.pk}/assignments/new/"
        self.now = timezone.now().replace(second=0, microsecond=0)

    def post(self, **changes):
        data = {
            "title": "Memoir", "prompt": "A moment that changed you.", "instructions": "",
            "due_at": local(self.now + timedelta(days=20)), "late_policy": "accept",
            "min_words": "300", "max_words": "900", "rubric": self.rubric.pk, "max_points": "50",
            "allow_resubmission": "on", "publish": "now",
            "stage_outline": "on", "stage_outline_due": local(self.now + timedelta(days=5)),
            "stage_draft": "on", "stage_draft_due": local(self.now + timedelta(days=10)),
            "stage_final": "on", "stage_final_due": "",
        }
        data.update(changes)
        return self.tara.post(self.path, {k: v for k, v in data.items() if v is not None})

    def test_it_creates_and_publishes_an_assignment_with_its_stages_in_order(self):
        response = self.post()
        assignment = Assignment.objects.get(title="Memoir")
        self.assertRedirects(response, f"/teach/assignments/{assignment.pk}/")
        self.assertTrue(assignment.is_published)
        self.assertEqual([(s.kind, s.due_at) for s in assignment.stages.all()], [
            ("outline", self.now + timedelta(days=5)), ("draft", self.now + timedelta(days=10)),
            ("final", self.now + timedelta(days=20))])  # the final stage defaults to the final due date
        self.assertEqual((assignment.min_words, assignment.max_words, assignment.max_points), (300, 900, 50))
        self.assertEqual(assignment.rubric, self.rubric)

    def test_it_saves_a_draft_that_is_published_later(self):
        self.post(publish="later")
        assignment = Assignment.objects.get(title="Memoir")
        self.assertIsNone(assignment.published_at)
        page = self.tara.get(f"/teach/assignments/{assignment.pk}/")
        self.assertContains(page, "Draft: students cannot see it")
        self.tara.post(f"/teach/assignments/{assignment.pk}/publish/")
        assignment.refresh_from_db()
        self.assertTrue(assignment.is_published)

    def test_it_refuses_stages_out_of_order(self):
        response = self.post(stage_draft_due=local(self.now + timedelta(days=3)))
        self.assertContains(response, "This is before the outline stage&#x27;s due date")
        self.assertIn("stage_draft_due", response.context["form"].errors)
        self.assertFalse(Assignment.objects.filter(title="Memoir").exists())

    def test_it_refuses_a_stage_due_after_the_final_due_date(self):
        response = self.post(stage_draft_due=local(self.now + timedelta(days=25)))
        self.assertContains(response, "A stage cannot be due after the final due date.")

    def test_it_asks_for_the_due_date_of_a_chosen_stage(self):
        response = self.post(stage_brainstorm="on", stage_brainstorm_due="")
        self.assertContains(response, "Give the brainstorm stage a due date.")

    def test_it_refuses_a_minimum_above_the_maximum(self):
        response = self.post(min_words="1000", max_words="900")
        self.assertContains(response, "The minimum is more than the maximum.")

    def test_it_needs_a_penalty_for_the_penalty_policy(self):
        response = self.post(late_policy="penalty", late_penalty_percent_per_day="")
        self.assertContains(response, "Give the penalty per day")
        self.post(late_policy="penalty", late_penalty_percent_per_day="10")
        self.assertEqual(Assignment.objects.get(title="Memoir").late_penalty_percent_per_day, 10)

    def test_it_refuses_a_due_date_in_the_past(self):
        response = self.post(due_at=local(self.now - timedelta(days=1)), stage_outline=None, stage_draft=None)
        self.assertContains(response, "The final due date has already passed.")

    def test_it_makes_one_final_stage_when_none_is_chosen(self):
        self.post(stage_outline=None, stage_draft=None, stage_final=None)
        stages = Assignment.objects.get(title="Memoir").stages.all()
        self.assertEqual([s.kind for s in stages], ["final"])

    def test_it_sends_the_teacher_on_to_the_peer_review_settings(self):
        response = self.post(peer_review_enabled="on")
        assignment = Assignment.objects.get(title="Memoir")
        self.assertTrue(assignment.peer_review_enabled)
        self.assertRedirects(response, f"/teach/assignments/{assignment.pk}/peer-review/")

    def test_it_offers_the_institutions_rubrics_and_every_stage(self):
        response = self.tara.get(self.path)
        self.assertContains(response, "Argument essay")
        for kind in ("Brainstorm", "Outline", "Draft", "Revision", "Final"):
            self.assertContains(response, f"{kind} stage")

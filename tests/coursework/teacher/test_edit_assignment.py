from datetime import timedelta

from auditlog.models import LogEntry
from django.utils import timezone

from coursework.actions import do_score_rubric
from coursework.models import Assignment
from tests.coursework.teacher.base import TeacherTestCase


def local(dt):
    return (timezone.localtime(dt) if timezone.is_aware(dt) else dt).strftime("%Y-%m-%dT%H:%M")


class EditAssignmentTests(TeacherTestCase):
    def setUp(self):
        super().setUp()
        self.path = f"/teach/assignments/{self.essay.pk}/edit/"
        self.stages = list(self.essay.stages.all())

    def form_data(self, **changes):
        """What the edit page posts when the teacher changes nothing but `changes`."""
        form = self.tara.get(self.path).context["form"]
        data = {}
        for name, field in form.fields.items():
            value = form[name].value()
            if field.disabled or value in (None, False):
                continue
            data[name] = "on" if value is True else local(value) if hasattr(value, "tzinfo") else value
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    def test_it_shows_the_design_filled_in(self):
        response = self.tara.get(self.path)
        self.assertContains(response, "Edit “Persuasive essay”")
        self.assertContains(response, 'value="Persuasive essay"')
        self.assertNotContains(response, 'name="publish"')

    def test_it_changes_the_design_and_moves_a_stage_due_date_and_audits_it(self):
        later = (self.stages[0].due_at + timedelta(days=2)).replace(second=0, microsecond=0)
        response = self.tara.post(self.path, self.form_data(title="Persuasive essay (revised)", max_words="2000",
                                                            stage_draft_due=local(later)))
        self.assertRedirects(response, f"/teach/assignments/{self.essay.pk}/")
        self.essay.refresh_from_db()
        self.assertEqual((self.essay.title, self.essay.max_words), ("Persuasive essay (revised)", 2000))
        self.assertEqual(self.essay.stages.get(kind="draft").due_at, later)
        self.assertEqual([s.pk for s in self.essay.stages.all()], [s.pk for s in self.stages])  # rows kept
        entry = LogEntry.objects.get_for_object(self.essay).filter(changes__has_key="title").latest("timestamp")
        self.assertEqual(entry.actor, self.person("teacher"))

    def test_it_keeps_a_due_date_that_has_passed_but_refuses_a_new_one_in_the_past(self):
        Assignment.objects.filter(pk=self.essay.pk).update(due_at=timezone.now() - timedelta(days=1))
        self.essay.stages.filter(kind="final").update(due_at=timezone.now() - timedelta(days=1))
        self.essay.stages.filter(kind="draft").update(due_at=timezone.now() - timedelta(days=3))
        response = self.tara.post(self.path, self.form_data(title="Still the essay"))
        self.assertEqual(response.status_code, 302)
        response = self.tara.post(self.path, self.form_data(due_at=local(timezone.now() - timedelta(hours=2)),
                                                            stage_final_due=""))
        self.assertContains(response, "The final due date has already passed.")

    def test_it_changes_the_stages_until_a_student_starts_writing(self):
        response = self.tara.post(self.path, self.form_data(stage_draft=None, stage_draft_due=None))
        self.assertEqual(response.status_code, 302)
        self.assertEqual([s.kind for s in self.essay.stages.all()], ["final"])

        self.write(self.person("student"), "My first words.")
        response = self.tara.get(self.path)
        self.assertContains(response, "Students have started writing, so the stages stay as they are")
        # A posted stage change is ignored (the boxes are disabled); due dates still move.
        later = local(timezone.now() + timedelta(days=13))
        response = self.tara.post(self.path, self.form_data(stage_outline="on", stage_outline_due=later))
        self.assertEqual(response.status_code, 302)
        self.assertEqual([s.kind for s in self.essay.stages.all()], ["final"])

    def test_it_keeps_the_rubric_once_work_is_scored_with_it(self):
        submission = self.submit(self.write(self.person("student"), "A draft to score."))
        level = self.rubric.criteria.first().levels.first()
        do_score_rubric(submission, level, acting_user=self.person("teacher"))
        response = self.tara.post(self.path, self.form_data(rubric=""))
        self.assertContains(response, "Work has already been scored with the current rubric")
        self.essay.refresh_from_db()
        self.assertEqual(self.essay.rubric, self.rubric)

    def test_it_is_a_404_for_other_teachers_courses_and_other_institutions(self):
        hugo = self.signed_in_client("other_teacher")
        self.assertEqual(hugo.get(self.path).status_code, 404)
        self.assertEqual(hugo.post(self.path, {"title": "Mine now"}).status_code, 404)
        self.assertEqual(self.signed_in_client("student").get(self.path).status_code, 403)  # teachers' pages
        rita = self.signed_in_client("riverside_teacher", self.riverside)
        self.assertEqual(rita.get(self.path).status_code, 404)
        self.essay.refresh_from_db()
        self.assertEqual(self.essay.title, "Persuasive essay")

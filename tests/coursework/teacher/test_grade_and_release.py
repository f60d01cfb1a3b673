from decimal import Decimal

from auditlog.models import LogEntry

from coursework.models import RubricScore, Submission
from tests.coursework.teacher.base import TeacherTestCase


class GradeAndReleaseTests(TeacherTestCase):
    def setUp(self):
        super().setUp()
        self.submission = self.submit(self.write(self.person("student"), "Schools should start later."))
        self.path = f"/teach/submissions/{self.submission.pk}/"

    def levels(self):
        thesis, evidence = self.rubric.criteria.all()
        return {c.title: {lv.title: lv for lv in c.levels.all()} for c in (thesis, evidence)}, thesis, evidence

    def test_it_scores_each_criterion_and_suggests_a_grade(self):
        levels, thesis, evidence = self.levels()
        response = self.tara.post(f"{self.path}rubric/", {
            f"criterion_{thesis.pk}": levels["Thesis"]["Clear"].pk, f"comment_{thesis.pk}": "Sharp.",
            f"criterion_{evidence.pk}": levels["Evidence"]["Thin"].pk})
        self.assertEqual(response.status_code, 302)
        scores = {s.criterion.title: (s.level.title, s.comment) for s in RubricScore.objects.all()}
        self.assertEqual(scores, {"Thesis": ("Clear", "Sharp."), "Evidence": ("Thin", "")})
        page = self.tara.get(self.path)
        self.assertContains(page, "Rubric total: 4 of 6 — 66.67 of 100 points")
        for score in RubricScore.objects.all():
            entry = LogEntry.objects.get_for_object(score).get(action=LogEntry.Action.CREATE)
            self.assertEqual(entry.actor, self.person("teacher"))

    def test_it_escapes_a_criterion_description(self):
        _, thesis, _ = self.levels()
        thesis.description = "<img src=x onerror=alert(1)>"
        thesis.save()
        response = self.tara.get(self.path)
        self.assertContains(response, "&lt;img src=x onerror=alert(1)&gt;")
        self.assertNotContains(response, "<img src=x")

    def test_it_refuses_a_level_of_another_rubric(self):
        from coursework.actions import do_create_rubric

        other = do_create_rubric("Other", [{"title": "X", "levels": [{"title": "Y", "points": 1}]}],
                                 acting_user=self.person("teacher"))
        _, thesis, _ = self.levels()
        level = other.criteria.get().levels.get()
        response = self.tara.post(f"{self.path}rubric/", {f"criterion_{thesis.pk}": level.pk})
        self.assertContains(response, "Select a valid choice")
        self.assertFalse(RubricScore.objects.exists())

    def test_it_saves_a_grade_and_comment_with_the_teacher_as_actor(self):
        response = self.tara.post(f"{self.path}grade/", {"grade": "88.5", "general_comment": "Well argued. "})
        self.assertEqual(response.status_code, 302)
        self.submission.refresh_from_db()
        self.assertEqual((self.submission.grade, self.submission.general_comment), (Decimal("88.5"), "Well argued."))
        entry = LogEntry.objects.get_for_object(self.submission).filter(changes__has_key="grade").latest("timestamp")
        self.assertEqual(entry.actor, self.person("teacher"))
        self.assertIsNone(self.submission.feedback_released_at)  # saving is not releasing

    def test_it_refuses_a_grade_above_the_maximum_and_keeps_the_comment(self):
        response = self.tara.post(f"{self.path}grade/", {"grade": "101", "general_comment": "Keep me"})
        self.assertContains(response, "The grade is out of 100.")
        self.assertContains(response, "Keep me")
        self.submission.refresh_from_db()
        self.assertIsNone(self.submission.grade)

    def test_it_releases_feedback_and_says_so(self):
        self.tara.post(f"{self.path}grade/", {"grade": "90"})
        response = self.tara.post(f"{self.path}release/", {"revision": 1})
        self.assertEqual(response.status_code, 302)
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.status, Submission.Status.RETURNED)
        page = self.tara.get(self.path)
        self.assertContains(page, "<strong>Released</strong>", html=True)
        self.assertNotContains(page, "Release feedback to")
        entry = LogEntry.objects.get_for_object(self.submission).filter(
            changes__has_key="feedback_released_at").latest("timestamp")
        self.assertEqual(entry.actor, self.person("teacher"))

    def test_it_does_not_release_feedback_on_work_not_yet_submitted(self):
        drafting = self.write(self.person("classmate"), "Not submitted yet.")
        self.tara.post(f"/teach/submissions/{drafting.pk}/release/")
        drafting.refresh_from_db()
        self.assertIsNone(drafting.feedback_released_at)
        self.assertEqual(drafting.status, Submission.Status.DRAFTING)

    def test_it_answers_htmx_with_the_feedback_panel(self):
        response = self.tara.post(f"{self.path}grade/", {"grade": "75"}, HTTP_HX_REQUEST="true")
        self.assertTemplateUsed(response, "coursework/teacher/_feedback.html")
        self.assertTemplateNotUsed(response, "coursework/teacher/review.html")
        self.assertContains(response, "Grade and comment saved.")
        response = self.tara.post(f"{self.path}grade/", {"grade": "-1"}, HTTP_HX_REQUEST="true")
        self.assertTemplateUsed(response, "coursework/teacher/_feedback.html")
        self.assertContains(response, 'id="id_grade_error"')

    def test_it_notes_the_late_penalty(self):
        from datetime import timedelta

        from django.utils import timezone

        journal = self.new_assignment("Journal", draft_due_days=-3, final_due_days=-2, late_policy="penalty",
                                      late_penalty_percent_per_day=10)
        submission = self.submit(self.write(self.person("classmate"), "Late.", assignment=journal))
        self.assertTrue(submission.submitted_late)
        self.assertLess(journal.due_at, timezone.now() - timedelta(days=1))
        response = self.tara.get(f"/teach/submissions/{submission.pk}/")
        # Two days and a few milliseconds late: the part day counts.
        self.assertContains(response, "Submitted 3 days after the final due date (a part day counts as a day). "
                                      "The late policy takes off 10 % per day: 30 % here.")

    def test_the_suggested_grade_takes_off_the_late_penalty(self):
        journal = self.new_assignment("Journal", draft_due_days=-3, final_due_days=-2, late_policy="penalty",
                                      late_penalty_percent_per_day=10, rubric=self.rubric)
        submission = self.submit(self.write(self.person("classmate"), "Late.", assignment=journal))
        path = f"/teach/submissions/{submission.pk}/"
        levels, thesis, evidence = self.levels()
        self.tara.post(f"{path}rubric/", {f"criterion_{thesis.pk}": levels["Thesis"]["Clear"].pk,
                                          f"criterion_{evidence.pk}": levels["Evidence"]["Thin"].pk})
        page = self.tara.get(path)
        # 4 of 6 is 66.67 points; three days late at 10 % a day leaves 70 % of it.
        self.assertContains(page, "Rubric total: 4 of 6 — 66.67 of 100 points; "
                                  "suggested grade after the 30 % late penalty: 46.67")
        self.assertContains(page, "Suggested by the rubric, less the 30 % late penalty: 46.67.")
        # The grade itself is the teacher's to record.
        self.assertIsNone(Submission.objects.get(pk=submission.pk).grade)

    def test_the_suggested_grade_of_work_on_time_is_the_rubric_grade(self):
        levels, thesis, evidence = self.levels()
        self.tara.post(f"{self.path}rubric/", {f"criterion_{thesis.pk}": levels["Thesis"]["Clear"].pk,
                                               f"criterion_{evidence.pk}": levels["Evidence"]["Thin"].pk})
        page = self.tara.get(self.path)
        self.assertContains(page, "Suggested by the rubric: 66.67.")
        self.assertNotContains(page, "late penalty")

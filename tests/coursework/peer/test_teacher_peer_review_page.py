from datetime import timedelta

from django.utils import timezone

from accounts.actions import do_create_user
from accounts.models import Role
from coursework.actions import (
    do_allocate_peer_reviews,
    do_create_assignment,
    do_enrol_student,
    do_hide_peer_review,
    do_rate_peer_review,
    get_or_start_submission,
)
from coursework.models import PeerReviewAllocation, PeerReviewSettings
from tests.coursework.peer.base import PeerReviewTestCase


class TeacherPeerReviewPageTests(PeerReviewTestCase):
    def url(self, suffix=""):
        return f"/teach/assignments/{self.essay.pk}/peer-review/{suffix}"

    def settings_form(self, **fields):
        return {"stage": self.draft_stage.pk, "reviewers_per_submission": "2", "allocation": "random",
                "anonymous": "on", "rubric": "", "guiding_questions": "What works?\n\n  What is unclear?  \n",
                "opens_at": "2030-01-10T09:00", "closes_at": "2030-01-17T17:00", **fields}

    def test_it_turns_peer_review_on(self):
        client = self.signed_in_client("teacher")
        self.assertContains(client.get(self.url()), "Turn on peer review")
        response = client.post(self.url(), self.settings_form())
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        settings_row = PeerReviewSettings.objects.get(assignment=self.essay)
        self.assertEqual(settings_row.guiding_questions, ["What works?", "What is unclear?"])
        self.assertTrue(settings_row.anonymous)
        self.assertEqual(settings_row.stage, self.draft_stage)
        self.assertEqual(settings_row.opens_at.isoformat(), "2030-01-10T09:00:00+00:00")
        self.essay.refresh_from_db()
        self.assertTrue(self.essay.peer_review_enabled)

    def test_it_saves_a_rubric_and_named_reviews(self):
        self.signed_in_client("teacher").post(self.url(), self.settings_form(
            rubric=self.rubric.pk, guiding_questions="", anonymous=""))
        settings_row = PeerReviewSettings.objects.get(assignment=self.essay)
        self.assertEqual((settings_row.rubric, settings_row.anonymous, settings_row.guiding_questions),
                         (self.rubric, False, []))

    def test_it_shows_errors_next_to_the_fields(self):
        response = self.signed_in_client("teacher").post(self.url(), self.settings_form(
            closes_at="2030-01-01T09:00", guiding_questions=" \n ", reviewers_per_submission="0"))
        self.assertContains(response, 'id="id_closes_at-error"')
        self.assertContains(response, "Reviewing must close after it opens.")
        self.assertContains(response, 'id="id_guiding_questions-error"')
        self.assertContains(response, 'id="id_reviewers_per_submission-error"')
        self.assertFalse(PeerReviewSettings.objects.exists())

    def test_it_refuses_a_stage_of_another_assignment(self):
        history = do_create_assignment(self.other_course, title="Causes of WW1", prompt="Why?",
                                       due_at=timezone.now() + timedelta(days=3),
                                       acting_user=self.person("other_teacher"))
        response = self.signed_in_client("teacher").post(self.url(), self.settings_form(
            stage=history.stages.get().pk))
        self.assertContains(response, 'id="id_stage-error"')
        self.assertFalse(PeerReviewSettings.objects.exists())

    def test_it_allocates_now_at_random(self):
        self.configure()
        for key in ("student", "classmate", "rhea"):
            self.submit_draft(key)
        client = self.signed_in_client("teacher")
        response = client.post(self.url("allocate/"))
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.assertEqual(PeerReviewAllocation.objects.filter(assignment=self.essay).count(), 6)
        page = client.get(self.url())
        self.assertContains(page, "Not submitted", count=6)

    def test_it_refuses_random_allocation_once_reviews_are_in(self):
        self.set_up_three_way_review()
        self.submit_review("classmate", "student")
        response = self.signed_in_client("teacher").post(self.url("allocate/"), follow=True)
        self.assertContains(response, "cannot be allocated again at random")
        self.assertEqual(PeerReviewAllocation.objects.filter(assignment=self.essay).count(), 6)

    def test_it_allocates_by_hand(self):
        self.configure(allocation="manual")
        submission = self.submit_draft("student")
        response = self.signed_in_client("teacher").post(self.url("allocate-manually/"), {
            "reviewer": self.person("classmate").pk, "submission": submission.pk})
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.assertTrue(PeerReviewAllocation.objects.filter(reviewer=self.person("classmate"),
                                                            submission=submission).exists())

    def test_it_refuses_to_let_a_student_review_their_own_draft(self):
        self.configure(allocation="manual")
        submission = self.submit_draft("student")
        response = self.signed_in_client("teacher").post(self.url("allocate-manually/"), {
            "reviewer": self.person("student").pk, "submission": submission.pk})
        self.assertContains(response, "A student cannot review their own work.")
        self.assertFalse(PeerReviewAllocation.objects.exists())

    def test_it_refuses_reviewers_from_outside_the_course_and_drafts_not_yet_submitted(self):
        self.configure(allocation="manual")
        self.submit_draft("student")
        unsubmitted = get_or_start_submission(self.essay, self.person("classmate"))
        response = self.signed_in_client("teacher").post(self.url("allocate-manually/"), {
            "reviewer": self.person("outsider").pk, "submission": unsubmitted.pk})
        self.assertContains(response, 'id="id_reviewer-error"')
        self.assertContains(response, 'id="id_submission-error"')
        self.assertFalse(PeerReviewAllocation.objects.exists())

    def test_it_is_404_for_another_teacher_and_403_for_students(self):
        self.configure()
        for suffix in ("", "allocate/", "allocate-manually/"):
            with self.subTest(suffix):
                self.assertEqual(self.signed_in_client("other_teacher").post(self.url(suffix)).status_code, 404)
                self.assertEqual(self.signed_in_client("student").post(self.url(suffix)).status_code, 403)
        self.assertEqual(self.signed_in_client("other_teacher").get(self.url()).status_code, 404)
        self.assertFalse(PeerReviewAllocation.objects.exists())

    def test_it_is_404_at_another_institution(self):
        client = self.signed_in_client("riverside_teacher", self.riverside)
        self.assertEqual(client.get(self.url()).status_code, 404)

    def test_it_lists_allocations_with_names_status_and_helpfulness(self):
        self.set_up_three_way_review(anonymous=True)
        review = self.submit_review("classmate", "student")
        do_rate_peer_review(review, 3, acting_user=self.person("student"))
        hidden = self.submit_review("rhea", "student")
        do_hide_peer_review(hidden, reason="Rude", acting_user=self.person("teacher"))
        response = self.signed_in_client("teacher").get(self.url())
        self.assertContains(response, "Cleo Classmate")
        self.assertContains(response, "3 of 5")
        self.assertContains(response, "(hidden)", count=1)
        self.assertContains(response, "Not submitted", count=4)
        self.assertContains(response, f"{self.url()}reviews/{review.pk}/")

    def test_it_makes_the_same_number_of_queries_for_any_number_of_allocations(self):
        # 1 session, 2 user, 3 assignment (access), 4 peer review settings, 5 assignment's stages
        # (settings form), 6 rubrics (settings form), 7 enrolled students and 8 submitted drafts
        # (manual allocation form), 9 allocations with reviewer, author and review joined.
        self.set_up_three_way_review()
        client = self.signed_in_client("teacher")
        self.assert_queries(client, self.url(), 9)
        for i in range(3):
            extra = do_create_user(f"extra{i}@northside.example", f"Extra {i}", Role.STUDENT, acting_user=None)
            do_enrol_student(self.course, extra, acting_user=self.person("teacher"))
            self.submit_draft(extra)
        do_allocate_peer_reviews(self.essay, seed=0, acting_user=self.person("teacher"))
        response = self.assert_queries(client, self.url(), 9)
        self.assertEqual(len(response.context["allocations"]), 12)

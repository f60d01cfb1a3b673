from datetime import timedelta

from coursework.actions import do_allocate_peer_reviews, do_configure_peer_review, do_save_draft
from coursework.models import PeerReview
from tests.coursework.peer.base import QUESTIONS, PeerReviewTestCase


class WritePeerReviewTests(PeerReviewTestCase):
    def url(self, reviewer="classmate", author="student"):
        return f"/peer-review/{self.allocation(reviewer, author).pk}/"

    def test_it_shows_the_draft_as_it_was_submitted_not_as_it_is_now(self):
        self.configure()
        submission = self.submit_draft("student", text="Schools should start at ten.")
        self.submit_draft("classmate")
        do_save_draft(submission, "Now rewritten after submitting.", base_revision=submission.revision_number,
                      acting_user=self.person("student"))
        do_allocate_peer_reviews(self.essay, seed=0, acting_user=self.person("teacher"))
        response = self.signed_in_client("classmate").get(self.url())
        self.assertContains(response, "Schools should start at ten.")
        self.assertNotContains(response, "Now rewritten")
        for question in QUESTIONS:
            self.assertContains(response, question.replace("'", "&#x27;"))

    def test_it_submits_answers_rubric_levels_and_comments(self):
        self.set_up_three_way_review(rubric=self.rubric)
        thesis, evidence = (criterion.levels.last() for criterion in self.rubric.criteria.all())
        response = self.signed_in_client("classmate").post(self.url(), self.review_form(**{
            f"criterion_{thesis.criterion_id}": thesis.pk, f"criterion_{evidence.criterion_id}": evidence.pk}))
        self.assertRedirects(response, "/peer-review/", fetch_redirect_response=False)
        review = self.allocation("classmate", "student").review
        self.assertEqual(review.answers, ["Start later.", "The survey."])
        self.assertEqual(review.body, "Nice work.")
        self.assertEqual(set(review.rubric_levels.all()), {thesis, evidence})
        self.assertIsNotNone(review.submitted_at)

    def test_it_lets_the_reviewer_change_the_review_while_the_window_is_open(self):
        self.set_up_three_way_review()
        client = self.signed_in_client("classmate")
        client.post(self.url(), self.review_form())
        self.assertContains(client.get(self.url()), "Update your review")
        client.post(self.url(), self.review_form(body="Second thoughts."))
        self.assertEqual(self.allocation("classmate", "student").review.body, "Second thoughts.")

    def test_it_shows_errors_next_to_the_unanswered_questions(self):
        self.set_up_three_way_review()
        response = self.signed_in_client("classmate").post(self.url(), self.review_form(answer_1=""))
        self.assertContains(response, 'id="id_answer_1-error"')
        self.assertFalse(PeerReview.objects.exists())

    def test_it_refuses_a_review_before_the_window_opens(self):
        self.set_up_three_way_review(opens_in=timedelta(days=1), closes_in=timedelta(days=2))
        client = self.signed_in_client("classmate")
        self.assertContains(client.get(self.url()), "Reviewing opens on")
        response = client.post(self.url(), self.review_form())
        self.assertContains(response, "The review window is closed.")
        self.assertFalse(PeerReview.objects.exists())

    def test_it_refuses_a_review_after_the_window_closes(self):
        self.set_up_three_way_review()
        self.submit_review("classmate", "student", body="Before the deadline.")
        self.configure(opens_in=timedelta(days=-3), closes_in=timedelta(days=-1))
        client = self.signed_in_client("classmate")
        page = client.get(self.url())
        self.assertContains(page, "Reviewing closed on")
        self.assertNotContains(page, "<form method=\"post\" novalidate>")
        response = client.post(self.url(), self.review_form(body="After the deadline."))
        self.assertContains(response, "The review window is closed.")
        self.assertEqual(self.allocation("classmate", "student").review.body, "Before the deadline.")

    def test_it_asks_for_a_review_body_when_there_are_no_questions_or_rubric(self):
        self.set_up_three_way_review()
        do_configure_peer_review(self.essay, stage=self.draft_stage, opens_at=self.essay.peer_review.opens_at,
                                 closes_at=self.essay.peer_review.closes_at, guiding_questions=[],
                                 acting_user=self.person("teacher"))
        response = self.signed_in_client("classmate").post(self.url(), {"body": ""})
        self.assertContains(response, 'id="id_body-error"')

    def test_it_is_404_for_anyone_but_the_reviewer(self):
        self.set_up_three_way_review()
        url = self.url("classmate", "student")
        for key in ("student", "rhea", "outsider"):
            with self.subTest(key):
                self.assertEqual(self.signed_in_client(key).get(url).status_code, 404)
                self.assertEqual(self.signed_in_client(key).post(url, self.review_form()).status_code, 404)
        self.assertFalse(PeerReview.objects.exists())

    def test_it_is_404_at_another_institution(self):
        self.set_up_three_way_review()
        client = self.signed_in_client("riverside_student", self.riverside)
        self.assertEqual(client.get(self.url()).status_code, 404)

    def test_it_hides_the_author_from_the_reviewer_when_anonymous(self):
        self.configure(anonymous=True)
        self.submit_draft("student", text="A draft with no name in it.")
        self.submit_draft("classmate", text="Another draft with no name.")
        do_allocate_peer_reviews(self.essay, seed=0, acting_user=self.person("teacher"))
        response = self.signed_in_client("classmate").get(self.url())
        self.assertContains(response, "Review a classmate's draft")
        for identity in ["Sam", "Student", "sam@northside.example"]:
            self.assertNotContains(response, identity)

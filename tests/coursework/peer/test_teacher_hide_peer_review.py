from coursework.models import PeerReview
from tests.coursework.peer.base import PeerReviewTestCase


class TeacherHidePeerReviewTests(PeerReviewTestCase):
    def setUp(self):
        super().setUp()
        self.set_up_three_way_review(anonymous=True)
        self.review = self.submit_review("classmate", "student", body="This is a rude review.")
        self.url = f"/teach/assignments/{self.essay.pk}/peer-review/reviews/{self.review.pk}/"

    def test_it_shows_the_teacher_the_review_and_who_wrote_it_even_when_anonymous(self):
        response = self.signed_in_client("teacher").get(self.url)
        self.assertContains(response, "Cleo Classmate's review of Sam Student's draft")
        self.assertContains(response, "This is a rude review.")

    def test_it_hides_the_review_from_its_author_with_a_reason(self):
        response = self.signed_in_client("teacher").post(self.url, {"reason": "  Unkind language  "})
        self.assertRedirects(response, f"/teach/assignments/{self.essay.pk}/peer-review/",
                             fetch_redirect_response=False)
        self.review.refresh_from_db()
        self.assertIsNotNone(self.review.hidden_at)
        self.assertEqual(self.review.hidden_reason, "Unkind language")
        self.assertNotContains(self.signed_in_client("student").get("/peer-review/"), "This is a rude review.")
        self.assertContains(self.signed_in_client("teacher").get(self.url), "Reason: Unkind language")

    def test_it_requires_a_reason(self):
        response = self.signed_in_client("teacher").post(self.url, {"reason": ""})
        self.assertContains(response, 'id="id_reason-error"')
        self.assertIsNone(PeerReview.objects.get().hidden_at)

    def test_it_is_404_for_a_review_of_another_assignment_another_teacher_or_institution(self):
        other_assignment_url = f"/teach/assignments/{self.essay.pk + 1000}/peer-review/reviews/{self.review.pk}/"
        self.assertEqual(self.signed_in_client("teacher").get(other_assignment_url).status_code, 404)
        self.assertEqual(self.signed_in_client("other_teacher").post(self.url, {"reason": "x"}).status_code, 404)
        riverside = self.signed_in_client("riverside_teacher", self.riverside)
        self.assertEqual(riverside.post(self.url, {"reason": "x"}).status_code, 404)
        self.assertEqual(self.signed_in_client("student").post(self.url, {"reason": "x"}).status_code, 403)
        self.assertIsNone(PeerReview.objects.get().hidden_at)

from coursework.actions import do_hide_peer_review
from tests.coursework.peer.base import PeerReviewTestCase
from tests.coursework.peer.test_student_peer_review_list import REVIEWER_IDENTITIES


class ReceivedPeerReviewTests(PeerReviewTestCase):
    def test_it_shows_the_review_with_its_questions_and_no_reviewer_identity_when_anonymous(self):
        self.set_up_three_way_review(anonymous=True)
        cleos = self.submit_review("classmate", "student", body="Your second paragraph drifts.")
        review = self.submit_review("rhea", "student")
        response = self.signed_in_client("student").get(f"/peer-review/received/{review.pk}/")
        self.assertContains(response, "Reviewer 2" if review.allocation_id > cleos.allocation_id else "Reviewer 1")
        self.assertContains(response, "Start later.")
        for identity in REVIEWER_IDENTITIES:
            self.assertNotContains(response, identity)

    def test_it_keeps_each_reviewers_number_whatever_order_the_reviews_arrive_in(self):
        self.set_up_three_way_review(anonymous=True)
        first, second = sorted(["classmate", "rhea"], key=lambda key: self.allocation(key, "student").pk)
        review = self.submit_review(second, "student")
        client = self.signed_in_client("student")
        self.assertContains(client.get(f"/peer-review/received/{review.pk}/"), "Reviewer 2")
        self.submit_review(first, "student")
        self.assertContains(client.get(f"/peer-review/received/{review.pk}/"), "Reviewer 2")
        self.assertContains(client.get("/peer-review/"), "Reviewer 1")

    def test_it_names_the_reviewer_when_not_anonymous(self):
        self.set_up_three_way_review(anonymous=False)
        review = self.submit_review("rhea", "student")
        self.assertContains(self.signed_in_client("student").get(f"/peer-review/received/{review.pk}/"),
                            "Rhea Reader")

    def test_it_rates_helpfulness(self):
        self.set_up_three_way_review()
        review = self.submit_review("classmate", "student")
        url = f"/peer-review/received/{review.pk}/"
        response = self.signed_in_client("student").post(url, {"helpfulness": "4"})
        self.assertRedirects(response, url, fetch_redirect_response=False)
        review.refresh_from_db()
        self.assertEqual(review.helpfulness, 4)

    def test_it_rates_in_place_with_htmx(self):
        self.set_up_three_way_review()
        review = self.submit_review("classmate", "student")
        response = self.signed_in_client("student").post(f"/peer-review/received/{review.pk}/", {"helpfulness": "5"},
                                                         headers={"HX-Request": "true"})
        self.assertContains(response, "your rating was saved")
        self.assertNotContains(response, "<html")
        response = self.signed_in_client("student").post(f"/peer-review/received/{review.pk}/", {},
                                                         headers={"HX-Request": "true"})
        self.assertContains(response, 'class="field-error"')
        self.assertNotContains(response, "<html")

    def test_it_refuses_a_rating_outside_one_to_five(self):
        self.set_up_three_way_review()
        review = self.submit_review("classmate", "student")
        response = self.signed_in_client("student").post(f"/peer-review/received/{review.pk}/", {"helpfulness": "9"})
        self.assertContains(response, 'class="field-error"')
        review.refresh_from_db()
        self.assertIsNone(review.helpfulness)

    def test_it_is_404_for_the_reviewer_and_everyone_else(self):
        self.set_up_three_way_review()
        review = self.submit_review("classmate", "student")
        for key in ("classmate", "rhea", "outsider"):
            with self.subTest(key):
                client = self.signed_in_client(key)
                self.assertEqual(client.get(f"/peer-review/received/{review.pk}/").status_code, 404)
                self.assertEqual(client.post(f"/peer-review/received/{review.pk}/", {"helpfulness": 1}).status_code,
                                 404)
        review.refresh_from_db()
        self.assertIsNone(review.helpfulness)

    def test_it_is_404_once_the_teacher_hides_the_review(self):
        self.set_up_three_way_review()
        review = self.submit_review("classmate", "student")
        do_hide_peer_review(review, reason="Unkind", acting_user=self.person("teacher"))
        self.assertEqual(self.signed_in_client("student").get(f"/peer-review/received/{review.pk}/").status_code, 404)

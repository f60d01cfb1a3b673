from datetime import timedelta

from coursework.actions import do_allocate_peer_reviews, do_hide_peer_review
from tests.coursework.peer.base import PeerReviewTestCase

REVIEWER_IDENTITIES = ["Cleo", "Classmate", "cleo@northside.example", "Rhea", "Reader", "rhea@northside.example"]


class StudentPeerReviewListTests(PeerReviewTestCase):
    def test_it_lists_the_reviews_to_write_with_their_window_and_status(self):
        self.set_up_three_way_review()
        self.submit_review("student", "classmate")
        response = self.signed_in_client("student").get("/peer-review/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Persuasive essay", count=2)
        self.assertContains(response, f'href="/peer-review/{self.allocation("student", "rhea").pk}/"')
        self.assertContains(response, "To do")
        self.assertContains(response, "Submitted (you can still change it)")

    def test_it_shows_a_window_that_has_not_opened_or_has_closed(self):
        self.set_up_three_way_review(opens_in=timedelta(days=1), closes_in=timedelta(days=2))
        self.assertContains(self.signed_in_client("student").get("/peer-review/"), "Not open yet", count=2)
        self.configure(opens_in=timedelta(days=-2), closes_in=timedelta(days=-1))
        self.assertContains(self.signed_in_client("student").get("/peer-review/"), "Missed", count=2)

    def test_it_lists_only_submitted_visible_reviews_of_my_own_work(self):
        self.set_up_three_way_review()
        visible = self.submit_review("classmate", "student", body="From Cleo to Sam.")
        hidden = self.submit_review("rhea", "student", body="From Rhea to Sam.")
        someone_elses = self.submit_review("student", "classmate", body="From Sam to Cleo.")
        do_hide_peer_review(hidden, reason="Unkind", acting_user=self.person("teacher"))
        response = self.signed_in_client("student").get("/peer-review/")
        self.assertContains(response, f'href="/peer-review/received/{visible.pk}/"')
        self.assertNotContains(response, f'href="/peer-review/received/{hidden.pk}/"')
        self.assertNotContains(response, f'href="/peer-review/received/{someone_elses.pk}/"')

    def test_it_never_shows_who_reviewed_when_anonymous(self):
        self.set_up_three_way_review(anonymous=True)
        self.submit_review("classmate", "student")
        self.submit_review("rhea", "student")
        response = self.signed_in_client("student").get("/peer-review/")
        self.assertContains(response, "Reviewer 1")
        self.assertContains(response, "Reviewer 2")
        for identity in REVIEWER_IDENTITIES:
            self.assertNotContains(response, identity)

    def test_it_never_shows_whose_draft_it_is_when_anonymous(self):
        self.set_up_three_way_review(anonymous=True)
        response = self.signed_in_client("rhea").get("/peer-review/")
        self.assertContains(response, "A classmate's draft", count=2)
        for identity in ["Sam", "sam@northside.example", "Cleo", "cleo@northside.example"]:
            self.assertNotContains(response, identity)

    def test_it_names_reviewers_and_authors_when_not_anonymous(self):
        self.set_up_three_way_review(anonymous=False)
        self.submit_review("classmate", "student")
        response = self.signed_in_client("student").get("/peer-review/")
        self.assertContains(response, "Cleo Classmate")
        self.assertContains(response, "Rhea Reader's draft")
        self.assertNotContains(response, "Reviewer 1")

    def test_it_is_for_students_only(self):
        self.assertEqual(self.signed_in_client("teacher").get("/peer-review/").status_code, 403)
        self.assertEqual(self.client.get("/peer-review/").status_code, 302)

    def test_it_makes_the_same_number_of_queries_for_any_number_of_reviews(self):
        # 1 session, 2 user, 3 allocations to write (assignment, course, settings, author and review
        # joined), 4 reviews of my work (assignment, course, settings and reviewer joined).
        self.configure(reviewers_per_submission=1)
        for key in ("student", "classmate"):
            self.submit_draft(key)
        do_allocate_peer_reviews(self.essay, seed=0, acting_user=self.person("teacher"))
        self.submit_review("classmate", "student")
        client = self.signed_in_client("student")
        response = self.assert_queries(client, "/peer-review/", 4)
        self.assertEqual((len(response.context["allocations"]), len(response.context["received"])), (1, 1))

        self.configure(reviewers_per_submission=2)
        self.submit_draft("rhea")
        do_allocate_peer_reviews(self.essay, seed=0, acting_user=self.person("teacher"))
        self.submit_review("rhea", "student")
        response = self.assert_queries(client, "/peer-review/", 4)
        self.assertEqual((len(response.context["allocations"]), len(response.context["received"])), (2, 2))

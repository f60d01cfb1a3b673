import json
from datetime import timedelta

from coursework.actions import do_allocate_peer_reviews, do_hide_peer_review, do_save_draft
from coursework.models import PeerReview
from tests.coursework.api.base import ApiTestCase


class PeerReviewStudentApiTests(ApiTestCase):
    def assert_anonymous(self, response, *keys):
        text = json.dumps(response.json())
        for key in keys:
            person = self.person(key)
            for identity in (person.full_name, person.email, person.get_short_name()):
                self.assertNotIn(identity, text)

    def test_it_lists_the_reviews_to_write_without_authors_when_anonymous(self):
        self.set_up_three_way_review(anonymous=True)
        response = self.api("student").get("/api/peer-review/allocations")
        rows = response.json()
        self.assertEqual(len(rows), 2)
        self.assertEqual({(row["author"], row["window"], row["review_submitted_at"]) for row in rows},
                         {(None, "open", None)})
        self.assert_anonymous(response, "classmate", "rhea")

    def test_it_names_authors_when_named(self):
        self.set_up_three_way_review(anonymous=False)
        rows = self.api("student").get("/api/peer-review/allocations").json()
        self.assertEqual(sorted(row["author"] for row in rows), ["Cleo Classmate", "Rhea Reader"])

    def test_it_shows_the_draft_as_submitted_and_what_to_answer(self):
        self.set_up_three_way_review(rubric=self.rubric)
        submission = self.allocation("classmate", "student").submission
        do_save_draft(submission, "Edited after submitting", base_revision=submission.revision_number,
                      acting_user=self.person("student"))
        body = self.api("classmate").get(f"/api/peer-review/allocations/{self.allocation('classmate', 'student').pk}"
                                         ).json()
        self.assertEqual(body["draft_text"], "Sam Student thinks school should start later.")
        self.assertEqual(len(body["guiding_questions"]), 2)
        self.assertEqual([c["title"] for c in body["rubric"]], ["Thesis", "Evidence"])
        self.assertIsNone(body["review"])

    def test_it_submits_a_review(self):
        self.set_up_three_way_review(rubric=self.rubric)
        levels = [criterion.levels.first().pk for criterion in self.rubric.criteria.all()]
        url = f"/api/peer-review/allocations/{self.allocation('classmate', 'student').pk}/review"
        response = self.post(self.api("classmate"), url, {"answers": ["A claim", "The survey"], "levels": levels,
                                                          "body": "Good."})
        self.assertEqual(response.status_code, 200, response.content)
        review = PeerReview.objects.get()
        self.assertEqual((review.answers, review.body), (["A claim", "The survey"], "Good."))
        self.assertEqual(sorted(level.pk for level in review.rubric_levels.all()), sorted(levels))

    def test_it_refuses_missing_answers_and_foreign_levels(self):
        self.set_up_three_way_review(rubric=self.rubric)
        url = f"/api/peer-review/allocations/{self.allocation('classmate', 'student').pk}/review"
        thesis_level = self.rubric.criteria.first().levels.first().pk
        response = self.post(self.api("classmate"), url, {"answers": ["Only one"], "levels": [thesis_level]})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.json()), {"answers", "levels"})
        self.assertFalse(PeerReview.objects.exists())

    def test_it_refuses_a_review_outside_the_window(self):
        self.set_up_three_way_review(opens_in=timedelta(days=1), closes_in=timedelta(days=2))
        url = f"/api/peer-review/allocations/{self.allocation('classmate', 'student').pk}/review"
        response = self.post(self.api("classmate"), url, {"answers": ["a", "b"]})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"non_field_errors": ["The review window is closed."]})
        self.assertFalse(PeerReview.objects.exists())

    def test_it_is_404_for_an_allocation_not_yours(self):
        self.set_up_three_way_review()
        url = f"/api/peer-review/allocations/{self.allocation('classmate', 'student').pk}"
        people = ["student", "outsider", "teacher", ("riverside_student", self.riverside)]
        self.assert_not_found_for(people, "get", url)
        self.assert_not_found_for(people, "post", f"{url}/review", {"answers": ["a", "b"]})
        self.assert_not_found_for(["teacher"], "get", "/api/peer-review/allocations")
        self.assertFalse(PeerReview.objects.exists())

    def test_it_lists_received_reviews_labelled_not_named_when_anonymous(self):
        self.set_up_three_way_review(anonymous=True)
        self.submit_review("classmate", "student")
        hidden = self.submit_review("rhea", "student")
        do_hide_peer_review(hidden, reason="Unkind", acting_user=self.person("teacher"))
        self.submit_review("student", "classmate")
        response = self.api("student").get("/api/peer-review/received")
        [row] = response.json()
        self.assertRegex(row["reviewer"], r"^Reviewer [12]$")
        self.assertEqual(row["questions_and_answers"][0]["answer"], "Start later.")
        self.assert_anonymous(response, "classmate", "rhea")

    def test_it_rates_a_received_review(self):
        self.set_up_three_way_review()
        review = self.submit_review("classmate", "student")
        url = f"/api/peer-review/received/{review.pk}"
        response = self.post(self.api("student"), f"{url}/rate", {"helpfulness": 4})
        self.assertEqual(response.json()["helpfulness"], 4)
        self.assertEqual(self.post(self.api("student"), f"{url}/rate", {"helpfulness": 6}).status_code, 400)
        review.refresh_from_db()
        self.assertEqual(review.helpfulness, 4)

    def test_it_is_404_for_a_review_not_of_your_work_or_hidden(self):
        self.set_up_three_way_review()
        review = self.submit_review("classmate", "student")
        url = f"/api/peer-review/received/{review.pk}"
        people = ["classmate", "rhea", "teacher", ("riverside_student", self.riverside)]
        self.assert_not_found_for(people, "get", url)
        self.assert_not_found_for(people, "post", f"{url}/rate", {"helpfulness": 1})
        do_hide_peer_review(review, reason="Unkind", acting_user=self.person("teacher"))
        self.assert_not_found_for(["student"], "get", url)
        self.assert_not_found_for(["student"], "post", f"{url}/rate", {"helpfulness": 1})
        review.refresh_from_db()
        self.assertIsNone(review.helpfulness)

    def test_it_lists_in_the_same_number_of_queries_for_any_number_of_reviews(self):
        # Allocations: 1 session, 2 user, 3 allocations with assignment, course, settings, author, review.
        # Received: 1 session, 2 user, 3 reviews with assignment, course, settings, reviewer and
        # reviewer number, 4 their chosen rubric levels with criteria (one prefetch).
        self.configure(reviewers_per_submission=1, rubric=self.rubric)
        for key in ("student", "classmate"):
            self.submit_draft(key)
        do_allocate_peer_reviews(self.essay, seed=0, acting_user=self.person("teacher"))
        self.submit_review("classmate", "student")
        client = self.api("student")
        self.assert_list_queries(client, "/api/peer-review/allocations", 3, rows=1)
        self.assert_list_queries(client, "/api/peer-review/received", 4, rows=1)
        self.configure(reviewers_per_submission=2, rubric=self.rubric)
        self.submit_draft("rhea")
        do_allocate_peer_reviews(self.essay, seed=0, acting_user=self.person("teacher"))
        self.submit_review("rhea", "student")
        self.assert_list_queries(client, "/api/peer-review/allocations", 3, rows=2)
        self.assert_list_queries(client, "/api/peer-review/received", 4, rows=2)

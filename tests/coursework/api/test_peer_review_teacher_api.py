from accounts.actions import do_create_user
from accounts.models import Role
from coursework.actions import (
    do_allocate_peer_reviews,
    do_enrol_student,
    do_submit_peer_review,
    get_or_start_submission,
)
from coursework.models import PeerReview, PeerReviewAllocation
from tests.coursework.api.base import ApiTestCase


class PeerReviewTeacherApiTests(ApiTestCase):
    def test_it_lists_allocations_and_reviews_with_names_even_when_anonymous(self):
        self.set_up_three_way_review(anonymous=True)
        self.submit_review("classmate", "student", body="Clear claim.")
        rows = self.api("teacher").get(f"/api/assignments/{self.essay.pk}/peer-reviews").json()
        self.assertEqual(len(rows), 6)
        [reviewed] = [row for row in rows if row["review"]]
        self.assertEqual((reviewed["reviewer"]["full_name"], reviewed["author"]["full_name"]),
                         ("Cleo Classmate", "Sam Student"))
        self.assertEqual(reviewed["review"]["body"], "Clear claim.")

    def test_it_allocates_at_random(self):
        self.configure()
        for key in ("student", "classmate", "rhea"):
            self.submit_draft(key)
        response = self.post(self.api("teacher"), f"/api/assignments/{self.essay.pk}/peer-review/allocate")
        self.assertEqual(response.json(), {"allocated": 6})

    def test_it_refuses_random_allocation_once_a_review_is_in(self):
        self.set_up_three_way_review()
        self.submit_review("classmate", "student")
        response = self.post(self.api("teacher"), f"/api/assignments/{self.essay.pk}/peer-review/allocate")
        self.assertEqual(response.status_code, 400)
        self.assertIn("cannot be allocated again", response.json()["non_field_errors"][0])

    def test_it_is_404_to_allocate_before_peer_review_is_set_up(self):
        self.assert_not_found(self.post(self.api("teacher"), f"/api/assignments/{self.essay.pk}/peer-review/allocate"))

    def test_it_allocates_by_hand(self):
        self.configure(allocation="manual")
        submission = self.submit_draft("student")
        url = f"/api/assignments/{self.essay.pk}/peer-review/allocations"
        response = self.post(self.api("teacher"), url, {"reviewer": self.person("classmate").pk,
                                                        "submission": submission.pk})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["reviewer"]["full_name"], "Cleo Classmate")
        response = self.post(self.api("teacher"), url, {"reviewer": self.person("student").pk,
                                                        "submission": submission.pk})
        self.assertEqual(response.json(), {"non_field_errors": ["A student cannot review their own work."]})

    def test_it_is_404_to_allocate_a_reviewer_or_draft_from_elsewhere(self):
        self.configure(allocation="manual")
        submission = self.submit_draft("student")
        url = f"/api/assignments/{self.essay.pk}/peer-review/allocations"
        self.assert_not_found(self.post(self.api("teacher"), url, {"reviewer": self.person("outsider").pk,
                                                                   "submission": submission.pk}))
        unsubmitted = get_or_start_submission(self.essay, self.person("rhea"))
        self.assert_not_found(self.post(self.api("teacher"), url, {"reviewer": self.person("classmate").pk,
                                                                   "submission": unsubmitted.pk}))
        self.assertFalse(PeerReviewAllocation.objects.exists())

    def test_it_hides_a_review(self):
        self.set_up_three_way_review()
        review = self.submit_review("classmate", "student")
        response = self.post(self.api("teacher"), f"/api/peer-reviews/{review.pk}/hide", {"reason": "Unkind"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["hidden_reason"], "Unkind")
        self.assertEqual(self.api("student").get("/api/peer-review/received").json(), [])
        self.assertEqual(self.post(self.api("teacher"), f"/api/peer-reviews/{review.pk}/hide", {}).status_code, 400)

    def test_it_is_404_outside_the_teachers_courses(self):
        self.set_up_three_way_review()
        review = self.submit_review("classmate", "student")
        teachers = ["other_teacher", ("riverside_teacher", self.riverside)]
        self.assert_not_found_for(teachers + ["student"], "get", f"/api/assignments/{self.essay.pk}/peer-reviews")
        self.assert_not_found_for(teachers + ["student"], "post",
                                  f"/api/assignments/{self.essay.pk}/peer-review/allocate")
        self.assert_not_found_for(teachers + ["student"], "post",
                                  f"/api/assignments/{self.essay.pk}/peer-review/allocations",
                                  {"reviewer": self.person("classmate").pk,
                                   "submission": self.allocation("rhea", "student").submission_id})
        self.assert_not_found_for(teachers + ["student"], "get", f"/api/peer-reviews/{review.pk}")
        self.assert_not_found_for(teachers + ["student"], "post", f"/api/peer-reviews/{review.pk}/hide",
                                  {"reason": "x"})
        self.assertIsNone(PeerReview.objects.get().hidden_at)
        self.assertEqual(PeerReviewAllocation.objects.count(), 6)

    def test_it_lists_in_the_same_number_of_queries_for_any_number_of_allocations(self):
        # 1 session, 2 user, 3 assignment (access), 4 allocations with reviewer, author and review,
        # 5 the reviews' rubric levels (one prefetch, only when some review exists).
        self.set_up_three_way_review()
        self.submit_review("classmate", "student")
        client = self.api("teacher")
        url = f"/api/assignments/{self.essay.pk}/peer-reviews"
        self.assert_list_queries(client, url, 5, rows=6)
        for i in range(3):
            student = do_create_user(f"x{i}@northside.example", f"X {i}", Role.STUDENT, acting_user=None)
            do_enrol_student(self.course, student, acting_user=self.person("teacher"))
            self.submit_draft(student)
        do_allocate_peer_reviews(self.essay, seed=0, acting_user=self.person("teacher"))
        for allocation in PeerReviewAllocation.objects.filter(review__isnull=True)[:3]:
            do_submit_peer_review(allocation, body="More.", acting_user=allocation.reviewer)
        self.assert_list_queries(client, url, 5, rows=PeerReviewAllocation.objects.count())

from accounts.actions import do_create_user
from accounts.models import Role
from coursework.actions import do_create_rubric, do_enrol_student, do_save_draft, get_or_start_submission
from coursework.models import Comment, RubricScore
from tests.coursework.api.base import ApiTestCase


class TeacherSubmissionApiTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.submission = self.submit_draft("student", text="Schools should start later.")
        self.url = f"/api/submissions/{self.submission.pk}"

    def test_it_lists_an_assignments_submissions(self):
        self.submit_draft("classmate")
        body = self.api("teacher").get(f"/api/assignments/{self.essay.pk}/submissions").json()
        self.assertEqual([row["student"]["full_name"] for row in body], ["Cleo Classmate", "Sam Student"])
        self.assertEqual(body[1]["status"], "submitted")

    def test_it_shows_a_submission_with_its_text_comments_and_scores(self):
        client = self.api("teacher")
        self.post(client, f"{self.url}/comments", {"revision_number": 1, "start": 0, "end": 7, "body": "Which?"})
        body = client.get(self.url).json()
        self.assertEqual(body["text"], "Schools should start later.")
        self.assertEqual(body["comments"][0]["quote"], "Schools")
        self.assertEqual(body["rubric_scores"], [])

    def test_it_adds_a_comment_anchored_to_a_passage(self):
        response = self.post(self.api("teacher"), f"{self.url}/comments",
                             {"revision_number": 1, "start": 8, "end": 14, "body": "Must they?"})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["quote"], "should")
        self.assertEqual(Comment.objects.get().author, self.person("teacher"))

    def test_it_refuses_a_comment_outside_the_text_or_on_a_missing_revision(self):
        client = self.api("teacher")
        response = self.post(client, f"{self.url}/comments", {"revision_number": 1, "start": 5, "end": 500,
                                                              "body": "x"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"non_field_errors": ["Select a passage of the text to comment on."]})
        response = self.post(client, f"{self.url}/comments", {"revision_number": 9, "start": 0, "end": 1,
                                                              "body": "x"})
        self.assertIn("revision_number", response.json())
        self.assertFalse(Comment.objects.exists())

    def test_it_scores_a_rubric_criterion(self):
        level = self.rubric.criteria.first().levels.last()
        response = self.post(self.api("teacher"), f"{self.url}/rubric-scores", {"level": level.pk, "comment": "Yes"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(RubricScore.objects.get().level, level)

    def test_it_is_404_for_a_level_of_another_rubric(self):
        other = do_create_rubric("Other", [{"title": "Style", "levels": [{"title": "Fine", "points": 1}]}],
                                 acting_user=self.person("teacher"))
        level = other.criteria.get().levels.get()
        self.assert_not_found(self.post(self.api("teacher"), f"{self.url}/rubric-scores", {"level": level.pk}))
        self.assertFalse(RubricScore.objects.exists())

    def test_it_grades_and_releases_feedback(self):
        client = self.api("teacher")
        response = self.post(client, f"{self.url}/grade", {"grade": "87.5", "general_comment": "Strong claim."})
        self.assertEqual(response.json()["grade"], "87.50")
        self.assertIsNone(self.api("student").get(self.url).json()["grade"])
        response = self.post(client, f"{self.url}/release")
        self.assertEqual(response.json()["status"], "returned")
        self.assertEqual(self.api("student").get(self.url).json()["grade"], "87.50")

    def test_it_refuses_a_grade_above_the_maximum(self):
        response = self.post(self.api("teacher"), f"{self.url}/grade", {"grade": "101"})
        self.assertEqual(response.status_code, 400)
        self.submission.refresh_from_db()
        self.assertIsNone(self.submission.grade)

    def test_it_is_404_outside_the_teachers_courses(self):
        teachers = ["other_teacher", ("riverside_teacher", self.riverside)]
        self.assert_not_found_for(teachers + ["classmate"], "get", f"/api/assignments/{self.essay.pk}/submissions")
        self.assert_not_found_for(teachers + ["classmate"], "get", self.url)
        level = self.rubric.criteria.first().levels.last()
        for suffix, data in [("comments", {"revision_number": 1, "start": 0, "end": 1, "body": "x"}),
                             ("rubric-scores", {"level": level.pk}), ("grade", {"grade": "1"}), ("release", {})]:
            self.assert_not_found_for(teachers + ["student"], "post", f"{self.url}/{suffix}", data)
        self.submission.refresh_from_db()
        self.assertEqual((self.submission.grade, self.submission.feedback_released_at), (None, None))
        self.assertFalse(Comment.objects.exists() or RubricScore.objects.exists())

    def test_it_lists_submissions_in_the_same_number_of_queries_for_any_class_size(self):
        # 1 session, 2 user, 3 assignment (access), 4 submissions with their students
        client = self.api("teacher")
        url = f"/api/assignments/{self.essay.pk}/submissions"
        self.assert_list_queries(client, url, 4, rows=1)
        for i in range(3):
            student = do_create_user(f"s{i}@northside.example", f"S {i}", Role.STUDENT, acting_user=None)
            do_enrol_student(self.course, student, acting_user=self.person("teacher"))
            do_save_draft(get_or_start_submission(self.essay, student), "Text", base_revision=0, acting_user=student)
        self.assert_list_queries(client, url, 4, rows=4)

from datetime import timedelta

from django.utils import timezone

from coursework.actions import do_create_assignment, do_publish_assignment
from coursework.models import Stage
from tests.coursework.api.base import ApiTestCase


class AssignmentsApiTests(ApiTestCase):
    def unpublished(self, title="Poem"):
        return do_create_assignment(self.course, title=title, prompt="Write a poem.",
                                    due_at=timezone.now() + timedelta(days=3), acting_user=self.person("teacher"))

    def test_it_lists_published_assignments_to_students_with_their_stages(self):
        self.unpublished()
        [essay] = self.api("student").get("/api/assignments").json()
        self.assertEqual(essay["title"], "Persuasive essay")
        self.assertEqual([stage["kind"] for stage in essay["stages"]], [Stage.Kind.DRAFT, Stage.Kind.FINAL])

    def test_it_lists_every_assignment_to_the_teacher(self):
        self.unpublished()
        titles = [a["title"] for a in self.api("teacher").get("/api/assignments").json()]
        self.assertEqual(sorted(titles), ["Persuasive essay", "Poem"])

    def test_it_filters_by_course(self):
        response = self.api("teacher").get(f"/api/assignments?course={self.course.pk}")
        self.assertEqual(len(response.json()), 1)
        self.assert_not_found(self.api("teacher").get(f"/api/assignments?course={self.other_course.pk}"))
        self.assert_not_found(self.api("student").get(f"/api/assignments?course={self.other_course.pk}"))

    def test_it_shows_one_assignment(self):
        response = self.api("student").get(f"/api/assignments/{self.essay.pk}")
        self.assertEqual(response.json()["prompt"], "Should school start later?")

    def test_it_is_404_for_an_assignment_not_yours(self):
        url = f"/api/assignments/{self.essay.pk}"
        self.assert_not_found_for(["other_teacher", "outsider", ("riverside_teacher", self.riverside),
                                   ("riverside_student", self.riverside)], "get", url)
        self.assert_not_found_for(["student"], "get", f"/api/assignments/{self.unpublished().pk}")

    def test_it_lists_in_the_same_number_of_queries_for_any_number_of_assignments(self):
        # 1 session, 2 user, 3 assignments, 4 their stages (one prefetch)
        client = self.api("student")
        self.assert_list_queries(client, "/api/assignments", 4, rows=1)
        for title in ("Poem", "Letter"):
            do_publish_assignment(self.unpublished(title), acting_user=self.person("teacher"))
        self.assert_list_queries(client, "/api/assignments", 4, rows=3)

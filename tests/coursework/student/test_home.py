from datetime import timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from coursework import freshness
from coursework.actions import (
    do_archive_course,
    do_create_course,
    do_enrol_student,
    do_release_feedback,
    do_submit_stage,
    do_unenrol_student,
    do_update_course,
)
from coursework.models import Assignment
from tenants.actions import do_update_institution_settings
from tenants.directory import directory
from tenants.models import Institution
from tests.coursework.student.base import StudentPagesTestCase


class StudentHomeTests(StudentPagesTestCase):
    def test_it_lists_the_students_courses_and_published_assignments(self):
        self.assignment("Unpublished poem", publish=False)
        self.assignment("History source analysis", course=self.other_course)  # Otto's course, not Sam's
        response = self.client.get("/student/")
        self.assertContains(response, "English 10")
        self.assertContains(response, "Persuasive essay")
        self.assertContains(response, f'href="/write/{self.essay.pk}/"')
        self.assertNotContains(response, "Unpublished poem")
        self.assertNotContains(response, "History 9")
        self.assertNotContains(response, "History source analysis")

    def test_it_leaves_out_archived_courses(self):
        do_archive_course(self.course, acting_user=self.tara)
        response = self.client.get("/student/")
        self.assertNotContains(response, "Persuasive essay")
        self.assertContains(response, "You are not enrolled in any course yet")

    def test_it_shows_the_current_stage_its_due_date_and_the_students_status(self):
        draft_due = self.essay.stages.get(kind="draft").due_at
        response = self.client.get("/student/")
        self.assertContains(response, "Draft")
        self.assertContains(response, "(stage 1 of 2)")
        self.assertContains(response, f'datetime="{timezone.localtime(draft_due).isoformat()}"')
        self.assertContains(response, "Not started")

        submission = self.save(self.start(), "Schools should start later.")
        self.assertContains(self.client.get("/student/"), "Drafting")

        do_submit_stage(submission, acting_user=self.sam)
        response = self.client.get("/student/")
        self.assertContains(response, "Final")  # on to the next stage, drafting it
        self.assertContains(response, "(stage 2 of 2)")
        self.assertContains(response, "Drafting")

    def test_it_says_submitted_and_then_feedback_released(self):
        homework = self.assignment("Short reflection")
        submission = self.save(self.start(assignment=homework), "I learned a lot.")
        do_submit_stage(submission, acting_user=self.sam)
        self.assertContains(self.client.get("/student/"), 'status-submitted">Submitted<')
        do_release_feedback(submission, acting_user=self.tara)
        response = self.client.get("/student/")
        self.assertContains(response, 'status-returned">Feedback released<')
        self.assertContains(response, f'href="/write/{submission.pk}/feedback/"')

    def test_it_flags_late_work(self):
        self.assignment("Overdue summary", due_in=timedelta(days=-1))
        self.assignment("Closed summary", due_in=timedelta(days=-1), late_policy=Assignment.LatePolicy.REFUSE)
        response = self.client.get("/student/")
        self.assertContains(response, "you can still submit; it will be marked late")
        self.assertContains(response, "this assignment does not accept late work")

        late = self.assignment("Late summary", due_in=timedelta(days=-1))
        do_submit_stage(self.save(self.start(assignment=late), "Late but here."), acting_user=self.sam)
        self.assertContains(self.client.get("/student/"), "Submitted late")

    def test_it_links_to_peer_reviews(self):
        self.assertContains(self.client.get("/student/"), '<a href="/peer-review/">Peer reviews</a>', html=True)

    def rebuilt(self):
        cache.clear()  # the rows are cached (coursework/freshness.py): count the rebuild
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/student/")
        return response, queries

    def test_it_shows_the_home_page_in_constant_queries(self):
        # 1 session, 2 the signed-in person, 3 courses, 4 their assignments with a publication date,
        # 5 those assignments' stages, 6 the student's submissions, 7 those submissions' stage submissions.
        self.save(self.start(), "A first sentence.")
        self.client.get("/student/")  # warm the host directory
        response, queries = self.rebuilt()
        self.assertContains(response, "Persuasive essay")
        self.assertQueries(queries, 7)
        # Then from the cache while nothing it shows changes: 1 session, 2 the signed-in person.
        response, queries = self.count_queries(self.client, "/student/")
        self.assertContains(response, "Persuasive essay")
        self.assertQueries(queries, 2)

        for n in range(3):
            course = do_create_course(f"Elective {n}", "Autumn 2026", acting_user=self.tara)
            do_enrol_student(course, self.sam, acting_user=self.tara)
            for title in ("Poem", "Letter"):
                assignment = self.assignment(f"{title} {n}", course=course)
                do_submit_stage(self.save(self.start(assignment=assignment), "Some words."), acting_user=self.sam)
        response, queries = self.rebuilt()
        self.assertContains(response, "Letter 2")
        self.assertQueries(queries, 7)

    def test_a_cached_home_shows_each_change_on_the_next_visit(self):
        self.assertContains(self.client.get("/student/"), "English 10")
        elective = do_create_course("Drama", "Autumn 2026", acting_user=self.tara)
        do_enrol_student(elective, self.sam, acting_user=self.tara)
        self.assertContains(self.client.get("/student/"), "Drama")  # a new enrolment

        do_update_course(elective, title="Drama club", term="Autumn 2026", acting_user=self.tara)
        self.assertContains(self.client.get("/student/"), "Drama club")  # a renamed course

        self.assignment("Monologue", course=elective)
        self.assertContains(self.client.get("/student/"), "Monologue")  # a published assignment

        do_unenrol_student(elective, self.sam, acting_user=self.tara)
        self.assertNotContains(self.client.get("/student/"), "Drama club")  # an unenrolment

    def test_an_assignment_published_for_later_appears_when_its_time_comes(self):
        later = self.assignment("Sonnet", publish=False)
        Assignment.objects.filter(pk=later.pk).update(published_at=timezone.now() + timedelta(hours=1))
        freshness.forget_courses([later.course_id])  # as scheduling it through an action would
        self.assertNotContains(self.client.get("/student/"), "Sonnet")
        with mock.patch("coursework.student_pages.timezone.now", return_value=timezone.now() + timedelta(hours=2)):
            self.assertContains(self.client.get("/student/"), "Sonnet")  # from the same cached rows

    def test_a_classmates_work_leaves_the_cached_home_as_it_is_and_the_students_own_work_does_not(self):
        self.client.get("/student/")
        cleo = self.person("classmate")
        do_submit_stage(self.save(self.start("classmate"), "Cleo's draft."), acting_user=cleo)
        self.assertIsNotNone(freshness.cached_home(self.sam.pk))  # Sam's home shows none of Cleo's work

        do_submit_stage(self.save(self.start(), "Sam's draft."), acting_user=self.sam)
        self.assertIsNone(freshness.cached_home(self.sam.pk))
        self.assertContains(self.client.get("/student/"), "(stage 2 of 2)")  # on to the final stage

    def test_the_rendered_list_is_reused_until_time_changes_it(self):
        note = self.assignment("Quick note", due_in=timedelta(minutes=30))
        self.assertNotContains(self.client.get("/student/"), "it will be marked late")
        with mock.patch("coursework.views_student.render_to_string", wraps=render_to_string) as rendered:
            self.assertNotContains(self.client.get("/student/"), "it will be marked late")
            self.assertEqual(rendered.call_count, 0)  # the list from the cache
            # The note's stage falls due: the same cached rows, rendered again, now say so.
            due = note.stages.get().due_at
            with mock.patch("coursework.student_pages.timezone.now", return_value=due + timedelta(minutes=1)):
                self.assertContains(self.client.get("/student/"), "it will be marked late")
            self.assertEqual(rendered.call_count, 1)

    def test_the_rendered_list_follows_the_institutions_time_zone(self):
        draft_due = self.essay.stages.get(kind="draft").due_at
        self.client.get("/student/")
        self.addCleanup(directory.invalidate, everywhere=False)  # forget the changed zone before rollback
        for zone in ("Pacific/Auckland", "America/Chicago"):
            do_update_institution_settings(Institution.objects.get(pk=self.northside.pk),
                                           acting_user=self.person("admin"), time_zone=zone)
            with self.subTest(zone=zone):
                shown = timezone.localtime(draft_due, ZoneInfo(zone)).isoformat()
                self.assertContains(self.client.get("/student/"), f'datetime="{shown}"')

    def test_a_cached_home_is_never_another_institutions(self):
        # Ids repeat across schemas (each has its own sequences): the cache keys carry the schema,
        # so Sam's cached rows are not found under his id at Riverside.
        self.assertContains(self.client.get("/student/"), "English 10")
        self.assertIsNotNone(freshness.cached_home(self.sam.pk))
        with tenant_context(self.riverside):
            self.assertIsNone(freshness.cached_home(self.sam.pk))
        rory_home = self.signed_in_client("riverside_student", self.riverside).get("/student/")
        self.assertEqual(rory_home.status_code, 200)
        self.assertNotContains(rory_home, "English 10")
        self.assertNotContains(rory_home, "Persuasive essay")

    def test_it_keeps_other_roles_out(self):
        self.assertEqual(self.signed_in_client("teacher").get("/student/").status_code, 403)
        self.assertRedirects(self.client_for(self.northside).get("/student/"), "/accounts/login/?next=/student/",
                             fetch_redirect_response=False)

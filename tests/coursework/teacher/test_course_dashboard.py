from datetime import timedelta
from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.actions import do_update_person
from coursework import freshness
from coursework.actions import (
    do_create_assignment,
    do_publish_assignment,
    do_release_feedback,
    do_unenrol_student,
    do_update_assignment,
)
from coursework.models import Stage, Submission
from tests.coursework.teacher.base import TeacherTestCase


class CourseDashboardTests(TeacherTestCase):
    def setUp(self):
        super().setUp()
        now = timezone.now()
        tara = self.person("teacher")
        # The draft stage was due two days ago; the final one is next week.
        self.journal = do_create_assignment(
            self.course, title="Reading journal", prompt="Reflect.", due_at=now + timedelta(days=7),
            stages=[(Stage.Kind.DRAFT, now - timedelta(days=2)), (Stage.Kind.FINAL, now + timedelta(days=7))],
            acting_user=tara)
        do_publish_assignment(self.journal, acting_user=tara)
        self.path = f"/teach/courses/{self.course.pk}/"

    def progress_of(self, response, assignment):
        return next(p for p in response.context["progress"] if p.assignment == assignment)

    def test_it_sorts_students_into_not_started_behind_late_and_waiting(self):
        sam, cleo = self.person("student"), self.person("classmate")
        nia = self.new_student(1)
        sams = self.submit(self.write(sam, "My late draft.", assignment=self.journal))
        self.write(cleo, "Still writing.", assignment=self.journal)
        response = self.tara.get(self.path)
        journal = self.progress_of(response, self.journal)
        self.assertEqual([row.student_id for row in journal.not_started], [nia.pk])
        self.assertEqual([s.kind for s in journal.not_started[0].missed_stages], ["draft"])
        self.assertEqual([row.student_id for row in journal.behind], [cleo.pk])
        self.assertEqual([row.student_id for row in journal.late], [sam.pk])
        self.assertEqual([row.student_id for row in journal.awaiting], [sam.pk])
        self.assertContains(response, f'href="/teach/submissions/{sams.pk}/"')
        self.assertContains(response, "<h3>Not started (1)</h3>", html=False)
        self.assertContains(response, f"{nia.full_name} <span class=\"tag alert\">overdue: draft</span>")
        self.assertContains(response, f'<a href="/teach/submissions/{sams.pk}/">{sam.full_name}</a>: draft')
        essay = self.progress_of(response, self.essay)
        self.assertEqual(len(essay.not_started), 3)
        self.assertEqual(essay.behind, [])

    def test_it_takes_work_off_the_queue_when_feedback_is_released_and_back_on_resubmission(self):
        sam = self.person("student")
        submission = self.submit(self.write(sam, "Draft one.", assignment=self.journal))
        do_release_feedback(submission, acting_user=self.person("teacher"))
        self.assertEqual(self.progress_of(self.tara.get(self.path), self.journal).awaiting, [])
        submission = self.write(sam, "Draft one, revised for the final stage.", assignment=self.journal)
        self.submit(submission)
        self.assertEqual(len(self.progress_of(self.tara.get(self.path), self.journal).awaiting), 1)

    def test_it_keeps_work_of_a_student_who_left_in_the_queue(self):
        from coursework.actions import do_unenrol_student

        self.submit(self.write(self.person("student"), "Draft.", assignment=self.journal))
        do_unenrol_student(self.course, self.person("student"), acting_user=self.person("teacher"))
        response = self.tara.get(self.path)
        self.assertContains(response, "left the course")

    def rebuilt_queries(self):
        """Queries of a dashboard built afresh (its cached page forgotten, as a change does)."""
        self.tara.get(self.path)  # warm the host directory and the session
        freshness.forget_courses([self.course.pk])
        with CaptureQueriesContext(connection) as queries:
            response = self.tara.get(self.path)
        self.assertEqual(response.status_code, 200)
        return len(queries), "\n".join(q["sql"] for q in queries.captured_queries)

    def test_it_builds_the_dashboard_in_nine_queries_however_many_students_and_assignments(self):
        # 1 session, 2 the teacher, 3 the course (access check), 4 its assignments, 5 their stages,
        # 6 enrolments with students and sections, 7 submissions (no text), 8 stage submissions as
        # (submission, stage, late) tuples, 9 notable integrity observations (integrity app)
        self.submit(self.write(self.person("student"), "A draft.", assignment=self.journal))
        queries, sql = self.rebuilt_queries()
        self.assertEqual(queries, 9, sql)
        for n in range(5):
            student = self.new_student(n)
            self.submit(self.write(student, f"Draft {n}.", assignment=self.journal))
        self.new_assignment("Poem")
        more, sql = self.rebuilt_queries()
        self.assertEqual(more, 9, sql)

    def test_it_serves_an_unchanged_dashboard_from_the_cache_in_three_queries(self):
        # 1 session, 2 the teacher, 3 the course (access check); the cards come from the cache
        queries, response, sql = self.count_queries(self.tara, self.path)
        self.assertEqual(queries, 3, sql)
        self.assertContains(response, "Reading journal")

    def test_it_rebuilds_when_anything_it_shows_changes(self):
        sam = self.person("student")
        changes = [
            ("a student starts writing", lambda: self.write(sam, "First words.", assignment=self.journal)),
            ("a stage is submitted", lambda: self.submit(Submission.objects.get(student=sam, assignment=self.journal))),
            ("feedback is released", lambda: do_release_feedback(
                Submission.objects.get(student=sam, assignment=self.journal), acting_user=self.person("teacher"))),
            ("a student is enrolled", lambda: self.new_student(7)),
            ("a student is renamed", lambda: do_update_person(sam, full_name="Samuel Renamed",
                                                              acting_user=self.person("admin"))),
            ("an assignment is added", lambda: self.new_assignment("Sonnet")),
            ("a due date moves", lambda: do_update_assignment(
                self.journal, stages=[(Stage.Kind.DRAFT, timezone.now() - timedelta(days=1)),
                                      (Stage.Kind.FINAL, timezone.now() + timedelta(days=8))],
                acting_user=self.person("teacher"))),
            ("a student leaves", lambda: do_unenrol_student(self.course, self.person("classmate"),
                                                            acting_user=self.person("teacher"))),
        ]
        for what, change in changes:
            with self.subTest(what):
                before = self.tara.get(self.path).context["cards"]
                cached = self.tara.get(self.path)
                self.assertNotIn("progress", cached.context)  # served from the cache
                self.assertEqual(cached.context["cards"], before)
                change()
                response = self.tara.get(self.path)
                self.assertIn("progress", response.context, "the page was not rebuilt")
                self.assertNotEqual(response.context["cards"], before)

    def test_it_expires_when_the_next_stage_falls_due(self):
        soon = timezone.now() + timedelta(seconds=30)
        do_update_assignment(self.journal, due_at=soon + timedelta(days=1),
                             stages=[(Stage.Kind.DRAFT, soon), (Stage.Kind.FINAL, soon + timedelta(days=1))],
                             acting_user=self.person("teacher"))
        with mock.patch.object(cache, "set", wraps=cache.set) as cache_set:
            self.tara.get(self.path)
        (key, _value, seconds), _ = next(c for c in cache_set.call_args_list if "page:dashboard" in c.args[0])
        self.assertLessEqual(seconds, 30)

    def test_it_keeps_each_institutions_dashboards_apart(self):
        self.tara.get(self.path)
        self.assertIsNotNone(freshness.cached_page(self.course.pk, "dashboard")[1])
        with tenant_context(self.riverside):  # the same course id at Riverside finds nothing of Northside's
            self.assertIsNone(freshness.cached_page(self.course.pk, "dashboard")[1])
        rita = self.signed_in_client("riverside_teacher", self.riverside)
        response = rita.get(f"/teach/courses/{self.riverside_course.pk}/")
        self.assertContains(response, "Riverside English")
        self.assertNotContains(response, "Reading journal")

    def test_it_says_when_an_assignment_is_not_published(self):
        do_create_assignment(self.course, title="Secret plan", prompt="x", due_at=timezone.now() + timedelta(days=3),
                             acting_user=self.person("teacher"))
        self.assertContains(self.tara.get(self.path), "Draft, not published")

    def test_it_escapes_what_people_typed(self):
        from accounts.actions import do_update_person

        nia = self.new_student(1)
        do_update_person(nia, full_name="<b>Nia</b>", acting_user=self.person("admin"))
        self.write(nia, "Draft.", assignment=self.journal)
        response = self.tara.get(self.path)
        self.assertContains(response, "&lt;b&gt;Nia&lt;/b&gt;")
        self.assertNotContains(response, "<b>Nia</b>")

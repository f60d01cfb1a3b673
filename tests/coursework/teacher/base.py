"""Helpers for the teacher-side tests: Tara's browser, and students' writing done through the real actions."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.actions import do_create_user
from accounts.models import Role
from coursework.actions import (
    do_create_assignment,
    do_enrol_student,
    do_publish_assignment,
    do_save_draft,
    do_submit_stage,
    get_or_start_submission,
)
from coursework.models import Stage
from tests.coursework.base import CourseworkTestCase


class TeacherTestCase(CourseworkTestCase):
    """CourseworkTestCase with Tara signed in as `self.tara` (a client) and writing helpers."""

    def setUp(self):
        super().setUp()
        self.tara = self.signed_in_client("teacher")

    def write(self, student, *texts, assignment=None):
        """The student saves each text in turn (one revision each); returns the submission."""
        submission = get_or_start_submission(assignment or self.essay, student)
        for text in texts:
            submission, _ = do_save_draft(submission, text, base_revision=submission.revision_number,
                                          acting_user=student)
        return submission

    def submit(self, submission):
        return do_submit_stage(submission, acting_user=submission.student)

    def new_student(self, n, course=None):
        student = do_create_user(f"student{n}@northside.example", f"Student {n:03d}", Role.STUDENT, acting_user=None)
        do_enrol_student(course or self.course, student, acting_user=self.person("teacher"))
        return student

    def new_assignment(self, title, *, draft_due_days=7, final_due_days=14, course=None, **fields):
        now = timezone.now()
        assignment = do_create_assignment(
            course or self.course, title=title, prompt="Write.", due_at=now + timedelta(days=final_due_days),
            stages=[(Stage.Kind.DRAFT, now + timedelta(days=draft_due_days)),
                    (Stage.Kind.FINAL, now + timedelta(days=final_due_days))],
            acting_user=self.person("teacher"), **fields)
        do_publish_assignment(assignment, acting_user=self.person("teacher"))
        return assignment

    def count_queries(self, client, path):
        client.get(path)  # warm the host directory and caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        self.assertEqual(response.status_code, 200)
        return len(queries), response, "\n".join(q["sql"] for q in queries.captured_queries)

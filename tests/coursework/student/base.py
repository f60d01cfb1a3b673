"""Helpers for the student pages' tests: Sam's work in English 10, saved and submitted through the actions."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from coursework.actions import (
    do_create_assignment,
    do_enrol_student,
    do_publish_assignment,
    do_save_draft,
    get_or_start_submission,
)
from coursework.models import Assignment, Submission
from tests.coursework.base import CourseworkTestCase


class StudentPagesTestCase(CourseworkTestCase):
    """Sam (student) signed in; `self.essay` is English 10's published two-stage essay."""

    def setUp(self):
        super().setUp()
        self.sam = self.person("student")
        self.tara = self.person("teacher")
        self.client = self.signed_in_client("student")

    def start(self, student_key="student", assignment=None):
        return get_or_start_submission(assignment or self.essay, self.person(student_key))

    def save(self, submission, *texts, **process):
        for text in texts:
            submission, _ = do_save_draft(submission, text, base_revision=submission.revision_number,
                                          acting_user=submission.student, process=process)
        return submission

    def assignment(self, title, *, course=None, publish=True, due_in=timedelta(days=7), **fields):
        """A single-stage assignment in English 10 (or `course`), made and published by its teacher."""
        course = course or self.course
        teacher = course.teachers.first()
        assignment = do_create_assignment(course, title=title, prompt=f"Write about {title}.",
                                          due_at=timezone.now() + due_in, acting_user=teacher, **fields)
        if publish:
            do_publish_assignment(assignment, acting_user=teacher)
        return assignment

    def riverside_assignment(self):
        """A published assignment at Riverside whose id no Northside assignment has (ids are per schema)."""
        northside_ids = set(Assignment.objects.values_list("pk", flat=True))
        with tenant_context(self.riverside):
            while (assignment := self._riverside_published()).pk in northside_ids:
                pass
        return assignment

    def riverside_submission(self):
        """Rory's saved work at Riverside, with an id no Northside submission has."""
        northside_ids = set(Submission.objects.values_list("pk", flat=True))
        with tenant_context(self.riverside):
            rory = self.person("riverside_student")
            while (submission := get_or_start_submission(self._riverside_published(), rory)).pk in northside_ids:
                pass
            return self.save(submission, "Rory's river essay.")

    def _riverside_published(self):
        rita = self.person("riverside_teacher")
        assignment = do_create_assignment(self.riverside_course, title="River essay", prompt="Rivers?",
                                          due_at=timezone.now() + timedelta(days=3), acting_user=rita)
        return do_publish_assignment(assignment, acting_user=rita)

    def enrol(self, key, course=None):
        do_enrol_student(course or self.course, self.person(key), acting_user=self.tara)

    def count_queries(self, client, path):
        client.get(path)  # warm the host directory and the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        return response, queries

    def assertQueries(self, queries, expected):
        self.assertEqual(len(queries), expected, "\n".join(q["sql"] for q in queries.captured_queries))

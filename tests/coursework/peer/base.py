"""Peer review on English 10's essay, set up through the real actions."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.actions import do_create_user
from accounts.models import Role
from coursework.actions import (
    do_allocate_peer_reviews,
    do_configure_peer_review,
    do_enrol_student,
    do_save_draft,
    do_submit_peer_review,
    do_submit_stage,
    get_or_start_submission,
)
from coursework.models import PeerReviewAllocation, Stage
from tests.coursework.base import CourseworkTestCase

QUESTIONS = ["What is the writer's main claim?", "Which piece of evidence is weakest, and why?"]


class PeerReviewTestCase(CourseworkTestCase):
    """Adds to English 10:

    - rhea (Rhea Reader): a third student in English 10, so a draft can have two reviewers.
    - draft_stage: the essay's draft stage, the one peer review looks at.
    Helpers submit drafts and configure the review window relative to now.
    """

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.people["rhea"] = do_create_user("rhea@northside.example", "Rhea Reader", Role.STUDENT, acting_user=None)
        do_enrol_student(cls.course, cls.people["rhea"], acting_user=cls.people["teacher"])
        cls.draft_stage = cls.essay.stages.get(kind=Stage.Kind.DRAFT)

    def submit_draft(self, student, text=None, assignment=None):
        """`student`: a person's key or a User."""
        student = self.person(student) if isinstance(student, str) else student
        submission = get_or_start_submission(assignment or self.essay, student)
        submission, _ = do_save_draft(submission, text or f"{student.full_name} thinks school should start later.",
                                      base_revision=submission.revision_number, acting_user=student)
        return do_submit_stage(submission, acting_user=student)

    def configure(self, *, opens_in=timedelta(hours=-1), closes_in=timedelta(days=7), **options):
        now = timezone.now()
        options = {"guiding_questions": QUESTIONS, "anonymous": True, "reviewers_per_submission": 2, **options}
        return do_configure_peer_review(self.essay, stage=self.draft_stage, opens_at=now + opens_in,
                                        closes_at=now + closes_in, acting_user=self.person("teacher"), **options)

    def review_form(self, **fields):
        return {"answer_0": "Start later.", "answer_1": "The survey.", "body": "Nice work.", **fields}

    def set_up_three_way_review(self, **options):
        """Sam, Cleo and Rhea submit drafts; each reviews the other two (3 students, 2 reviewers each)."""
        settings_row = self.configure(**options)
        for key in ("student", "classmate", "rhea"):
            self.submit_draft(key)
        do_allocate_peer_reviews(self.essay, seed=0, acting_user=self.person("teacher"))
        return settings_row

    def allocation(self, reviewer, author):
        return PeerReviewAllocation.objects.get(reviewer=self.person(reviewer), submission__student=self.person(author))

    def submit_review(self, reviewer, author, body="Your claim is clear.", answers=("Start later.", "The survey.")):
        return do_submit_peer_review(self.allocation(reviewer, author), body=body, answers=list(answers),
                                     acting_user=self.person(reviewer))

    def assert_queries(self, client, path, expected):
        """GET `path` twice (the first warms the host directory and search_path) and pin the second."""
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(queries), expected, "\n".join(q["sql"] for q in queries.captured_queries))
        return response

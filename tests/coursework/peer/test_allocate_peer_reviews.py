from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.actions import do_create_user
from accounts.models import Role
from coursework.actions import (
    check_allocate_peer_reviews,
    do_allocate_peer_reviews,
    do_configure_peer_review,
    do_create_assignment,
    do_enrol_student,
    do_publish_assignment,
    do_save_draft,
    do_submit_peer_review,
    get_or_start_submission,
)
from coursework.models import PeerReviewAllocation, Stage
from tests.coursework.peer.base import PeerReviewTestCase

CLASS_SIZES = range(2, 13)
REVIEWERS_PER_DRAFT = range(1, 4)
SEEDS = range(3)


class AllocatePeerReviewsTests(PeerReviewTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        tara = cls.people["teacher"]
        cls.pupils = []
        for i in range(max(CLASS_SIZES)):
            pupil = do_create_user(f"pupil{i}@northside.example", f"Pupil {i}", Role.STUDENT, acting_user=None)
            do_enrol_student(cls.course, pupil, acting_user=tara)
            cls.pupils.append(pupil)

    def class_of(self, size):
        """A fresh assignment in which the first `size` pupils submitted the draft."""
        tara, now = self.person("teacher"), timezone.now()
        assignment = do_create_assignment(
            self.course, title=f"Essay for {size}", prompt="Argue.", due_at=now + timedelta(days=14),
            stages=[(Stage.Kind.DRAFT, now + timedelta(days=7)), (Stage.Kind.FINAL, now + timedelta(days=14))],
            acting_user=tara)
        do_publish_assignment(assignment, acting_user=tara)
        for pupil in self.pupils[:size]:
            self.submit_draft(pupil, assignment=assignment)
        return assignment

    def allocate(self, assignment, per, seed):
        do_configure_peer_review(assignment, stage=assignment.stages.get(kind=Stage.Kind.DRAFT),
                                 opens_at=timezone.now(), closes_at=timezone.now() + timedelta(days=3),
                                 reviewers_per_submission=per, acting_user=self.person("teacher"))
        do_allocate_peer_reviews(assignment, seed=seed, acting_user=self.person("teacher"))
        return list(PeerReviewAllocation.objects.filter(assignment=assignment).select_related("submission"))

    def test_it_is_balanced_and_never_self_for_every_class_size(self):
        for size in CLASS_SIZES:
            assignment = self.class_of(size)
            for per in REVIEWERS_PER_DRAFT:
                for seed in SEEDS:
                    with self.subTest(size=size, per=per, seed=seed):
                        allocations = self.allocate(assignment, per, seed)
                        expected = min(per, size - 1)
                        pairs = [(a.reviewer_id, a.submission.student_id) for a in allocations]
                        self.assertFalse([p for p in pairs if p[0] == p[1]], "someone reviews their own draft")
                        self.assertEqual(len(pairs), len(set(pairs)))
                        students = {p.pk for p in self.pupils[:size]}
                        reviews_received = Counter(author for _, author in pairs)
                        reviews_written = Counter(reviewer for reviewer, _ in pairs)
                        self.assertEqual(reviews_received, dict.fromkeys(students, expected))
                        self.assertEqual(reviews_written, dict.fromkeys(students, expected))

    def test_it_leaves_out_students_who_did_not_submit_the_stage(self):
        assignment = self.class_of(3)
        still_writing = self.pupils[3]
        do_save_draft(get_or_start_submission(assignment, still_writing), "Still writing", base_revision=0,
                      acting_user=still_writing)
        allocations = self.allocate(assignment, 2, seed=1)
        self.assertEqual(len(allocations), 6)
        self.assertNotIn(still_writing.pk, {a.reviewer_id for a in allocations})
        self.assertNotIn(still_writing.pk, {a.submission.student_id for a in allocations})

    def test_it_allocates_nothing_for_a_single_draft(self):
        assignment = self.class_of(1)
        self.assertEqual(self.allocate(assignment, 2, seed=0), [])

    def test_it_replaces_unreviewed_allocations_when_run_again(self):
        assignment = self.class_of(5)
        first = {(a.reviewer_id, a.submission_id) for a in self.allocate(assignment, 2, seed=1)}
        second = self.allocate(assignment, 2, seed=2)
        self.assertEqual(len(second), 10)
        self.assertNotEqual(first, {(a.reviewer_id, a.submission_id) for a in second})

    def test_it_refuses_random_reallocation_once_a_review_is_submitted(self):
        assignment = self.class_of(4)
        allocation = self.allocate(assignment, 1, seed=0)[0]
        do_submit_peer_review(allocation, body="Good.", acting_user=allocation.reviewer)
        with pytest.raises(ValidationError):
            check_allocate_peer_reviews(assignment, acting_user=self.person("teacher"))
        self.assertEqual(PeerReviewAllocation.objects.filter(assignment=assignment).count(), 4)

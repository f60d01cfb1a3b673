"""Fetch-with-permission: each returns the object or raises 404, never 403 (no existence leaks).

A teacher reaches only courses they teach; a student only courses they are enrolled in, their own
submissions, and the drafts peer review allocates to them.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role
from coursework.models import Assignment, Course, PeerReview, PeerReviewAllocation, Submission
from scribetree.compiled import CompiledQuery


def access_course_as_teacher(user, course_id):
    """Compiled once per process (scribetree/compiled.py): every page of a course starts here."""
    if user.role != Role.TEACHER:
        raise Http404
    course = _TAUGHT_COURSE.first(teacher_id=user.pk, pk=course_id)
    if course is None:
        raise Http404
    return course


_TAUGHT_COURSE = CompiledQuery(Course, [field.attname for field in Course._meta.concrete_fields],
                               lambda teacher_id, pk: Course.objects.filter(teachers=teacher_id, pk=pk))


def access_course_as_student(user, course_id):
    if user.role != Role.STUDENT:
        raise Http404
    return get_object_or_404(Course.objects.filter(enrolments__student=user, archived_at__isnull=True), pk=course_id)


def access_assignment_as_teacher(user, assignment_id):
    if user.role != Role.TEACHER:
        raise Http404
    return get_object_or_404(Assignment.objects.select_related("course", "rubric").filter(course__teachers=user),
                             pk=assignment_id)


def access_assignment_as_student(user, assignment_id):
    if user.role != Role.STUDENT:
        raise Http404
    assignment = get_object_or_404(
        Assignment.objects.select_related("course").filter(
            course__enrolments__student=user, course__archived_at__isnull=True, published_at__isnull=False),
        pk=assignment_id)
    if not assignment.is_published:
        raise Http404
    return assignment


def access_submission_as_teacher(user, submission_id):
    if user.role != Role.TEACHER:
        raise Http404
    return get_object_or_404(
        Submission.objects.select_related("assignment__course", "assignment__rubric", "student", "current_stage")
        .filter(assignment__course__teachers=user),
        pk=submission_id)


def access_own_submission(user, submission_id):
    if user.role != Role.STUDENT:
        raise Http404
    return get_object_or_404(
        Submission.objects.select_related("assignment__course", "current_stage").filter(student=user),
        pk=submission_id)


def access_submission_to_save(user, submission_id):
    """`access_own_submission` for autosave: the bare row, in one query (the hot path; the save
    itself is checked against concurrent saves by `do_save_draft`). Compiled once per process
    (scribetree/compiled.py): compiling it was more of a save's cost than running it."""
    if user.role != Role.STUDENT:
        raise Http404
    submission = _OWN_SUBMISSION_TO_SAVE.first(student_id=user.pk, pk=submission_id)
    if submission is None:
        raise Http404
    return submission


# What a save reads (the rest -- dates, grade, comment -- is loaded only if something asks for it).
SAVE_FIELDS = ("pk", "assignment", "student", "status", "text", "revision_number")
_OWN_SUBMISSION_TO_SAVE = CompiledQuery(
    Submission, SAVE_FIELDS, lambda student_id, pk: Submission.objects.filter(student_id=student_id, pk=pk))


def access_allocation_as_reviewer(user, allocation_id):
    if user.role != Role.STUDENT:
        raise Http404
    from privacy.consent import consent_filter
    from privacy.models import Purpose

    # The author may have declined (or withdrawn) showing their work to classmates (privacy consent).
    return get_object_or_404(
        PeerReviewAllocation.objects.select_related("submission__assignment__peer_review", "assignment")
        .filter(reviewer=user, submission__stage_submissions__isnull=False)
        .filter(consent_filter("submission__student", Purpose.PEER_SHOWING)).distinct(),
        pk=allocation_id)


# --- Peer review and API ---------------------------------------------------------------------------

def access_received_peer_review(user, review_id):
    """A submitted, not hidden review of the student's own work (what its author may read and rate)."""
    if user.role != Role.STUDENT:
        raise Http404
    return get_object_or_404(
        PeerReview.objects.select_related("allocation__assignment__peer_review", "allocation__assignment__course")
        .filter(allocation__submission__student=user, submitted_at__isnull=False, hidden_at__isnull=True),
        pk=review_id)


def access_peer_review_as_teacher(user, review_id):
    """Any review (submitted, hidden or not) in a course the teacher teaches."""
    if user.role != Role.TEACHER:
        raise Http404
    return get_object_or_404(
        PeerReview.objects.select_related("allocation__assignment__course", "allocation__reviewer",
                                          "allocation__submission__student")
        .filter(allocation__assignment__course__teachers=user),
        pk=review_id)

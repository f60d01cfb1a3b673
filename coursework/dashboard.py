"""Read side of the teacher's home and course dashboard: who needs attention, in a fixed number of queries.

The dashboard answers, per assignment: who has not started, who is behind the stage due dates,
who submitted late, and whose submitted work is waiting for feedback. Everything is fetched in
five queries for the whole course (assignments, their stages, enrolments, submissions without
their text, stage submissions as bare ids) and sorted out in Python, so the page costs the same
for 5 students or 500. Submission.text is never loaded here: an essay is tens of kilobytes.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from coursework.models import Assignment, Course, Enrolment, PeerReviewSettings, Rubric, StageSubmission, Submission

# Submitted work whose newest submission has had no released feedback yet (a resubmission after
# feedback was released waits again).
AWAITING_FEEDBACK = Q(status=Submission.Status.SUBMITTED) & (
    Q(feedback_released_at__isnull=True) | Q(last_submitted_at__gt=F("feedback_released_at")))


def _count(queryset, group_by):
    return Coalesce(Subquery(queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")), 0)


def teacher_courses(user):
    """The teacher's courses, active ones first (newest first), then archived ones: one query."""
    return list(
        Course.objects.filter(teachers=user)
        .annotate(
            student_count=_count(Enrolment.objects.filter(course=OuterRef("pk")), "course"),
            assignment_count=_count(Assignment.objects.filter(course=OuterRef("pk")), "course"),
            awaiting_count=_count(
                Submission.objects.filter(AWAITING_FEEDBACK, assignment__course=OuterRef("pk")), "assignment__course"),
        )
        .order_by(F("archived_at").desc(nulls_first=True), "-created_at", "title"))


@dataclass
class StudentProgress:
    student: object
    section: object = None
    submission: Submission | None = None
    missed_stages: list = field(default_factory=list)  # stages past their due date and not submitted
    late_stages: list = field(default_factory=list)
    enrolled: bool = True


@dataclass
class AssignmentProgress:
    assignment: Assignment
    stages: list
    students: int = 0
    not_started: list = field(default_factory=list)
    behind: list = field(default_factory=list)
    late: list = field(default_factory=list)
    awaiting: list = field(default_factory=list)
    submitted: int = 0


def course_progress(course, *, now=None):
    """AssignmentProgress for every assignment of `course` (five queries)."""
    now = now or timezone.now()
    assignments = list(course.assignments.prefetch_related("stages"))  # 2 queries
    enrolments = list(course.enrolments.select_related("student", "section")
                      .order_by("student__full_name", "student__email"))
    submissions = {
        (s.assignment_id, s.student_id): s
        for s in Submission.objects.filter(assignment__course=course).select_related("student")
        .only("assignment_id", "student_id", "status", "revision_number", "started_at", "last_submitted_at",
              "submitted_late", "feedback_released_at", "grade", "current_stage_id",
              "student__full_name", "student__email")
    }
    done, late = defaultdict(set), defaultdict(set)
    for submission_id, stage_id, is_late in StageSubmission.objects.filter(
            submission__assignment__course=course).values_list("submission_id", "stage_id", "is_late"):
        done[submission_id].add(stage_id)
        if is_late:
            late[submission_id].add(stage_id)
    enrolled = {e.student_id for e in enrolments}
    return [_progress(a, enrolments, enrolled, submissions, done, late, now) for a in assignments]


def _progress(assignment, enrolments, enrolled, submissions, done, late, now):
    stages = list(assignment.stages.all())
    progress = AssignmentProgress(assignment, stages, students=len(enrolments))
    passed = [stage for stage in stages if stage.due_at < now]
    for enrolment in enrolments:
        submission = submissions.get((assignment.pk, enrolment.student_id))
        row = StudentProgress(enrolment.student, enrolment.section, submission)
        if submission is None or submission.revision_number == 0:
            row.missed_stages = passed
            progress.not_started.append(row)
            continue
        row.missed_stages = [stage for stage in passed if stage.pk not in done[submission.pk]]
        row.late_stages = [stage for stage in stages if stage.pk in late[submission.pk]]
        if row.missed_stages:
            progress.behind.append(row)
        if submission.submitted_late or row.late_stages:
            progress.late.append(row)
        if submission.last_submitted_at:
            progress.submitted += 1
    # The queue includes work by students who have since left the course: it still needs feedback.
    for (assignment_id, student_id), submission in submissions.items():
        if assignment_id == assignment.pk and _awaiting(submission):
            progress.awaiting.append(StudentProgress(submission.student, submission=submission,
                                                     enrolled=student_id in enrolled))
    progress.awaiting.sort(key=lambda row: row.submission.last_submitted_at)
    return progress


def _awaiting(submission):
    if submission.status != Submission.Status.SUBMITTED:
        return False
    released = submission.feedback_released_at
    return released is None or (submission.last_submitted_at and submission.last_submitted_at > released)


def rubrics():
    """Every rubric of the institution with how big it is and how often it is used (one query)."""
    return (Rubric.objects.select_related("created_by")
            .annotate(criteria_count=Count("criteria", distinct=True),
                      assignment_count=Count("assignments", distinct=True)))


def peer_review_settings(assignment):
    return PeerReviewSettings.objects.filter(assignment=assignment).select_related("stage").first()

"""What the student's coursework pages show, read in a constant number of queries.

Views in coursework/views_student.py call these; nothing here writes. Where a submission stands
(`WorkState`) is worked out in Python from rows already fetched, with the same rules as
`do_submit_stage`, so the page never offers a submission the action would refuse.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.models import Role
from coursework import freshness
from coursework.anchors import locate_comment, splices_between
from coursework.models import Assignment, Comment, Course, Revision, RubricScore, StageSubmission, Submission

# --- Where a student's work stands ------------------------------------------------------------------


@dataclass
class WorkState:
    stage: object  # the Stage the student is working on now
    stage_number: int  # 1-based, of stage_count
    stage_count: int
    status: str  # "not_started", "drafting", "submitted" or "returned"
    status_label: str
    stage_submitted: bool  # the current stage has been submitted at least once
    overdue: bool  # the current stage is past due and not submitted
    closed: bool  # overdue and the assignment refuses late work
    can_submit: bool
    is_resubmission: bool
    editable: bool


STATUS_LABELS = dict(Submission.Status.choices)


def work_state(assignment, stages, submission, stage_submissions, now=None):
    """`stages` in order; `submission` may be None (never opened); `stage_submissions` its rows."""
    now = now or timezone.now()
    by_id = {stage.pk: stage for stage in stages}
    stage = (submission and by_id.get(submission.current_stage_id)) or stages[0]
    submitted_ids = {row.stage_id for row in stage_submissions}
    stage_submitted = stage.pk in submitted_ids
    if submission is None or submission.status == Submission.Status.NOT_STARTED:
        status = Submission.Status.NOT_STARTED
    elif submission.status == Submission.Status.RETURNED:
        status = Submission.Status.RETURNED
    else:
        # SUBMITTED stays on the row while the student writes the next stage: say "drafting" then.
        status = Submission.Status.SUBMITTED if stage_submitted else Submission.Status.DRAFTING
    past_due = now > stage.due_at
    overdue = past_due and not stage_submitted
    may_resubmit = (stage_submitted and assignment.allow_resubmission and submission is not None
                    and submission.status == Submission.Status.RETURNED)
    # "Would submit now, but the due date has passed and late work is refused."
    closed = (past_due and assignment.late_policy == Assignment.LatePolicy.REFUSE
              and (not stage_submitted or may_resubmit))
    is_last = stage.pk == stages[-1].pk
    # Not "has a revision": the submit form carries the editor's text and saves it first.
    can_submit = submission is not None and not closed and (not stage_submitted or may_resubmit)
    return WorkState(
        stage=stage, stage_number=stages.index(stage) + 1, stage_count=len(stages),
        status=status, status_label=STATUS_LABELS[status], stage_submitted=stage_submitted,
        overdue=overdue, closed=closed, can_submit=can_submit, is_resubmission=stage_submitted and can_submit,
        editable=not (stage_submitted and is_last and not assignment.allow_resubmission),
    )


# --- Student home ----------------------------------------------------------------------------------


@dataclass
class AssignmentRow:
    assignment: Assignment
    submission: Submission | None
    state: WorkState


def student_home(user):
    """[(course, [AssignmentRow])] for the student's current courses.

    The rows come from the cache when nothing they show has changed (coursework/freshness.py: no
    query), else in five queries: courses, their assignments with a publication date, those
    assignments' stages, the student's submissions, and those submissions' stage submissions.
    What is published and where each piece of work stands depend on the time: worked out here."""
    return _home_rows_at(_home_entry(user).courses, timezone.now())


def student_home_html(user, render):
    """The student's course list as HTML, `render`ed from `student_home`'s rows, or, while nothing
    it shows has changed -- no change to the rows, no publication or due date passed since, the
    same time zone -- the same HTML again from the cache entry that holds the rows (rendering it
    was half of the home page's time, bench/profile_request.py --scenario home)."""
    now, zone = timezone.now(), timezone.get_current_timezone_name()
    entry = freshness.cached_home(user.pk)
    if entry is None:
        entry = _build_home(user)
    elif entry.fragment is not None:
        until, rendered_in, html = entry.fragment
        if now.timestamp() < until and rendered_in == zone:
            return html
    html = render(_home_rows_at(entry.courses, now))
    freshness.store_home(user.pk, entry._replace(fragment=(_next_change(entry.courses, now), zone, html)))
    return html


def _home_rows_at(courses, now):
    return [
        (course, [_assignment_row(assignment, now) for assignment in course.scheduled
                  if assignment.published_at <= now and assignment.stages.all()])
        for course in courses
    ]


def _next_change(courses, now):
    """When time next changes the course list: the next publication or stage due date (a timestamp),
    at most an hour away."""
    moments = [now.timestamp() + freshness.HOME_SECONDS]
    for course in courses:
        for assignment in course.scheduled:
            moments += [when.timestamp() for when in (assignment.published_at, *(stage.due_at for stage in
                                                                                  assignment.stages.all()))
                        if when > now]
    return min(moments)


def _home_entry(user):
    entry = freshness.cached_home(user.pk)
    if entry is None:
        entry = _build_home(user)
        freshness.store_home(user.pk, entry)
    return entry


def _build_home(user):
    """A HomeEntry read from the database (not yet cached)."""
    tokens = freshness.home_tokens(user.pk)  # before the rows: see freshness.py
    courses = list(Course.objects.filter(enrolments__student=user, archived_at__isnull=True).order_by("title", "pk"))
    course_tokens = freshness.course_tokens([course.pk for course in courses])
    mine = Submission.objects.filter(student=user).defer("text").prefetch_related(
        Prefetch("stage_submissions", queryset=StageSubmission.objects.only(*STAGE_SUBMISSION_FIELDS)))
    assignments = Assignment.objects.filter(published_at__isnull=False).prefetch_related(
        "stages", Prefetch("submissions", queryset=mine, to_attr="mine"))
    prefetch_related_objects(courses, Prefetch("assignments", queryset=assignments, to_attr="scheduled"))
    return freshness.HomeEntry((*tokens, tuple(course_tokens)), [course.pk for course in courses], courses)


def _assignment_row(assignment, now):
    submission = assignment.mine[0] if assignment.mine else None
    rows = submission.stage_submissions.all() if submission else []
    return AssignmentRow(assignment, submission, work_state(assignment, list(assignment.stages.all()), submission,
                                                            rows, now))


# --- Writing page ----------------------------------------------------------------------------------


STAGE_SUBMISSION_FIELDS = ("pk", "submission_id", "stage_id", "submitted_at", "is_late", "attempt")
# What a stage submission changes on its submission; a cached copy that differs here is out of date.
_SUBMISSION_STANDING = ("status", "current_stage_id", "last_submitted_at", "feedback_released_at")


def open_assignment(user, assignment_id):
    """The student's assignment for the writing page, with its stages and the stage submissions of
    the student's work on it (as the home rows hold them), or Http404 -- the same rule as
    `access_assignment_as_student`: a current course the student is in, published by now.

    From the student's cached home rows when they are current (no query: the page then costs the
    submission's own row), else the home rows are rebuilt (and cached for the next page)."""
    if user.role != Role.STUDENT:
        raise Http404
    now = timezone.now()
    for course in _home_entry(user).courses:
        for assignment in course.scheduled:
            if assignment.pk == assignment_id and assignment.published_at <= now and assignment.stages.all():
                cached = assignment.mine[0] if assignment.mine else None
                return assignment, list(assignment.stages.all()), cached
    raise Http404


def writing_page(assignment, submission, *, stages=None, cached=None):
    """Context for the writing page: stages and stage submissions from `open_assignment`'s cached
    rows when given and still in step with `submission` (read fresh), else two queries."""
    stages = list(assignment.stages.all()) if stages is None else stages
    if cached is not None and cached.pk == submission.pk and all(
            getattr(cached, f) == getattr(submission, f) for f in _SUBMISSION_STANDING):
        submitted = list(cached.stage_submissions.all())
    else:
        submitted = list(submission.stage_submissions.only(*STAGE_SUBMISSION_FIELDS))
    submission.assignment = assignment
    state = work_state(assignment, stages, submission, submitted)
    return {
        "assignment": assignment, "submission": submission, "stages": stages, "state": state,
        "stage_submissions": submitted,
    }


# --- Revision history ------------------------------------------------------------------------------


REVISIONS_PER_PAGE = 50


def history_page(submission, page_number):
    """One page of revisions, newest first, without their stored text, each with the stage it was
    submitted as (if it was): three queries (count, page, stage submissions)."""
    revisions = (Revision.objects.filter(submission=submission).order_by("-number")
                 .only("pk", "number", "created_at", "word_count", "submission_id"))
    page = Paginator(revisions, REVISIONS_PER_PAGE).get_page(page_number)
    submitted = {row.revision_id: row.stage.get_kind_display()
                 for row in StageSubmission.objects.filter(submission=submission).select_related("stage")}
    return {"page": page, "rows": [(revision, submitted.get(revision.pk)) for revision in page.object_list]}


# --- Released feedback -----------------------------------------------------------------------------


@dataclass
class PlacedComment:
    number: int
    comment: Comment
    span: tuple | None  # (start, end) in the current text, or None when the passage is gone


def released_feedback(submission):
    """Context for the feedback page, in three queries whatever the number of comments or revisions:
    comments, the revision rows since the oldest commented one (no text), rubric scores."""
    text = submission.text
    comments = list(Comment.objects.filter(submission=submission).annotate(revision_number=F("revision__number")))
    placed = place_comments(submission, text, comments)
    scores = list(RubricScore.objects.filter(submission=submission).select_related("criterion", "level")
                  .order_by("criterion__position", "criterion__pk"))
    for score in scores:
        score.points = plain_number(score.level.points)
    return {
        "submission": submission, "assignment": submission.assignment,
        "annotated_text": annotate(text, [p for p in placed if p.span]),
        "placed": [p for p in placed if p.span], "outdated": [p for p in placed if not p.span],
        "scores": scores, "points": plain_number(sum(score.level.points for score in scores)),
        "grade": plain_number(submission.grade), "max_points": plain_number(submission.assignment.max_points),
    }


def plain_number(value):
    """72.50 -> "72.5", 100.00 -> "100" (points and grades are stored with two decimals)."""
    if value is None:
        return None
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def place_comments(submission, text, comments):
    """Map each comment's anchor from the revision it was made on to the current text."""
    if not comments:
        return []
    latest = submission.revision_number
    splices = splices_between(submission, min(comment.revision_number for comment in comments), latest)
    placed = [PlacedComment(0, comment, locate_comment(text, comment, comment.revision_number, splices, latest))
              for comment in comments]
    placed.sort(key=lambda p: (p.span is None, p.span or (0, 0), p.comment.pk))
    for number, item in enumerate(placed, start=1):
        item.number = number
    return placed


def annotate(text, placed):
    """The text as safe HTML with each placed comment's passage in <mark> and a numbered link to
    the comment after it. Passages may overlap: the text is cut at every passage boundary and
    each piece is marked if any passage covers it."""
    cuts = sorted({0, len(text), *(p.span[0] for p in placed), *(p.span[1] for p in placed)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        for p in placed:
            if p.span[0] == start:
                pieces.append(format_html('<span id="passage-{}" class="visually-hidden">'
                                          "(comment {} begins)</span>", p.number, p.number))
        covered = any(p.span[0] <= start and end <= p.span[1] for p in placed)
        pieces.append(format_html("<mark>{}</mark>" if covered else "{}", text[start:end]))
        pieces.append(format_html_join(
            "", '<a href="#comment-{}" class="comment-ref"><span aria-hidden="true">[{}]</span>'
            '<span class="visually-hidden">(end of passage: read comment {})</span></a>',
            ((p.number, p.number, p.number) for p in placed if p.span[1] == end)))
    return format_html_join("", "{}", ((piece,) for piece in pieces))

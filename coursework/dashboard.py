"""Read side of the teacher's home and course dashboard: who needs attention, in a fixed number of queries.

The dashboard answers, per assignment: who has not started, who is behind the stage due dates,
who submitted late, and whose submitted work is waiting for feedback. Everything is fetched in
six queries for the whole course (assignments, their stages, enrolments, submissions without
their text, stage submissions as bare ids, notable integrity observations) and sorted out in
Python, so the page costs the same for 5 students or 500. Submission.text is never loaded here:
an essay is tens of kilobytes.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from coursework import freshness
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


@dataclass(slots=True)
class Work:
    """A submission as the dashboard needs it: no text, no model instance (loading ~200 model
    instances per page was a fifth of its time, bench/profile_request.py)."""
    id: int
    student_id: int
    name: str
    status: str
    revision_number: int
    last_submitted_at: object
    submitted_late: bool
    current_stage_id: int | None
    awaiting: bool


@dataclass(slots=True)
class StudentProgress:
    student_id: int
    name: str
    section: str = ""
    submission: Work | None = None
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
    observed: list = field(default_factory=list)  # (StudentProgress, [observation kind labels]) worth a look


def course_progress(course, *, now=None):
    """AssignmentProgress for every assignment of `course` (six queries)."""
    now = now or timezone.now()
    assignments = list(course.assignments.prefetch_related("stages"))  # 2 queries
    enrolments = list(course.enrolments.order_by("student__full_name", "student__email").values_list(
        "student_id", "student__full_name", "section__name"))
    # Whether work waits for feedback is decided in SQL, as the gradebook does: fewer timestamps to load.
    submissions = {}
    for values in (Submission.objects.filter(assignment__course=course)
                   .annotate(awaiting=ExpressionWrapper(AWAITING_FEEDBACK, output_field=BooleanField()))
                   .values_list("id", "assignment_id", "student_id", "student__full_name", "status", "revision_number",
                                "last_submitted_at", "submitted_late", "current_stage_id", "awaiting")):
        submissions[values[1], values[2]] = Work(values[0], *values[2:])
    done, late = defaultdict(set), defaultdict(set)
    for submission_id, stage_id, is_late in StageSubmission.objects.filter(
            submission__assignment__course=course).values_list("submission_id", "stage_id", "is_late"):
        done[submission_id].add(stage_id)
        if is_late:
            late[submission_id].add(stage_id)
    enrolled = {student_id for student_id, _, _ in enrolments}
    noted = _notable_observations(course)
    return [_progress(a, enrolments, enrolled, submissions, done, late, now, noted) for a in assignments]


def _notable_observations(course):
    """{submission id: [kind labels]} of integrity observations worth the teacher's look (one query).
    The integrity check drops the course's dashboard token when it writes them (integrity/checks.py)."""
    from integrity.models import Observation

    labels, noted = dict(Observation.Kind.choices), defaultdict(list)
    for submission_id, kind in (Observation.objects.filter(submission__assignment__course=course, notable=True)
                                .order_by("kind").values_list("submission_id", "kind")):
        if labels[kind] not in noted[submission_id]:
            noted[submission_id].append(labels[kind])
    return noted


def _progress(assignment, enrolments, enrolled, submissions, done, late, now, noted=None):
    stages = list(assignment.stages.all())
    progress = AssignmentProgress(assignment, stages, students=len(enrolments))
    passed = [stage for stage in stages if stage.due_at < now]
    for student_id, name, section in enrolments:
        work = submissions.get((assignment.pk, student_id))
        row = StudentProgress(student_id, name, section or "", work)
        if work is None or work.revision_number == 0:
            row.missed_stages = passed
            progress.not_started.append(row)
            continue
        row.missed_stages = [stage for stage in passed if stage.id not in done[work.id]]
        row.late_stages = [stage for stage in stages if stage.id in late[work.id]]
        if row.missed_stages:
            progress.behind.append(row)
        if work.submitted_late or row.late_stages:
            progress.late.append(row)
        if work.last_submitted_at:
            progress.submitted += 1
    # The queue includes work by students who have since left the course: it still needs feedback.
    for (assignment_id, student_id), work in submissions.items():
        if assignment_id == assignment.pk and work.awaiting:
            progress.awaiting.append(StudentProgress(student_id, work.name, submission=work,
                                                     enrolled=student_id in enrolled))
    progress.awaiting.sort(key=lambda row: row.submission.last_submitted_at)
    for (assignment_id, student_id), work in sorted(submissions.items(), key=lambda item: item[1].name):
        if assignment_id == assignment.pk and (noted or {}).get(work.id):
            progress.observed.append((StudentProgress(student_id, work.name, submission=work), noted[work.id]))
    return progress


def rubrics():
    """Every rubric of the institution with how big it is and how often it is used (one query)."""
    return (Rubric.objects.select_related("created_by")
            .annotate(criteria_count=Count("criteria", distinct=True),
                      assignment_count=Count("assignments", distinct=True)))


def peer_review_settings(assignment):
    return PeerReviewSettings.objects.filter(assignment=assignment).select_related("stage").first()


# --- The page's assignment cards, as one string ----------------------------------------------------
# Built here, not in a template loop, for the same reason as the gradebook's table: the template
# engine spent over half of this page's time on ~900 nodes (bench/profile_request.py). Every
# person-typed value (names, titles) goes through `escape`; nothing else here comes from a person.

def _day(value):
    value = timezone.localtime(value)
    return f"{value.day} {value:%b}"


def _day_time(value):
    value = timezone.localtime(value)
    return f"{value.day} {value:%b}, {value:%H:%M}"


def _kinds(stages, lower=True):
    return ", ".join(stage.get_kind_display().lower() if lower else stage.get_kind_display() for stage in stages)


def _url_maker(name):
    """reverse() once per page: the id goes between the two halves (dozens of reverse() calls cost ms)."""
    prefix, _, suffix = reverse(name, args=[0]).rpartition("/0/")
    return lambda pk: f"{prefix}/{pk}/{suffix}"


def _list(rows, empty, item):
    if not rows:
        return f'<p class="empty">{empty}</p>'
    return '<ul class="progress-list">' + "".join(f"<li>{item(row)}</li>" for row in rows) + "</ul>"


def _card(item, review_url, assignment_url):
    a, stages = item.assignment, item.stages
    title = escape(a.title)
    if a.published_at:
        when = f'Due {timezone.localtime(a.due_at):%a} {_day_time(a.due_at)}'
    else:
        when = '<span class="tag warn">Draft, not published</span>'
    stage_line = " → ".join(f"{stage.get_kind_display()} (due {_day(stage.due_at)})" for stage in stages)
    parts = [f'<section class="card" aria-labelledby="assignment-{a.pk}"><div class="page-head">'
             f'<h2 id="assignment-{a.pk}"><a href="{assignment_url(a.pk)}">{title}</a></h2><p>{when}</p></div>'
             f'<p class="muted">Stages: {stage_line}. Submitted: {item.submitted} of {item.students} '
             f'student{"" if item.students == 1 else "s"}.</p>']
    if not a.published_at:
        parts.append(f'<p>Students cannot see this assignment yet. <a href="{assignment_url(a.pk)}">Review and '
                     "publish it</a>.</p></section>")
        return "".join(parts)
    kind_of = {stage.pk: stage.get_kind_display() for stage in stages}
    parts.append(f"<h3>Waiting for your feedback ({len(item.awaiting)})</h3>")
    if item.awaiting:
        parts.append('<table class="data"><thead><tr><th scope="col">Student</th><th scope="col">Submitted</th>'
                     '<th scope="col">Stage</th><th scope="col"><span class="visually-hidden">Review</span></th>'
                     "</tr></thead><tbody>")
        for row in item.awaiting:
            work, name = row.submission, escape(row.name)
            left = "" if row.enrolled else ' <span class="tag">left the course</span>'
            late = ' <span class="tag alert">late</span>' if work.submitted_late else ""
            parts.append(f'<tr><th scope="row">{name}{left}</th><td>{_day_time(work.last_submitted_at)}{late}</td>'
                         f'<td>{kind_of.get(work.current_stage_id, "")}</td><td><a href="{review_url(work.id)}">'
                         f'Review<span class="visually-hidden"> {name}\'s work</span></a></td></tr>')
        parts.append("</tbody></table>")
    else:
        parts.append('<p class="empty">Nothing is waiting.</p>')

    def linked(row):
        return f'<a href="{review_url(row.submission.id)}">{escape(row.name)}</a>'

    if item.observed:  # integrity observations (integrity/process.py): facts worth a look, never a verdict
        parts.append(f"<h3>Writing-process observations ({len(item.observed)})</h3>")
        parts.append(_list(item.observed, "", lambda pair: (
            f'{linked(pair[0])}: {escape(", ".join(pair[1]).lower())} '
            f'<a href="{review_url(pair[0].submission.id)}#integrity">see the evidence<span class="visually-hidden"> '
            f"for {escape(pair[0].name)}</span></a>")))
    parts.append(f"<h3>Behind the stage due dates ({len(item.behind)})</h3>")
    parts.append(_list(item.behind, "No one who has started is behind.", lambda row: (
        f"{linked(row)}: missed " + ", ".join(f"{stage.get_kind_display().lower()} (due {_day(stage.due_at)})"
                                              for stage in row.missed_stages))))
    parts.append(f"<h3>Not started ({len(item.not_started)})</h3>")
    parts.append(_list(item.not_started, "Everyone has started.", lambda row: escape(row.name) + (
        f' <span class="tag alert">overdue: {_kinds(row.missed_stages)}</span>' if row.missed_stages else "")))
    parts.append(f"<h3>Submitted late ({len(item.late)})</h3>")
    parts.append(_list(item.late, "No late submissions.", lambda row: linked(row) + (
        f": {_kinds(row.late_stages)}" if row.late_stages else "")))
    parts.append("</section>")
    return "".join(parts)


CARDS_SECONDS = 300  # at most; also bounds how long a change that missed `freshness` could show


def course_cards(course, *, now=None):
    """{"cards": the safe HTML, "has_assignments": bool}, from the cache while nothing changed.

    A hit costs one cache round trip instead of six queries and the build (bench/profile_request.py
    measures both); see coursework/freshness.py for what replaces the course's token. The cached
    page expires when the next stage falls due, since "behind" and "overdue" depend on the time.
    """
    now = now or timezone.now()
    tag, page = freshness.cached_page(course.pk, "dashboard")
    if page is not None:
        return page
    progress = course_progress(course, now=now)
    page = {"cards": cards_html(progress), "has_assignments": bool(progress), "progress": progress}
    upcoming = [stage.due_at for item in progress for stage in item.stages if stage.due_at > now]
    seconds = min([CARDS_SECONDS, *((due - now).total_seconds() for due in upcoming)])
    freshness.cache_page(course.pk, "dashboard", tag, {k: page[k] for k in ("cards", "has_assignments")},
                         int(seconds))
    return page


def cards_html(progress):
    """Every assignment's card as one safe string (see the note above for why not a template)."""
    review_url, assignment_url = _url_maker("teacher_review"), _url_maker("teacher_assignment")
    return mark_safe("".join(_card(item, review_url, assignment_url) for item in progress))  # noqa: S308

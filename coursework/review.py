"""Read side of the teacher's review page: a revision's text with the comments placed on it, the
revision history, word diffs, rubric totals and the late-work note.

Placing comments: a comment is anchored to [start, end) of the revision it was written on. Shown
on a later revision, it is followed through the splices in between (coursework/revisions.py,
one query for their lengths — never their text); shown on an earlier one, or when an edit
touched the passage, it is found again by its quote. Anything not found is "outdated" and listed
apart with its original quote, so no comment is ever silently dropped.

Offsets are Python string indexes (code points); teacher-review.js counts the same way.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from coursework.actions import revision_text
from coursework.anchors import locate_comment, splices_between
from coursework.diffing import word_diff
from coursework.models import Assignment, Revision

HISTORY_SHOWN = 30


@dataclass
class PlacedComment:
    comment: object
    start: int | None = None
    end: int | None = None

    @property
    def outdated(self):
        return self.start is None


def shown_revision(submission, requested):
    """The revision number to show: the one asked for when it exists, else the latest."""
    latest = submission.revision_number
    try:
        number = int(requested)
    except (TypeError, ValueError):
        return latest
    return number if 1 <= number <= latest else latest


def text_of(submission, number):
    if number == 0:
        return ""
    if number == submission.revision_number:
        return submission.text
    return revision_text(submission, number)


def comments_of(submission):
    return list(submission.comments.select_related("author").annotate(revision_number=F("revision__number")))


def place_comments(submission, text, shown, comments):
    earlier = [c.revision_number for c in comments if c.revision_number < shown]
    splices = splices_between(submission, min(earlier), shown) if earlier else {}
    placed = []
    for comment in comments:
        where = locate_comment(text, comment, min(comment.revision_number, shown), splices, shown)
        placed.append(PlacedComment(comment, *(where or (None, None))))
    placed.sort(key=lambda p: (p.outdated, p.start or 0, p.comment.pk))
    return placed


def _escape_text(text):
    # The HTML parser turns CR and CRLF into LF; a character reference keeps the CR, so the text in
    # the page has exactly the characters (and offsets) of the revision.
    return escape(text).replace("\r", "&#13;")


def annotated_html(text, placed):
    """The text with each placed comment's passage in <mark> (overlaps split into segments)."""
    anchored = [p for p in placed if not p.outdated]
    bounds = sorted({0, len(text)} | {p.start for p in anchored} | {p.end for p in anchored})
    parts = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        parts.extend(f'<span id="passage-{p.comment.pk}"></span>' for p in anchored if p.start == a)
        segment = _escape_text(text[a:b])
        active = [str(p.comment.pk) for p in anchored if p.start <= a and b <= p.end]
        if active:
            parts.append(f'<mark class="anchor" data-comments="{" ".join(active)}">{segment}</mark>')
        else:
            parts.append(segment)
    return mark_safe("".join(parts))  # noqa: S308 — the text is escaped; ids are integers


def diff_html(old, new):
    pieces = word_diff(old, new)
    tags = {"same": "{}", "added": "<ins>{}</ins>", "removed": "<del>{}</del>"}
    html = "".join(tags[piece.kind].format(_escape_text(piece.text)) for piece in pieces)
    added = sum(len(p.text.split()) for p in pieces if p.kind == "added")
    removed = sum(len(p.text.split()) for p in pieces if p.kind == "removed")
    return mark_safe(html), added, removed  # noqa: S308 — escaped above


def history(submission, *, show_all=False):
    """Newest first: every revision's number, time and word count (the last 30 unless all)."""
    rows = Revision.objects.filter(submission=submission).order_by("-number").values(
        "number", "created_at", "word_count")
    if not show_all:
        rows = rows.filter(number__gt=submission.revision_number - HISTORY_SHOWN)
    return list(rows)


def stage_submissions(submission):
    return list(submission.stage_submissions.select_related("stage").annotate(revision_number=F("revision__number"))
                .order_by("submitted_at"))


@dataclass
class RubricState:
    criteria: list
    scores: dict  # criterion id → RubricScore
    total: object = None
    possible: object = None
    rubric_grade: object = None  # the rubric total as points of the assignment
    penalty_percent: int = 0  # the late policy's penalty for this submission
    suggested_grade: object = None  # rubric_grade less the late penalty


def rubric_state(submission):
    rubric = submission.assignment.rubric
    if rubric is None:
        return None
    criteria = list(rubric.criteria.prefetch_related("levels"))
    scores = {score.criterion_id: score for score in submission.rubric_scores.all()}
    levels = {level.pk: level for criterion in criteria for level in criterion.levels.all()}
    state = RubricState(criteria, scores)
    state.possible = sum((max((lv.points for lv in c.levels.all()), default=0) for c in criteria), 0)
    if scores:
        state.total = sum(levels[s.level_id].points for s in scores.values() if s.level_id in levels)
        if state.possible and len(scores) == len(criteria):
            state.rubric_grade = (state.total / state.possible * submission.assignment.max_points).quantize(
                Decimal("0.01"))
            state.penalty_percent = late_penalty_percent(submission)
            state.suggested_grade = (state.rubric_grade * (100 - state.penalty_percent) / 100).quantize(
                Decimal("0.01"))
    return state


def days_late(submission):
    """Whole days (a part day counts) between the final due date and the last submission, or 0."""
    last, due = submission.last_submitted_at, submission.assignment.due_at
    if not submission.submitted_late or last is None or last <= due:
        return 0
    return math.ceil((last - due).total_seconds() / 86400)


def late_penalty_percent(submission):
    """What the assignment's late policy takes off this submission's grade, in per cent (0–100)."""
    assignment = submission.assignment
    if assignment.late_policy != Assignment.LatePolicy.PENALTY:
        return 0
    return min(100, days_late(submission) * assignment.late_penalty_percent_per_day)


def late_note(submission):
    """Words on late work and the penalty the assignment's policy sets. The rubric's suggested grade
    applies the penalty; the grade the teacher records is theirs to set."""
    assignment = submission.assignment
    if not submission.submitted_late:
        return ""
    days = days_late(submission)
    if not days:
        return "A stage was submitted after its due date."
    note = f"Submitted {days} day{'s' if days != 1 else ''} after the final due date (a part day counts as a day)."
    if assignment.late_policy == Assignment.LatePolicy.PENALTY:
        note += (f" The late policy takes off {assignment.late_penalty_percent_per_day} % per day: "
                 f"{late_penalty_percent(submission)} % here.")
    return note


def feedback_state(submission):
    """'hidden', 'released' or 'resubmitted' (released, then new work came in)."""
    released = submission.feedback_released_at
    if released is None:
        return "hidden"
    if submission.last_submitted_at and submission.last_submitted_at > released:
        return "resubmitted"
    return "released"


def can_release(submission):
    return submission.last_submitted_at is not None and feedback_state(submission) != "released"


def review_context(submission, *, revision=None, compare=None, show_all=False):
    """Everything the review page shows, for the revision asked for (default: the latest)."""
    shown = shown_revision(submission, revision)
    text = text_of(submission, shown)
    placed = place_comments(submission, text, shown, comments_of(submission)) if shown else []
    submitted = stage_submissions(submission)
    rows = history(submission, show_all=show_all)
    for row in rows:
        row["stages"] = [s.stage.get_kind_display() for s in submitted if s.revision_number == row["number"]]
    context = {
        "submission": submission, "assignment": submission.assignment, "course": submission.assignment.course,
        "student": submission.student, "shown": shown, "latest": submission.revision_number, "text": text,
        "text_html": annotated_html(text, placed), "anchored": [p for p in placed if not p.outdated],
        "outdated": [p for p in placed if p.outdated], "comment_count": len(placed),
        "history": rows, "show_all_history": show_all, "history_limit": HISTORY_SHOWN,
        "stage_submissions": submitted, "rubric": rubric_state(submission),
        "late_note": late_note(submission), "feedback_state": feedback_state(submission),
        "can_release": can_release(submission), "compare": None,
        # Absolute: the page is also rendered at the URLs its forms post to.
        "review_url": reverse("teacher_review", args=[submission.pk]),
    }
    compared = shown_revision(submission, compare) if compare else None
    if compared and compared != shown and str(compared) == str(compare):
        html, added, removed = diff_html(text_of(submission, compared), text)
        context.update(compare=compared, diff_html=html, words_added=added, words_removed=removed)
    return context

"""Read side: what the teacher's review page, the match page and the student's page show.

Evidence links point at pages coursework already has: the teacher's review page at a revision (and
its change from the revision before), the student's revision and compare pages. A match names the
other student only to a teacher of that student's course; otherwise it says "a submission in
another course", and only the matched passages are shown, never the rest of that work.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from integrity.checks import text_at
from integrity.models import Observation, SimilarityMatch


def _teacher_link(submission, item):
    base = reverse("teacher_review", args=[submission.pk])
    if item.get("match"):
        return reverse("integrity_match", args=[submission.pk, item["match"]])
    url = f"{base}?revision={item['revision']}"
    return url + (f"&compare={item['compare']}" if item.get("compare") else "")


def _student_link(submission, item):
    if item.get("match"):
        return None
    if item.get("compare"):
        return reverse("student_compare", args=[submission.pk]) + f"?old={item['compare']}&new={item['revision']}"
    return reverse("student_revision", args=[submission.pk, item["revision"]])


@dataclass
class Shown:
    observation: Observation
    links: list  # (label, url or None)


def observations(submission, *, for_teacher):
    """One query."""
    link = _teacher_link if for_teacher else _student_link
    return [Shown(o, [(e["label"], link(submission, e)) for e in o.evidence])
            for o in Observation.objects.filter(submission=submission)]


def teacher_panel(submission, user):
    """Observations and similarity matches for the review page (two queries)."""
    matches = list(SimilarityMatch.objects.filter(submission=submission)
                   .select_related("other__student", "other__assignment__course")
                   .only("share", "matched_words", "passages", "other__student__full_name",
                         "other__assignment__title", "other__assignment__course__title",
                         "other__assignment__course_id"))
    taught = set(user.taught_courses.filter(pk__in=[m.other.assignment.course_id for m in matches])
                 .values_list("pk", flat=True)) if matches else set()
    for match in matches:
        match.other_label = _other_label(match, taught)
        match.percent = round(match.share * 100)
    return {"integrity_observations": observations(submission, for_teacher=True), "similarity_matches": matches}


def _other_label(match, taught):
    assignment = match.other.assignment
    if assignment.course_id in taught:
        return f"{match.other.student.full_name}, “{assignment.title}” ({assignment.course.title})"
    return "a submission in another course"


def side_by_side(match, user):
    """The matched passages of both texts, each with a little context."""
    mine, theirs = text_at(match.submission, match.revision_number), text_at(match.other, match.other_revision_number)
    taught = set(user.taught_courses.filter(pk=match.other.assignment.course_id).values_list("pk", flat=True))
    rows = []
    for a_start, a_end, b_start, b_end, words in match.passages:
        rows.append({"words": words, "mine": _passage(mine, a_start, a_end),
                     "theirs": _passage(theirs, b_start, b_end)})
    return {"match": match, "rows": rows, "other_label": _other_label(match, taught)}


def _passage(text, start, end, context=80):
    before = text[max(0, start - context):start]
    after = text[end:end + context]
    return mark_safe(f'{"…" if start > context else ""}{escape(before)}<mark>{escape(text[start:end])}</mark>'  # noqa: S308
                     f'{escape(after)}{"…" if end + context < len(text) else ""}')

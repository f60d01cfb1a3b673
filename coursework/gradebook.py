"""The gradebook: enrolled students × assignments, with grades and where each piece of work stands.

Three queries for the whole course (assignments, enrolments with their students and sections,
and the submissions as bare tuples — never their text), whatever its size.

The table itself is built here as one string rather than in a template loop: the Django
template engine was measured spending 55 ms of 82 ms on a 684-cell table (PITFALLS.md), while
joining pre-escaped strings costs about a millisecond. Names and titles go through `escape`;
nothing else in a cell comes from a person. bench/gradebook.py measures the whole page.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from coursework.models import Submission

# status → (visible mark, words for screen readers and the legend)
MARKS = {
    "not_started": ("·", "not started"),
    "drafting": ("✎", "drafting"),
    "awaiting": ("●", "submitted, awaiting feedback"),
    "returned": ("✓", "feedback released"),
}
LATE_MARK = ("L", "late")


def format_points(value):
    """Decimal('85.50') → '85.5', Decimal('100.00') → '100'."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


@dataclass
class Column:
    id: int
    title: str
    max_points: Decimal
    due_at: object
    published: bool


@dataclass
class Cell:
    submission_id: int | None = None
    status: str = "not_started"
    grade: Decimal | None = None
    late: bool = False


@dataclass
class Row:
    student_id: int
    name: str
    email: str
    section: str
    cells: list = field(default_factory=list)
    percent: Decimal | None = None


@dataclass
class Gradebook:
    course: object
    columns: list
    rows: list
    averages: list  # per column: the mean grade of graded work, or None


def _status(status, resubmitted):
    if status == Submission.Status.SUBMITTED:
        return "awaiting"
    if status == Submission.Status.RETURNED:
        # Resubmitted after release: the newest work waits again.
        return "awaiting" if resubmitted else "returned"
    if status == Submission.Status.DRAFTING:
        return "drafting"
    return "not_started"


def build_gradebook(course):
    columns = [Column(*values) for values in course.assignments.order_by("due_at", "pk").values_list(
        "id", "title", "max_points", "due_at", "published_at")]
    for column in columns:
        column.published = column.published is not None
    enrolments = list(course.enrolments.order_by("student__full_name", "student__email").values_list(
        "student_id", "student__full_name", "student__email", "section__name"))
    cells = {}
    # The comparison of the two timestamps is done in SQL: loading ~1,400 timestamptz values into
    # Python datetimes was measured as half of this function's time (bench/gradebook.py).
    submissions = Submission.objects.filter(assignment__course=course).annotate(resubmitted=ExpressionWrapper(
        Q(last_submitted_at__gt=F("feedback_released_at")), output_field=BooleanField()))
    for sid, assignment_id, student_id, status, grade, late, resubmitted in submissions.values_list(
            "id", "assignment_id", "student_id", "status", "grade", "submitted_late", "resubmitted"):
        cells[(assignment_id, student_id)] = Cell(sid, _status(status, resubmitted), grade, late)
    rows, sums = [], [[Decimal(0), 0] for _ in columns]
    for student_id, name, email, section in enrolments:
        row = Row(student_id, name, email, section or "")
        earned = possible = Decimal(0)
        for index, column in enumerate(columns):
            cell = cells.get((column.id, student_id)) or Cell()
            row.cells.append(cell)
            if cell.grade is not None:
                earned += cell.grade
                possible += column.max_points
                sums[index][0] += cell.grade
                sums[index][1] += 1
        row.percent = (earned * 100 / possible).quantize(Decimal("0.1")) if possible else None
        rows.append(row)
    averages = [(total / count).quantize(Decimal("0.1")) if count else None for total, count in sums]
    return Gradebook(course, columns, rows, averages)


def _cell_html(cell, review_url):
    mark, words = MARKS[cell.status]
    grade = format_points(cell.grade)
    if cell.submission_id:
        link = f"{review_url[0]}{cell.submission_id}{review_url[1]}"
        label = grade or f'<span aria-hidden="true">{mark}</span>'
        content = f'<a href="{link}">{label}<span class="visually-hidden"> {words}</span></a>'
        if grade:
            content += f'<span class="mk" aria-hidden="true">{mark}</span>'
    else:
        content = f'<span aria-hidden="true">{mark}</span><span class="visually-hidden">{words}</span>'
    if cell.late:
        content += '<span class="mk late" aria-hidden="true">L</span><span class="visually-hidden"> late</span>'
    return f'<td class="st-{cell.status}">{content}</td>'


def table_html(gradebook):
    """The whole <table> as one safe string (see the module note for why not a template)."""
    # Reversed once (684 reverse() calls cost ~7 ms): the cells put their id between the two halves.
    prefix, _, suffix = reverse("teacher_review", args=[0]).rpartition("/0/")
    review_url = (prefix + "/", "/" + suffix)
    parts = ['<table class="gradebook"><caption>Grades and progress of each student on each assignment; '
             'the marks are explained in the key above.</caption><thead><tr>'
             '<th scope="col">Student</th><th scope="col">Section</th>']
    for column in gradebook.columns:
        draft = "" if column.published else ' <span class="tag">draft</span>'
        parts.append(f'<th scope="col"><a href="{reverse("teacher_assignment", args=[column.id])}">'
                     f'{escape(column.title)}</a>{draft}<span class="out-of">/ {format_points(column.max_points)}'
                     f'</span></th>')
    parts.append('<th scope="col">Graded so far</th></tr></thead><tbody>')
    for row in gradebook.rows:
        parts.append(f'<tr><th scope="row">{escape(row.name)}</th><td>{escape(row.section)}</td>')
        parts.extend(_cell_html(cell, review_url) for cell in row.cells)
        parts.append(f'<td class="total">{"" if row.percent is None else f"{row.percent}%"}</td></tr>')
    parts.append('</tbody><tfoot><tr><th scope="row">Average</th><td></td>')
    parts.extend(f'<td>{format_points(average) if average is not None else ""}</td>' for average in gradebook.averages)
    parts.append("<td></td></tr></tfoot></table>")
    return mark_safe("".join(parts))  # noqa: S308 — every person-typed value above is escaped


def _cell_for_csv(value):
    """Spreadsheets run a cell starting with = + - @ as a formula: neutralise names and titles."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(gradebook):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Student", "Email", "Section",
                     *(_cell_for_csv(f"{c.title} (out of {format_points(c.max_points)})") for c in gradebook.columns),
                     "Graded so far (%)"])
    for row in gradebook.rows:
        writer.writerow([_cell_for_csv(row.name), _cell_for_csv(row.email), _cell_for_csv(row.section),
                         *(format_points(cell.grade) for cell in row.cells),
                         "" if row.percent is None else row.percent])
    return out.getvalue()

"""Teacher-side forms: they validate what a person typed and hand it to one action (coursework/actions.py).

A `save(acting_user)` method calls the action; `run_action` turns the action's ValidationError
into errors shown next to the fields, so nothing the teacher typed is lost on a refused save.
"""

import csv
import io
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role, User
from coursework.actions import (
    ASSIGNMENT_DESIGN_FIELDS,
    check_enrol_from_csv,
    do_add_comment,
    do_create_assignment,
    do_create_course,
    do_create_rubric,
    do_enrol_student,
    do_grade_submission,
    do_publish_assignment,
    do_score_rubric,
    do_update_assignment,
    do_update_course,
)
from coursework.gradebook import format_points
from coursework.models import Assignment, Rubric, Section, Stage

SPLIT_RE = re.compile(r"[,\n]")
CSV_MAX_BYTES = 512 * 1024  # 2,000 rows of "email,section" are ~80 KB; anything far bigger is the wrong file


def run_action(form, action):
    """Call `action()`; on ValidationError put its messages on the form and return None."""
    try:
        with transaction.atomic():
            return action()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            form.add_error(None, error.messages)
        return None


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# --- Courses and enrolment ------------------------------------------------------------------------

class OpenCourseMixin:
    """Forms that change a course refuse an archived one (students no longer see it)."""

    def clean(self):
        data = super().clean()
        if self.course.is_archived:
            raise ValidationError("This course is archived, so it cannot be changed.")
        return data


class CourseForm(forms.Form):
    title = forms.CharField(max_length=200)
    term = forms.CharField(max_length=100, help_text="For example: Autumn 2026.")
    code = forms.CharField(max_length=50, required=False, help_text="Optional, for example ENG10.")
    sections = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Separate names with commas or new lines, for example: A, B.")

    def clean_sections(self):
        names, seen = [], set()
        for name in SPLIT_RE.split(self.cleaned_data["sections"]):
            name = name.strip()
            if not name or name.lower() in seen:
                continue
            if len(name) > 100:
                raise ValidationError(f"Section names are at most 100 characters ({name[:20]}… is longer).")
            seen.add(name.lower())
            names.append(name)
        return names

    def save(self, acting_user):
        data = self.cleaned_data
        return do_create_course(data["title"], data["term"], code=data["code"], sections=data["sections"],
                                acting_user=acting_user)


class CourseEditForm(OpenCourseMixin, CourseForm):
    """The course's name, term and code; sections can be added (existing ones keep their students)."""

    def __init__(self, course, *args, **kwargs):
        self.course = course
        kwargs.setdefault("initial", {"title": course.title, "term": course.term, "code": course.code})
        super().__init__(*args, **kwargs)
        existing = ", ".join(course.sections.values_list("name", flat=True))
        self.fields["sections"].label = "Add sections"
        self.fields["sections"].help_text = (f"Sections now: {existing}. " if existing else "No sections yet. ") + \
            "Separate new names with commas or new lines."

    def save(self, acting_user):
        data = self.cleaned_data
        return do_update_course(self.course, title=data["title"], term=data["term"], code=data["code"],
                                new_sections=data["sections"], acting_user=acting_user)


class StudentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})"


FIND_SHOWN = 20  # students listed at once when adding one to a course


def unenrolled_students(course):
    """The institution's active students not yet in the course: whom a teacher can add."""
    return (User.objects.filter(role=Role.STUDENT, is_active=True).exclude(enrolments__course=course)
            .only("id", "full_name", "email").order_by("full_name", "email"))


def find_students(course, text):
    """Up to FIND_SHOWN unenrolled students whose name or email holds every word of `text` (all of
    them when the text is blank), and whether more match. One query, whatever the school's size:
    a school of thousands does not get a select of thousands."""
    found = unenrolled_students(course)
    for word in text.split()[:5]:
        found = found.filter(Q(full_name__icontains=word) | Q(email__icontains=word))
    rows = list(found[:FIND_SHOWN + 1])
    return rows[:FIND_SHOWN], len(rows) > FIND_SHOWN


class EnrolStudentForm(OpenCourseMixin, forms.Form):
    """The student comes from find_students' list (radio buttons on the page); any id of a student
    who is not an unenrolled, active student of this institution is refused."""

    student = StudentChoiceField(queryset=User.objects.none(), error_messages={
        "required": "Choose a student to enrol.",
        "invalid_choice": "That person is not a student who can be added to this course."})
    section = forms.ModelChoiceField(queryset=Section.objects.none(), required=False, empty_label="No section")

    def __init__(self, course, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.fields["student"].queryset = unenrolled_students(course)
        self.fields["section"].queryset = course.sections.all()
        if not course.sections.exists():
            del self.fields["section"]

    def save(self, acting_user):
        return do_enrol_student(self.course, self.cleaned_data["student"], section=self.cleaned_data.get("section"),
                                acting_user=acting_user)


def decode_upload(data: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), else Windows-1252, which is what Excel saves by default."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def normalise_delimiter(text: str) -> str:
    """Excel in many European locales saves CSV with semicolons; re-write such a file with commas."""
    first_line = text.split("\n", 1)[0]
    if ";" not in first_line or "," in first_line:
        return text
    out = io.StringIO()
    csv.writer(out).writerows(csv.reader(io.StringIO(text), delimiter=";"))
    return out.getvalue()


class EnrolCsvForm(OpenCourseMixin, forms.Form):
    file = forms.FileField(
        label="CSV file", widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="The first row names the columns: <code>email</code> and, optionally, <code>section</code>. "
                  "If any row has a problem, no one is enrolled and every problem is listed.")

    def __init__(self, course, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.result = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise ValidationError("That file is too large for a class list (the limit is 512 KB).")
        return normalise_delimiter(decode_upload(upload.read()))

    def save(self, acting_user):
        """Enrol everyone in the file or no one; returns the CsvImportResult (errors per row)."""
        self.result = check_enrol_from_csv(self.course, self.cleaned_data["file"], acting_user=acting_user)
        return self.result


# --- Rubrics --------------------------------------------------------------------------------------

RUBRIC_EXAMPLE = "Thesis | Unclear:1, Developing:2, Clear:3\nEvidence | Thin:1, Some:2, Strong:3"


def parse_points(text):
    try:
        points = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not points.is_finite() or points < 0 or points >= 10000 or points != points.quantize(Decimal("0.01")):
        return None
    return points


def parse_criteria(text):
    """'Criterion | Level:points, Level:points' per line → (criteria, errors by line)."""
    criteria, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        title, bar, levels_text = line.partition("|")
        title = title.strip()
        if not bar or not title:
            errors.append(f"Line {number}: write the criterion, a “|”, then its levels (“{line[:40]}”).")
            continue
        if len(title) > 200:
            errors.append(f"Line {number}: criterion names are at most 200 characters.")
            continue
        levels = []
        for level_text in levels_text.split(","):
            if not level_text.strip():
                continue
            name, colon, points_text = level_text.rpartition(":")
            points = parse_points(points_text) if colon else None
            if not name.strip() or points is None:
                errors.append(f"Line {number}: “{level_text.strip()}” should be a level name, a colon and points "
                              f"from 0 to 9999.99, like “Clear:3”.")
                continue
            if len(name.strip()) > 100:
                errors.append(f"Line {number}: level names are at most 100 characters.")
                continue
            levels.append({"title": name.strip(), "points": points})
        if not levels and not any(e.startswith(f"Line {number}:") for e in errors):
            errors.append(f"Line {number}: “{title}” needs at least one level.")
        criteria.append({"title": title, "levels": levels})
    if not criteria and not errors:
        errors.append("Add at least one criterion.")
    return criteria, errors


class RubricForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": RUBRIC_EXAMPLE, "spellcheck": "false"}),
        help_text="One criterion per line: its name, a “|”, then its levels as <em>name:points</em> separated by "
                  "commas. For example:<br><code>Thesis | Unclear:1, Developing:2, Clear:3</code>")

    def clean_criteria(self):
        criteria, errors = parse_criteria(self.cleaned_data["criteria"])
        if errors:
            raise ValidationError(errors)
        return criteria

    def save(self, acting_user):
        data = self.cleaned_data
        return do_create_rubric(data["title"], data["criteria"], description=data["description"],
                                acting_user=acting_user)


# --- Assignments ----------------------------------------------------------------------------------

STAGE_KINDS = list(Stage.Kind)  # brainstorm, outline, draft, revision, final: the order students write in


class AssignmentForm(OpenCourseMixin, forms.Form):
    title = forms.CharField(max_length=200)
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="The question students answer.")
    instructions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    due_at = forms.DateTimeField(label="Final due date", widget=DateTimeInput())
    late_policy = forms.ChoiceField(choices=Assignment.LatePolicy.choices, widget=forms.RadioSelect,
                                    initial=Assignment.LatePolicy.ACCEPT, label="Late work")
    late_penalty_percent_per_day = forms.IntegerField(
        label="Penalty per day late (%)", min_value=0, max_value=100, required=False,
        help_text="Only with “Accept with a penalty per day late”.")
    min_words = forms.IntegerField(label="Minimum words", min_value=0, required=False)
    max_words = forms.IntegerField(label="Maximum words", min_value=1, required=False)
    rubric = forms.ModelChoiceField(queryset=Rubric.objects.all(), required=False, empty_label="No rubric",
                                    help_text="Rubrics are shared across the institution.")
    max_points = forms.DecimalField(label="Maximum points", min_value=Decimal("0.01"), max_value=Decimal("9999.99"),
                                    decimal_places=2, initial=100)
    allow_resubmission = forms.BooleanField(required=False, initial=True,
                                            label="Allow resubmission after feedback is released")
    peer_review_enabled = forms.BooleanField(required=False, label="Use peer review",
                                             help_text="You set up who reviews whom after saving.")
    publish = forms.ChoiceField(choices=[("now", "Publish now: students see it straight away"),
                                         ("later", "Save as a draft and publish later")],
                                widget=forms.RadioSelect, initial="now", label="Publishing")

    def __init__(self, course, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        for kind in STAGE_KINDS:
            self.fields[f"stage_{kind}"] = forms.BooleanField(required=False, label=f"{kind.label} stage")
            self.fields[f"stage_{kind}_due"] = forms.DateTimeField(
                required=False, widget=DateTimeInput(), label=f"{kind.label} due",
                help_text="Defaults to the final due date." if kind == Stage.Kind.FINAL else "")

    def keeps_due_date(self, due):
        """A date in the past is refused, unless editing leaves the assignment's own date as it was."""
        return False

    def stage_rows(self):
        """(kind label, checkbox, due-date field) per stage, for the template."""
        return [(kind.label, self[f"stage_{kind}"], self[f"stage_{kind}_due"]) for kind in STAGE_KINDS]

    def clean(self):
        data = super().clean()
        due = data.get("due_at")
        if due and due <= timezone.now() and not self.keeps_due_date(due):
            self.add_error("due_at", "The final due date has already passed.")
        if data.get("late_policy") == Assignment.LatePolicy.PENALTY:
            if not data.get("late_penalty_percent_per_day"):
                self.add_error("late_penalty_percent_per_day", "Give the penalty per day (1–100 %).")
        else:
            data["late_penalty_percent_per_day"] = 0
        low, high = data.get("min_words"), data.get("max_words")
        if low is not None and high is not None and low > high:
            self.add_error("min_words", "The minimum is more than the maximum.")
        data["stages"] = self._clean_stages(data, due)
        return data

    def _clean_stages(self, data, due):
        stages, previous = [], None
        for kind in STAGE_KINDS:
            if not data.get(f"stage_{kind}"):
                continue
            field = f"stage_{kind}_due"
            stage_due = data.get(field) or (due if kind == Stage.Kind.FINAL else None)
            if stage_due is None:
                if field not in self.errors:
                    self.add_error(field, f"Give the {kind.label.lower()} stage a due date.")
                continue
            if due and stage_due > due:
                self.add_error(field, "A stage cannot be due after the final due date.")
            elif previous and stage_due < previous[1]:
                self.add_error(field, f"This is before the {previous[0].label.lower()} stage's due date; "
                                      f"stages are due in order.")
            stages.append((kind, stage_due))
            previous = (kind, stage_due)
        return stages

    def save(self, acting_user):
        data = self.cleaned_data
        with transaction.atomic():
            assignment = do_create_assignment(
                self.course, title=data["title"], prompt=data["prompt"], due_at=data["due_at"],
                stages=data["stages"], instructions=data["instructions"], late_policy=data["late_policy"],
                late_penalty_percent_per_day=data["late_penalty_percent_per_day"] or 0,
                min_words=data["min_words"], max_words=data["max_words"], rubric=data["rubric"],
                max_points=data["max_points"], allow_resubmission=data["allow_resubmission"],
                peer_review_enabled=data["peer_review_enabled"], acting_user=acting_user)
            if data["publish"] == "now":
                do_publish_assignment(assignment, acting_user=acting_user)
        return assignment


class AssignmentEditForm(AssignmentForm):
    """The design form, filled in from the assignment. Publishing is on the assignment's page and
    peer review on its own page, so neither is here; a due date that has passed may stay as it is."""

    def __init__(self, assignment, *args, **kwargs):
        self.assignment = assignment
        stages = list(assignment.stages.all())
        initial = {name: getattr(assignment, name) for name in ASSIGNMENT_DESIGN_FIELDS}
        initial["due_at"] = timezone.localtime(assignment.due_at)
        for stage in stages:
            initial[f"stage_{stage.kind}"] = True
            initial[f"stage_{stage.kind}_due"] = timezone.localtime(stage.due_at)
        kwargs.setdefault("initial", initial)
        super().__init__(assignment.course, *args, **kwargs)
        del self.fields["publish"], self.fields["peer_review_enabled"]
        self.stages_locked = assignment.submissions.filter(revision_number__gt=0).exists()
        if self.stages_locked:
            for kind in STAGE_KINDS:
                self.fields[f"stage_{kind}"].disabled = True

    def keeps_due_date(self, due):
        return due == self.assignment.due_at.replace(second=0, microsecond=0)  # the input has minutes

    def save(self, acting_user):
        data = self.cleaned_data
        fields = {name: data[name] for name in ASSIGNMENT_DESIGN_FIELDS}
        fields["late_penalty_percent_per_day"] = fields["late_penalty_percent_per_day"] or 0
        return do_update_assignment(self.assignment, stages=data["stages"], acting_user=acting_user, **fields)


# --- Feedback -------------------------------------------------------------------------------------

class CommentForm(forms.Form):
    """An anchored comment on revision `number`. With JS the teacher's selection fills start/end (and
    the quote); without it the teacher copies the passage into `quote` and it is found in the text."""

    start = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    end = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    quote = forms.CharField(
        label="Passage", strip=False, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Choose the passage you are commenting on."},
        help_text="Select words in the text, or copy the passage here exactly.")
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Write your comment."})

    def __init__(self, submission, number, revision_text, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.number = number
        self.text = revision_text

    def clean(self):
        data = super().clean()
        quote, start, end = data.get("quote") or "", data.get("start"), data.get("end")
        if not quote.strip():
            if "quote" not in self.errors:
                self.add_error("quote", "Choose the passage you are commenting on.")
            return data
        if start is not None and end is not None and start < end and self.text[start:end] == quote:
            return data
        quote = quote.strip()
        count = self.text.count(quote)
        if count == 0:
            self.add_error("quote", "That passage is not in this revision of the text. Copy it exactly.")
        elif count > 1:
            self.add_error("quote", f"That passage appears {count} times; include a few more words so it is "
                                    f"found only once.")
        else:
            data["start"] = self.text.find(quote)
            data["end"] = data["start"] + len(quote)
        return data

    def save(self, acting_user):
        data = self.cleaned_data
        return do_add_comment(self.submission, revision_number=self.number, start=data["start"], end=data["end"],
                              body=data["body"], acting_user=acting_user)


class RubricScoreForm(forms.Form):
    """One radio group per criterion of the assignment's rubric; a criterion left blank is left as it was."""

    def __init__(self, submission, criteria, scores, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.levels = {}
        for criterion in criteria:
            choices = []
            for level in criterion.levels.all():
                self.levels[str(level.pk)] = level
                choices.append((str(level.pk), f"{level.title} ({format_points(level.points)} points)"))
            score = scores.get(criterion.pk)
            self.fields[f"criterion_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.title, choices=choices, widget=forms.RadioSelect, required=False,
                # Help text is rendered unescaped (Django's convention); a description is typed by a person.
                initial=str(score.level_id) if score else None, help_text=escape(criterion.description))
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"Comment on {criterion.title}", required=False, initial=score.comment if score else "",
                widget=forms.Textarea(attrs={"rows": 1}))

    def criterion_rows(self):
        names = [name for name in self.fields if name.startswith("criterion_")]
        return [(self[name], self[name.replace("criterion_", "comment_")]) for name in names]

    def save(self, acting_user):
        with transaction.atomic():
            for name, value in self.cleaned_data.items():
                if name.startswith("criterion_") and value:
                    comment = self.cleaned_data[name.replace("criterion_", "comment_")]
                    do_score_rubric(self.submission, self.levels[value], comment=comment, acting_user=acting_user)
        return self.submission


def rubric_score_form(submission, state, data=None):
    """The scoring form for the assignment's rubric (state: coursework.review.RubricState), or None."""
    if state is None:
        return None
    return RubricScoreForm(submission, state.criteria, state.scores, data)


class GradeForm(forms.Form):
    grade = forms.DecimalField(required=False, min_value=0, max_digits=6, decimal_places=2,
                               help_text="Leave empty for no grade yet.")
    general_comment = forms.CharField(label="General comment", required=False,
                                      widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, submission, *args, rubric=None, **kwargs):
        """rubric: the review's coursework.review.RubricState, whose suggested grade (the rubric total
        as points, less any late penalty) the field offers as a hint."""
        kwargs.setdefault("initial", {"grade": submission.grade, "general_comment": submission.general_comment})
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.maximum = submission.assignment.max_points
        self.fields["grade"].label = f"Grade (out of {format_points(self.maximum)})"
        if rubric is not None and rubric.suggested_grade is not None:
            late = f", less the {rubric.penalty_percent} % late penalty" if rubric.penalty_percent else ""
            hint = f"Suggested by the rubric{late}: {format_points(rubric.suggested_grade)}."
            self.fields["grade"].help_text = f"{hint} Leave empty for no grade yet."
        self.fields["grade"].widget.attrs["max"] = str(self.maximum)

    def clean_grade(self):
        grade = self.cleaned_data["grade"]
        if grade is not None and grade > self.maximum:
            raise ValidationError(f"The grade is out of {format_points(self.maximum)}.")
        return grade

    def save(self, acting_user):
        return do_grade_submission(self.submission, grade=self.cleaned_data["grade"],
                                   general_comment=self.cleaned_data["general_comment"], acting_user=acting_user)

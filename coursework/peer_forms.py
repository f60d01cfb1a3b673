"""Forms for peer review pages. They validate only; the views hand cleaned data to the actions."""

from django import forms
from django.utils import timezone

from accounts.models import Role, User
from coursework.models import PeerReviewSettings, Rubric, StageSubmission, Submission

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label, help_text=""):
    return forms.DateTimeField(
        label=label, help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT))


class AccessibleErrorsMixin:
    """Marks each field with errors `aria-invalid` and points it at its message, rendered with the id
    `<auto_id>-error` by includes/field.html (inputs) and coursework/peer/_choice_field.html
    (radio groups, where the fieldset carries the reference)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields and not isinstance(self.fields[name].widget, forms.RadioSelect):
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-error"})


def parse_questions(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


class PeerReviewSettingsForm(AccessibleErrorsMixin, forms.Form):
    stage = forms.ModelChoiceField(queryset=None, label="Stage to review",
                                   help_text="Drafts students submitted at this stage are reviewed.")
    reviewers_per_submission = forms.IntegerField(label="Reviewers per draft", min_value=1, max_value=10, initial=2)
    allocation = forms.ChoiceField(label="Allocation", choices=PeerReviewSettings.Allocation.choices,
                                   widget=forms.RadioSelect)
    anonymous = forms.BooleanField(label="Anonymous (students do not see each other's names)", required=False)
    rubric = forms.ModelChoiceField(queryset=Rubric.objects.all(), required=False, label="Review rubric",
                                    empty_label="No rubric")
    guiding_questions = forms.CharField(
        label="Guiding questions", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One question per line. Reviewers answer each one.")
    opens_at = _datetime_field("Reviewing opens")
    closes_at = _datetime_field("Reviewing closes")

    def __init__(self, assignment, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = assignment.stages.all()
        for name in ("opens_at", "closes_at"):
            self.fields[name].help_text = f"Time zone: {timezone.get_current_timezone_name()}."

    def clean_guiding_questions(self):
        return parse_questions(self.cleaned_data["guiding_questions"])

    def clean(self):
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", "Reviewing must close after it opens.")
        if "rubric" in cleaned and "guiding_questions" in cleaned and not (
                cleaned["rubric"] or cleaned["guiding_questions"]):
            self.add_error("guiding_questions", "Give reviewers a rubric or at least one guiding question.")
        return cleaned

    @classmethod
    def initial_for(cls, settings_row):
        if settings_row is None:
            return {"allocation": PeerReviewSettings.Allocation.RANDOM, "anonymous": True}
        return {
            "stage": settings_row.stage_id, "reviewers_per_submission": settings_row.reviewers_per_submission,
            "allocation": settings_row.allocation, "anonymous": settings_row.anonymous,
            "rubric": settings_row.rubric_id, "guiding_questions": "\n".join(settings_row.guiding_questions),
            "opens_at": settings_row.opens_at, "closes_at": settings_row.closes_at,
        }


class LevelChoiceField(forms.ModelChoiceField):
    """A rubric level as a reviewer reads it: its title and description, not its points."""

    def label_from_instance(self, obj):
        return f"{obj.title}: {obj.description}" if obj.description else obj.title


class SubmissionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.student} — submitted draft"


class ManualAllocationForm(AccessibleErrorsMixin, forms.Form):
    reviewer = forms.ModelChoiceField(queryset=None, label="Reviewer")
    submission = SubmissionChoiceField(queryset=None, label="Draft to review")

    def __init__(self, assignment, settings_row, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this course's students, and only drafts submitted at the reviewed stage.
        self.fields["reviewer"].queryset = User.objects.filter(
            role=Role.STUDENT, enrolments__course_id=assignment.course_id)
        self.fields["submission"].queryset = Submission.objects.filter(
            assignment=assignment,
            pk__in=StageSubmission.objects.filter(stage=settings_row.stage).values("submission"),
        ).select_related("student").order_by("student__full_name")


class HideReviewForm(AccessibleErrorsMixin, forms.Form):
    reason = forms.CharField(label="Why are you hiding this review?", max_length=300,
                             help_text="Recorded in the audit log. The author no longer sees the review.")


class PeerReviewForm(AccessibleErrorsMixin, forms.Form):
    """One answer per guiding question, one level per rubric criterion, and overall comments."""

    body = forms.CharField(label="Anything else for the writer", required=False,
                           widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, questions, criteria, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.criteria = criteria
        for index, question in enumerate(questions):
            self.fields[f"answer_{index}"] = forms.CharField(label=question, widget=forms.Textarea(attrs={"rows": 3}))
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = LevelChoiceField(
                queryset=criterion.levels.all(), label=criterion.title, widget=forms.RadioSelect,
                help_text=criterion.description, empty_label=None)
        if not questions and not criteria:
            self.fields["body"].required = True
            self.fields["body"].label = "Your review"

    @classmethod
    def initial_for(cls, questions, criteria, review):
        if review is None:
            return {}
        initial = {"body": review.body}
        for index, answer in enumerate(review.answers[:len(questions)]):
            initial[f"answer_{index}"] = answer
        chosen = {level.criterion_id: level.pk for level in review.rubric_levels.all()}
        for criterion in criteria:
            if criterion.pk in chosen:
                initial[f"criterion_{criterion.pk}"] = chosen[criterion.pk]
        return initial

    def answer_fields(self):
        return [self[f"answer_{index}"] for index in range(len(self.questions))]

    def criterion_fields(self):
        return [self[f"criterion_{criterion.pk}"] for criterion in self.criteria]

    def action_kwargs(self):
        return {
            "body": self.cleaned_data["body"],
            "answers": [self.cleaned_data[f"answer_{index}"].strip() for index in range(len(self.questions))],
            "levels": [self.cleaned_data[f"criterion_{criterion.pk}"] for criterion in self.criteria],
        }


class HelpfulnessForm(AccessibleErrorsMixin, forms.Form):
    helpfulness = forms.TypedChoiceField(
        label="How helpful was this review?", coerce=int, widget=forms.RadioSelect,
        choices=[(1, "1 — not helpful"), (2, "2"), (3, "3"), (4, "4"), (5, "5 — very helpful")])

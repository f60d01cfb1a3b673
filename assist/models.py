"""The writing assistant: the institution's ceiling, the teacher's settings per stage, the
reflection gate and the log of every exchange. State changes go through assist/actions.py."""

from django.db import models
from django.utils import timezone

from coursework.models import Stage, Submission


class Category(models.TextChoices):
    BRAINSTORM = "brainstorm", "Brainstorming questions"
    OUTLINE = "outline", "Feedback on the outline"
    CLARITY = "clarity", "Clarity and structure feedback"
    GRAMMAR = "grammar", "Grammar hints"


def all_categories():
    return [c.value for c in Category]


class AssistPolicy(models.Model):
    """The institution's ceiling (one row per schema, edited in the institution's admin)."""

    class Provider(models.TextChoices):
        LOCAL = "local", "Local feedback (no model, nothing leaves Scribe Tree)"
        OPENAI = "openai", "OpenAI-compatible server"

    enabled = models.BooleanField(default=True)
    allowed = models.JSONField(default=all_categories, blank=True, help_text="Categories teachers may switch on.")
    provider = models.CharField(max_length=10, choices=Provider.choices, default=Provider.LOCAL)
    base_url = models.URLField(blank=True, help_text="e.g. https://api.example.com/v1 (…/chat/completions is added).")
    model = models.CharField(max_length=100, blank=True)
    sealed_api_key = models.BinaryField(blank=True, default=b"", editable=False)
    redact_terms = models.TextField(blank=True, help_text="Other identifiers to remove before text leaves, one a line.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "writing assistant policy"
        verbose_name_plural = "writing assistant policy"

    def __str__(self):
        return "Writing assistant policy"

    @classmethod
    def current(cls):
        policy = cls.objects.order_by("pk").first()
        return policy or cls()

    @property
    def has_key(self):
        return bool(self.sealed_api_key)


class StageAssist(models.Model):
    """What the assistant may do at one stage of one assignment (set by its teacher)."""

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, related_name="assist")
    allowed = models.JSONField(default=list, blank=True)

    def __str__(self):
        return f"Assistant at {self.stage_id}"


class Unlock(models.Model):
    """A reflection written at a stage, and whether it unlocked the stage's help."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assist_unlocks")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    reflection = models.TextField()
    accepted = models.BooleanField()
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Reflection on submission {self.submission_id}"


class Exchange(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the assistant"
        ANSWERED = "answered", "Answered"
        REFUSED = "refused", "Refused at the boundary"
        FAILED = "failed", "Could not be answered"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assist_exchanges")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=12, choices=Category.choices)
    provider = models.CharField(max_length=10)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    redacted_text = models.TextField(help_text="What was sent, identifiers replaced.")
    answer = models.TextField(blank=True, help_text="Identifiers restored. Not shown to the student when refused.")
    decisions = models.JSONField(default=list, blank=True, help_text="Boundary and redaction decisions.")
    refused = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_category_display()} for submission {self.submission_id}"

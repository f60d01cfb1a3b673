"""Privacy rights: requests (DSR) and their jobs, notices and consent, guardians, legal holds.

State changes go through privacy/actions.py; the heavy work is in privacy/export.py,
privacy/erasure.py and privacy/retention.py. Every model here is declared in privacy/registry.py.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

User = settings.AUTH_USER_MODEL

# Legal answer time by jurisdiction, in days (GDPR Art. 12(3): one month; FERPA 34 CFR 99.10: 45 days;
# CCPA 1798.130: 45 days). The shortest that applies wins; an institution with no flag gets 30.
DEADLINE_DAYS = {"GDPR": 30, "FERPA": 45, "CCPA": 45}
DEFAULT_DEADLINE_DAYS = 30


def deadline_days_for(institution):
    days = [DEADLINE_DAYS[j] for j in institution.jurisdictions]
    return min(days) if days else DEFAULT_DEADLINE_DAYS


class PrivacyRequest(models.Model):
    """A data subject request, filed by the person, their guardian or staff on their behalf."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Access: a copy of my data"
        RECTIFICATION = "rectification", "Rectification: correct my data"
        ERASURE = "erasure", "Erasure: delete my data"
        RESTRICTION = "restriction", "Restriction: stop using my data"

    class State(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        PROCESSING = "processing", "Processing"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    OPEN_STATES = {State.SUBMITTED, State.AWAITING_APPROVAL, State.APPROVED, State.PROCESSING}

    subject = models.ForeignKey(User, on_delete=models.PROTECT, related_name="privacy_requests",
                                help_text="Whose data the request is about.")
    filed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 help_text="The person, their guardian, staff on their behalf; empty when "
                                           "filed by the retention job.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.SUBMITTED, db_index=True)
    details = models.TextField(blank=True, help_text="What to correct, restrict or look for.")
    identity_verified_at = models.DateTimeField(null=True, blank=True,
                                                help_text="When the filer re-authenticated (identity check).")
    identity_method = models.CharField(max_length=50, blank=True)
    jurisdictions = models.CharField(max_length=50, blank=True)
    due_at = models.DateTimeField(help_text="Legal deadline (shortest of the institution's jurisdictions).")
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True, help_text="The record of what was done.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "privacy request"

    def __str__(self):
        return f"{self.get_kind_display().split(':')[0]} request #{self.pk}"

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES

    @property
    def is_overdue(self):
        return self.is_open and timezone.now() > self.due_at


class RequestComment(models.Model):
    """The privacy office's notes on a request (and the system's record of each step)."""

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment on {self.request}"


class PrivacyJob(models.Model):
    """The Celery job carrying out an export or an erasure, step by step (resumable)."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Export"
        ERASURE = "erasure", "Erasure"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    MAX_ATTEMPTS = 3

    request = models.OneToOneField(PrivacyRequest, on_delete=models.CASCADE, related_name="job")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    completed_steps = models.JSONField(default=list, blank=True)
    total_steps = models.PositiveSmallIntegerField(default=1)
    attempts = models.PositiveSmallIntegerField(default=0)
    scratch = models.JSONField(default=dict, blank=True, help_text="What a step hands to the next (ids only).")
    error = models.TextField(blank=True)
    # Export only: the zip in the institution's file storage, and the link that reaches it.
    file_name = models.CharField(max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    download_token = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    # Erasure only: what was erased, anonymised and kept (with reasons).
    certificate = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self):
        return f"{self.get_kind_display()} job for {self.request}"

    @property
    def progress_percent(self):
        if self.state == self.State.DONE:
            return 100
        return min(99, int(100 * len(self.completed_steps) / max(self.total_steps, 1)))

    @property
    def download_available(self):
        return (self.kind == self.Kind.EXPORT and self.state == self.State.DONE and bool(self.file_name)
                and self.expires_at is not None and self.expires_at > timezone.now())

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)

    @staticmethod
    def expiry_from(now, institution):
        return now + timedelta(days=institution.export_retention_days)


class PrivacyNotice(models.Model):
    """A version of the institution's privacy notice: draft, then active (one at a time), then archived."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200, default="How we use your data")
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    requires_acceptance = models.BooleanField(
        default=True, help_text="Ask everyone to read and accept it again (off for a typo fix).")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["state"], condition=models.Q(state="active"),
                                               name="one_active_notice")]

    def __str__(self):
        return f"Privacy notice v{self.version} ({self.get_state_display().lower()})"


class NoticeAcceptance(models.Model):
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notice_acceptances")
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "notice"], name="unique_notice_acceptance")]

    def __str__(self):
        return f"v{self.notice_id} accepted"


class Purpose(models.TextChoices):
    AI_ASSISTANCE = "ai_assistance", "AI writing assistance"
    ANALYTICS = "analytics", "Analytics about how I write"
    RESEARCH = "research", "Use of my work in educational research"
    PEER_SHOWING = "peer_showing", "Showing my work to classmates in peer review"


class Consent(models.Model):
    """One person's answer for one purpose. No row means "not answered" (see privacy/consent.py)."""

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    subject = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    answer = models.CharField(max_length=10, choices=Answer.choices)
    given_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 help_text="The person themselves or their guardian.")
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "purpose"], name="unique_consent_purpose")]

    def __str__(self):
        return f"{self.get_purpose_display()}: {self.get_answer_display()}"


class GuardianLink(models.Model):
    """A guardian (an account with the guardian role) who acts for a student under the age threshold."""

    guardian = models.ForeignKey(User, on_delete=models.CASCADE, related_name="wards")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardians")
    relationship = models.CharField(max_length=50, blank=True, help_text="e.g. mother, legal guardian")
    student_birth_date = models.DateField(help_text="Used to apply the institution's age threshold.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["guardian", "student"], name="unique_guardian_link")]

    def __str__(self):
        return f"Guardian link #{self.pk}"

    def student_age(self, today=None):
        today = today or timezone.localdate()
        born = self.student_birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class LegalHold(models.Model):
    """Records that must be kept (litigation, investigation): on a person, or on a course."""

    subject = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds")
    course = models.ForeignKey("coursework.Course", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="legal_holds")
    reason = models.CharField(max_length=300)
    placed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        constraints = [models.CheckConstraint(
            condition=models.Q(subject__isnull=False) | models.Q(course__isnull=False), name="hold_has_target")]

    def __str__(self):
        return f"Legal hold #{self.pk}"

    @property
    def is_active(self):
        return self.released_at is None

"""Institutions (one PostgreSQL schema each), their domains and provisioning jobs.

These tables live in `public`. An institution's own people and work live in its schema.
"""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour like #1f5f8b.")


def logo_upload_path(institution, filename):
    # Stored under the institution's own prefix (see STORAGES: TenantFileSystemStorage adds the
    # schema of the current connection; we make the path explicit too so it never depends on it).
    suffix = filename.rsplit(".", 1)[-1].lower()[:5]
    return f"branding/{institution.schema_name}-logo.{suffix}"


def validate_time_zone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(f"“{value}” is not a time zone name, e.g. Europe/London.") from error


class Institution(TenantMixin):
    class Status(models.TextChoices):
        PROVISIONING = "provisioning", "Being set up"
        READY = "ready", "Ready"
        FAILED = "failed", "Set-up failed"
        SUSPENDED = "suspended", "Suspended"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROVISIONING)
    brand_colour = models.CharField(
        "brand colour", max_length=7, default="#1f5f8b", validators=[hex_colour],
        help_text="Used for the header and buttons. Keep enough contrast with white text.",
    )
    logo = models.ImageField(upload_to=logo_upload_path, blank=True)
    gdpr = models.BooleanField("answers to GDPR", default=False)
    ferpa = models.BooleanField("answers to FERPA", default=False)
    ccpa = models.BooleanField("answers to CCPA", default=False)
    coursework_retention_days = models.PositiveIntegerField(
        default=365 * 3, help_text="Keep coursework this long after a course ends."
    )
    inactive_account_retention_days = models.PositiveIntegerField(
        default=365 * 2, help_text="Erase accounts unused for this long after leaving."
    )
    audit_retention_days = models.PositiveIntegerField(
        default=365 * 7, help_text="Keep audit records this long."
    )
    # Privacy (issue #4): the remaining retention categories and the guardian age threshold.
    process_data_retention_days = models.PositiveIntegerField(
        default=365, help_text="Keep writing-process figures (typing time, pastes) this long, then clear them."
    )
    export_retention_days = models.PositiveIntegerField(
        default=7, help_text="A data export can be downloaded this long, then it is deleted."
    )
    guardian_consent_age = models.PositiveSmallIntegerField(
        default=16, help_text="Below this age a guardian gives or withdraws consent for the student."
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone],
        help_text="Due dates and times are shown and entered in this zone, e.g. Europe/London or America/Chicago.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Provisioning creates the schema in a background job (tenants/provisioning.py), never on save.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_ready(self):
        return self.status == self.Status.READY

    @property
    def brand_text_colour(self):
        """Black or white, whichever contrasts more with the brand colour (WCAG luminance)."""
        channels = [int(self.brand_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"

    @property
    def jurisdictions(self):
        return [label for flag, label in ((self.gdpr, "GDPR"), (self.ferpa, "FERPA"), (self.ccpa, "CCPA")) if flag]


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain


class ProvisioningJob(models.Model):
    """One institution's set-up, step by step. A re-run resumes after the last finished step."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Step(models.TextChoices):
        SCHEMA = "schema", "Creating the institution's database schema"
        ADMIN = "admin", "Creating the institution admin"
        READY = "ready", "Opening the institution"

    STEPS = [Step.SCHEMA, Step.ADMIN, Step.READY]
    MAX_ATTEMPTS = 3

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="provisioning_job")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    completed_steps = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    method = models.CharField(max_length=10, blank=True)
    admin_email = models.EmailField()
    admin_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self):
        return f"Set-up of {self.institution}"

    @property
    def progress_percent(self):
        return int(100 * len(self.completed_steps) / len(self.STEPS))

    @property
    def current_step_label(self):
        for step in self.STEPS:
            if step not in self.completed_steps:
                return self.Step(step).label
        return "Finished"

"""A OneRoster import (the job row) and the links from OneRoster sourcedIds to our rows.

RosterImport walks: queued → planning → planned (the admin reviews the diff) → confirmed →
applying → done; or failed / discarded. The uploaded zip is kept in the row (not in file
storage) so it lives and dies with the job inside the institution's schema, and it is emptied
once the import is done or discarded: the roster is personal data we no longer need.
"""

from django.conf import settings
from django.db import models


class RosterImport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to read the file"
        PLANNING = "planning", "Reading the file"
        PLANNED = "planned", "Ready for review"
        CONFIRMED = "confirmed", "Confirmed, waiting to apply"
        APPLYING = "applying", "Applying"
        DONE = "done", "Applied"
        FAILED = "failed", "Failed"
        DISCARDED = "discarded", "Discarded"

    RUNNING = {State.QUEUED, State.PLANNING, State.CONFIRMED, State.APPLYING}
    MAX_ATTEMPTS = 3

    file_name = models.CharField(max_length=255)
    data = models.BinaryField(editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    mode = models.CharField(max_length=10, blank=True, help_text="bulk or delta, from the manifest")
    progress = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    plan = models.JSONField(default=dict, blank=True, editable=False)
    plan_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", editable=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    planned_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "OneRoster import"

    def __str__(self):
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def is_running(self):
        return self.state in self.RUNNING

    @property
    def counts(self):
        return self.plan.get("counts", {})

    @property
    def errors(self):
        return self.plan.get("errors", [])


class RosterLink(models.Model):
    """OneRoster sourcedId → our row, so a delta (or the next bulk) finds what the last one made.

    kind "user" → accounts.User, "course" → coursework.Course (sourcedId "<course>|<term>", see
    docs/provisioning.md), "class" → coursework.Section, "enrollment" → no row of ours (a teacher's
    enrolment is an M2M entry): `detail` keeps the class, user and role so a delta's bare
    "tobedeleted" row can be undone.
    """

    class Kind(models.TextChoices):
        USER = "user"
        COURSE = "course"
        CLASS = "class"
        ENROLLMENT = "enrollment"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    sourced_id = models.CharField(max_length=255)
    object_id = models.BigIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "sourced_id"], name="unique_roster_link")]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self):
        return f"{self.kind} {self.sourced_id}"

"""LTI 1.3 data, all in the institution's schema (see integrations/lti/__init__.py for the design note).

- ToolKey: the tool's own RSA key pair. The private key is stored encrypted (keys.py), never shown.
- PlatformRegistration (+ Deployment): one LMS registration, keyed by (issuer, client_id).
- LoginState: one OIDC login initiation; its state and nonce are single-use and bound to the browser.
- LtiIdentity: an LMS user (`sub`) linked to a person here.
- LtiContext / LtiResourceLink: an LMS course → a Course, an LMS link → an Assignment.
- LaunchTicket: carries a finished launch from the LMS frame to a first-party window.
- RosterSync / GradePassback: job rows for NRPS syncs and AGS score posts.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ToolKey(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active (signs)"
        PREVIOUS = "previous", "Previous (still published during rotation)"
        RETIRED = "retired", "Retired"

    kid = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    public_jwk = models.JSONField()
    private_key_encrypted = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "LTI tool key"
        constraints = [models.UniqueConstraint(fields=["status"], condition=models.Q(status="active"),
                                               name="lti_one_active_key")]

    def __str__(self):
        return f"{self.kid} ({self.get_status_display()})"


class PlatformRegistration(models.Model):
    class Lms(models.TextChoices):
        CANVAS = "canvas", "Canvas"
        MOODLE = "moodle", "Moodle"
        BLACKBOARD = "blackboard", "Blackboard"
        D2L = "d2l", "D2L Brightspace"
        OTHER = "other", "Other LTI 1.3 platform"

    name = models.CharField(max_length=200, help_text="e.g. 'Northside Canvas'")
    lms = models.CharField(max_length=12, choices=Lms.choices, default=Lms.OTHER)
    issuer = models.CharField(max_length=255, help_text="The platform's issuer (iss), e.g. https://canvas.instructure.com")
    client_id = models.CharField(max_length=255, help_text="The client id the platform gave this tool.")
    auth_login_url = models.URLField(max_length=500, help_text="The platform's OIDC authorisation endpoint.")
    auth_token_url = models.URLField(max_length=500, help_text="The platform's OAuth 2 token endpoint (services).")
    auth_token_audience = models.CharField(
        max_length=500, blank=True, help_text="Audience of the token request's assertion when not the token URL "
                                              "(Blackboard, D2L and Moodle give one).")
    key_set_url = models.URLField(max_length=500, help_text="The platform's public key set (JWKS) URL.")
    trust_emails = models.BooleanField(
        default=False, help_text="Link LMS users to existing people here by their email address. Only when this "
                                 "LMS's addresses are verified by the institution itself.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = "LMS registration"
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_unique_issuer_client")]

    def __str__(self):
        return self.name

    @property
    def token_audience(self):
        return self.auth_token_audience or self.auth_token_url


class Deployment(models.Model):
    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=255)
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "deployment_id"], name="lti_unique_deployment")]

    def __str__(self):
        return self.deployment_id


class LoginState(models.Model):
    """One login initiation. `state` and `nonce` are each used by at most one launch (used_at)."""

    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=64, unique=True)
    # sha256 of the secret given to this browser (a cookie, or platform storage via postMessage).
    browser_secret_hash = models.CharField(max_length=64)
    # The platform-storage frame named by the login initiation (lti_storage_target), when one was given.
    storage_target = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Login {self.pk}"


class LtiIdentity(models.Model):
    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE, related_name="identities")
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities")
    linked_by_email = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "LTI identities"
        constraints = [models.UniqueConstraint(fields=["registration", "sub"], name="lti_unique_identity")]

    def __str__(self):
        return f"{self.registration_id}:{self.sub}"


class LtiContext(models.Model):
    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE, related_name="contexts")
    deployment_id = models.CharField(max_length=255)
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    course = models.ForeignKey("coursework.Course", on_delete=models.CASCADE, related_name="lti_contexts")
    memberships_url = models.URLField(max_length=1000, blank=True)
    lineitems_url = models.URLField(max_length=1000, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "context_id"], name="lti_unique_context")]

    def __str__(self):
        return self.title or self.context_id


class LtiResourceLink(models.Model):
    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="resource_links")
    # Blank until the first launch of a link made by deep linking (the platform assigns the id then).
    resource_link_id = models.CharField(max_length=255, blank=True)
    assignment = models.ForeignKey("coursework.Assignment", on_delete=models.CASCADE, related_name="lti_links")
    lineitem_url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["context", "resource_link_id"],
                                               condition=~models.Q(resource_link_id=""), name="lti_unique_link")]

    def __str__(self):
        return self.resource_link_id or f"link to {self.assignment_id}"


class LaunchTicket(models.Model):
    """Single-use, ten-minute hand-over of a verified launch to a first-party window (cookie strategy)."""

    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    redirect_to = models.CharField(max_length=500)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Ticket {self.pk}"


class RosterSync(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="roster_syncs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    unenrolled = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Roster sync {self.pk} ({self.state})"


class GradePassback(models.Model):
    """The score of one submission to post to its LMS line item; the row is the job's state."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent to the LMS"
        RETRYING = "retrying", "Failed, will retry"
        FAILED = "failed", "Failed (retry by hand)"

    submission = models.ForeignKey("coursework.Submission", on_delete=models.CASCADE, related_name="lti_passbacks")
    resource_link = models.ForeignKey(LtiResourceLink, on_delete=models.CASCADE, related_name="passbacks")
    lti_user_id = models.CharField(max_length=255)
    score_given = models.DecimalField(max_digits=6, decimal_places=2)
    score_maximum = models.DecimalField(max_digits=6, decimal_places=2)
    graded_at = models.DateTimeField(help_text="The score's timestamp (when it was released or changed).")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "resource_link"], name="lti_unique_passback")]

    def __str__(self):
        return f"Passback {self.pk} ({self.state})"

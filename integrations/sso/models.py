"""Single sign-on settings of one institution (its schema) and the SAML replay cache.

An institution's admin fills these in the institution's Django admin; integrations/sso/adapter.py
turns them into allauth `SocialApp`s per request, so nothing about one institution's identity
provider is ever visible to another (each schema has its own rows; nothing lives in settings.py).
"""

from django.core.exceptions import ValidationError
from django.db import models

from accounts.models import Role

# SAML attribute names most IdPs send (eduPerson/LDAP OIDs; Entra/ADFS claim URIs work too).
OID_MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
OID_GIVEN_NAME = "urn:oid:2.5.4.42"
OID_SURNAME = "urn:oid:2.5.4.4"
OID_DISPLAY_NAME = "urn:oid:2.16.840.1.113730.3.1.241"
OID_AFFILIATION = "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"  # eduPersonAffiliation
OID_EMPLOYEE_NUMBER = "urn:oid:2.16.840.1.113730.3.1.3"


def _split(text):
    return [part.strip().lower() for part in text.replace("\n", ",").split(",") if part.strip()]


class SamlIdentityProvider(models.Model):
    """The institution's SAML identity provider. At most one per institution (its schema)."""

    class UnmatchedRole(models.TextChoices):
        REFUSE = "refuse", "Refuse sign-in"
        STUDENT = "student", "Student"

    # A constant unique key makes "one per institution" a database fact, not a hope.
    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    enabled = models.BooleanField(default=False, help_text="Show “Sign in with …” and accept responses.")
    name = models.CharField(max_length=100, default="School account",
                            help_text="Shown on the sign-in button, e.g. “Northside account”.")
    # Where the IdP's details came from (kept for the admin's reference and for refreshing).
    metadata_url = models.URLField(blank=True, help_text="HTTPS address of the IdP's metadata; fetched by the "
                                   "server when you save (public addresses only).")
    metadata_xml = models.TextField(blank=True, help_text="The IdP metadata as last uploaded or fetched.")
    metadata_fetched_at = models.DateTimeField(null=True, blank=True)
    # What login uses (parsed from the metadata, or typed in).
    entity_id = models.CharField("IdP entity ID", max_length=500, blank=True)
    sso_url = models.URLField("IdP single sign-on URL", max_length=500, blank=True)
    x509cert = models.TextField("IdP signing certificate", blank=True, help_text="PEM or base64.")
    # Attribute mapping: SAML attribute names (first value is used).
    attr_email = models.CharField("email attribute", max_length=200, default=OID_MAIL)
    attr_first_name = models.CharField("given-name attribute", max_length=200, default=OID_GIVEN_NAME)
    attr_last_name = models.CharField("surname attribute", max_length=200, default=OID_SURNAME)
    attr_full_name = models.CharField("display-name attribute", max_length=200, default=OID_DISPLAY_NAME,
                                      blank=True)
    attr_role = models.CharField("role attribute", max_length=200, default=OID_AFFILIATION, blank=True)
    attr_student_number = models.CharField("student id attribute", max_length=200, default=OID_EMPLOYEE_NUMBER,
                                           blank=True)
    # Role rule: values of the role attribute (case-insensitive, comma separated).
    student_values = models.CharField(max_length=300, default="student", blank=True,
                                      help_text="Role values that mean student, comma separated.")
    teacher_values = models.CharField(max_length=300, default="faculty, teacher", blank=True,
                                      help_text="Role values that mean teacher, comma separated.")
    unmatched_role = models.CharField(max_length=20, choices=UnmatchedRole.choices, default=UnmatchedRole.REFUSE,
                                      help_text="What a new person whose role matches neither list becomes.")
    jit_provisioning = models.BooleanField(
        "create people on first sign-in", default=False,
        help_text="Off: only people who already have an account here (matched by email) can sign in.")
    allow_idp_initiated = models.BooleanField(
        "allow IdP-initiated sign-in", default=False,
        help_text="Accept responses the IdP sends without a sign-in started here (unsolicited). Off is safer.")
    want_messages_signed = models.BooleanField(
        "require the whole response to be signed", default=False,
        help_text="Assertions must always be signed; turn this on if your IdP also signs the response.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SAML identity provider"

    def __str__(self):
        return self.name

    @property
    def is_complete(self):
        return bool(self.entity_id and self.sso_url and self.x509cert)

    def clean(self):
        if self.enabled and not self.is_complete:
            raise ValidationError("To turn sign-in on, give the IdP's metadata or its entity ID, "
                                  "single sign-on URL and certificate.")

    def role_for(self, value):
        """Map a role attribute value to a Role, or None when the rule does not say."""
        values = {v.strip().lower() for v in (value if isinstance(value, list) else [value or ""])}
        if values & set(_split(self.teacher_values)):
            return Role.TEACHER
        if values & set(_split(self.student_values)):
            return Role.STUDENT
        if self.unmatched_role == self.UnmatchedRole.STUDENT:
            return Role.STUDENT
        return None


class SamlAssertionSeen(models.Model):
    """Assertion ids already accepted here, kept until the assertion could no longer be accepted.

    The unique constraint is what stops a replay, including two copies posted at the same moment
    (the second INSERT fails); rows past `expires_at` are deleted on the next sign-in.
    """

    assertion_id = models.CharField(max_length=256, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "seen SAML assertion"

    def __str__(self):
        return self.assertion_id


class OidcProvider(models.Model):
    """Google Workspace or Microsoft Entra sign-in for this institution (one of each at most)."""

    class Kind(models.TextChoices):
        GOOGLE = "google", "Google Workspace"
        MICROSOFT = "microsoft", "Microsoft Entra ID"

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    enabled = models.BooleanField(default=False)
    client_id = models.CharField(max_length=300)
    # Sealed with a key derived from SECRET_KEY (integrations/sso/secrets.py); never shown back
    # (the admin form is write-only, the list shows the last 4 characters).
    client_secret = models.CharField(max_length=1000)
    entra_tenant = models.CharField(
        "Entra directory (tenant) ID", max_length=100, blank=True,
        help_text="Microsoft only: your directory's tenant ID (a GUID) or primary domain. "
                  "“common” or “organizations” are refused: they would let in any organisation.")
    email_domains = models.CharField(
        max_length=500, help_text="Comma separated, e.g. northside.edu, students.northside.edu. "
                                  "Accounts from other domains are refused.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "OpenID Connect provider"

    def __str__(self):
        return self.get_kind_display()

    @property
    def secret(self):
        from integrations.sso.secrets import unseal

        return unseal(self.client_secret)

    @property
    def domains(self):
        return _split(self.email_domains)

    def allows_email(self, email):
        return bool(email) and email.rpartition("@")[2].lower() in self.domains

    def clean(self):
        if self.kind == self.Kind.MICROSOFT:
            if not self.entra_tenant:
                raise ValidationError({"entra_tenant": "Microsoft sign-in needs your directory's tenant ID."})
            if self.entra_tenant.lower() in {"common", "organizations", "consumers"}:
                raise ValidationError({"entra_tenant": "Give your own directory, not a multi-tenant endpoint."})
        if not self.domains:
            raise ValidationError({"email_domains": "Give at least one email domain."})

"""SCIM bearer tokens and the little SCIM needs to remember about a person.

A token is shown once when it is made; only its SHA-256 is stored. The tokens are high-entropy
(256 bits from `secrets`), so a fast unsalted hash is enough: nothing to brute-force, and the
lookup is one indexed equality. The table lives in the institution's schema, so a Northside
token is simply absent from Riverside's table.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class ScimToken(models.Model):
    name = models.CharField(max_length=100, help_text="Who uses it, e.g. “Microsoft Entra provisioning”.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False,
                              help_text="The token's first characters, to tell tokens apart.")
    # The admin who issued the token is the recorded actor of every change made with it.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "SCIM token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None


class ScimUser(models.Model):
    """What the identity provider calls a person, beyond our own User fields.

    userName is the IdP's login name (Entra: the UPN, which need not be an email address); a person
    with no row here, or an empty user_name, has their email as userName. givenName/familyName are
    kept as sent so a PATCH of one of them does not have to guess how to split full_name.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim")
    user_name = models.CharField(max_length=255, blank=True)
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SCIM identity"
        constraints = [
            # Case-insensitive, like SCIM's userName ("caseExact": false): 409 on a duplicate.
            models.UniqueConstraint(Lower("user_name"), condition=~models.Q(user_name=""),
                                    name="scim_unique_user_name"),
        ]

    def __str__(self):
        return f"SCIM identity of {self.user}"

"""Changes to SCIM tokens and SCIM identities (audited with their actor, like every action)."""

import secrets

from django.db import transaction
from django.utils import timezone

from integrations.scim.models import ScimToken, ScimUser, hash_token
from scribetree.audit import acting_as

TOKEN_PREFIX = "st_scim_"  # noqa: S105 (a label, not a secret: lets secret scanners spot leaked tokens)


@transaction.atomic
def do_create_scim_token(name, *, acting_user):
    """Make a token; return (token row, the raw token). The raw token is never stored or logged."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)  # 256 bits of entropy
    with acting_as(acting_user):
        token = ScimToken.objects.create(name=name.strip() or "SCIM token", token_hash=hash_token(raw),
                                         prefix=raw[: len(TOKEN_PREFIX) + 4], created_by=acting_user)
    return token, raw


@transaction.atomic
def do_revoke_scim_token(token, *, acting_user):
    with acting_as(acting_user):
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def do_update_scim_identity(user, *, acting_user, **fields):
    """Record the identity provider's userName, externalId, givenName and familyName for a person."""
    allowed = {"user_name", "external_id", "given_name", "family_name"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not a SCIM identity field: {sorted(unknown)}")
    with acting_as(acting_user):
        identity, _ = ScimUser.objects.get_or_create(user=user)
        changed = [name for name, value in fields.items() if getattr(identity, name) != value]
        for name in changed:
            setattr(identity, name, fields[name])
        identity.save()  # always: updated_at is SCIM's meta.lastModified
    user.scim = identity
    return identity


@transaction.atomic
def do_forget_scim_identity(user, *, acting_user):
    with acting_as(acting_user):
        ScimUser.objects.filter(user=user).delete()

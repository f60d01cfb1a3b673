"""SCIM's only way in: `Authorization: Bearer <token>` with a live token of *this* institution.

Sessions, basic auth and anything else are not consulted (the SCIM views list this class alone),
so a signed-in admin's browser cannot call SCIM, and CSRF does not arise (no cookies are used).
The token table is in the institution's schema: a Northside token finds no row at Riverside.
"""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions

from integrations.scim.models import ScimToken, hash_token
from scribetree.api_throttling import ScimAuthFailureThrottle

# Writing last_used_at on every request would add an UPDATE to each call; once a minute is plenty
# for an admin wondering whether a token is still in use.
LAST_USED_GRANULARITY = timedelta(minutes=1)


class ScimTokenAuthentication(authentication.BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        failures = ScimAuthFailureThrottle()
        if failures.locked_out(request):
            raise exceptions.Throttled(wait=failures.wait())
        try:
            raw = header[1].decode()
        except UnicodeError:
            failures.record_failure(request)
            raise exceptions.AuthenticationFailed("Malformed token.") from None
        token = (ScimToken.objects.select_related("created_by")
                 .filter(token_hash=hash_token(raw), revoked_at__isnull=True).first())
        if token is None:
            failures.record_failure(request)
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
            ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        # The request has no person: SCIM acts with the token; the actor recorded in the audit
        # log is the admin who issued it (token.created_by), passed explicitly to the actions.
        return AnonymousUser(), token

    def authenticate_header(self, request):
        return 'Bearer realm="scim"'


class HasScimToken(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ScimToken)

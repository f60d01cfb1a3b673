"""Per-institution request throttles for the REST API and SCIM (DRF throttles).

Keys carry the institution's schema and the caller (a person for /api/, a token for SCIM). The
default cache is tenant-prefixed as well (django_tenants.cache.make_key), so the schema is in the
key twice on purpose: the key alone must never let one institution use up another's allowance.
Rates come from settings.SCRIBETREE_THROTTLE_RATES at request time (not at import, as DRF's
SimpleRateThrottle would), so an environment variable or override_settings changes them.

- "api":             per person per institution.
- "api_institution": all of one institution's people together, so one school cannot starve the
                     others on a shared server.
- "scim":            per SCIM token per institution.
- "scim_auth_failures": wrong or revoked SCIM tokens per source address per institution; over it,
                     that address gets 429 until the window passes (guessing a 256-bit token is
                     hopeless anyway; this bounds the lookups an attacker can cause).
A throttled request is answered 429 with Retry-After (DRF); SCIM wraps it in a SCIM error body.
"""

from django.conf import settings
from django.db import connection
from rest_framework.throttling import SimpleRateThrottle


class InstitutionRateThrottle(SimpleRateThrottle):
    scope = ""

    def get_rate(self):
        return settings.SCRIBETREE_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        # Re-read on every request: the class attribute DRF sets at import would freeze the rate.
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def caller(self, request):
        raise NotImplementedError

    def get_cache_key(self, request, view):
        return f"throttle:{self.scope}:{connection.schema_name}:{self.caller(request)}"


class ApiUserThrottle(InstitutionRateThrottle):
    scope = "api"

    def caller(self, request):
        user = request.user
        return f"user-{user.pk}" if user and user.is_authenticated else f"ip-{self.get_ident(request)}"


class ApiInstitutionThrottle(InstitutionRateThrottle):
    scope = "api_institution"

    def caller(self, request):
        return "all"


class ScimTokenThrottle(InstitutionRateThrottle):
    scope = "scim"

    def caller(self, request):
        return f"token-{request.auth.pk}"


class ScimAuthFailureThrottle(InstitutionRateThrottle):
    """Counts only failures: checked before a token is looked up, recorded when the lookup fails."""

    scope = "scim_auth_failures"

    def caller(self, request):
        return f"ip-{self.get_ident(request)}"

    def _load(self, request):
        self.rate = self.get_rate()
        if self.rate is None:
            return False
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        return True

    def locked_out(self, request):
        return self._load(request) and len(self.history) >= self.num_requests

    def record_failure(self, request):
        if self._load(request):
            self.history.insert(0, self.now)
            self.cache.set(self.key, self.history, self.duration)

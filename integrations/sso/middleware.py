"""What every request to a single sign-on endpoint goes through first.

- A per-source rate limit (allauth limits only its own forms): every request to a SAML or OIDC
  endpoint (start, ACS, finish, callback, metadata) counts against ACCOUNT_RATE_LIMITS["sso"] for
  its IP address, GETs included (the OIDC callback is a GET). The limit is high on purpose: a
  whole school signs in from one NAT address at the morning bell. The strict limit is per account
  (ACCOUNT_RATE_LIMITS["sso_account"], consumed in the adapter once the IdP has said who it is).
  allauth's limiter keys its cache entries by institution (the cache key function adds the
  schema), so one school's traffic never limits another's.
- SAML single logout (allauth's SLS view) is closed: not offered, see SINGLE_LOGOUT below.
- An institution without a given provider gets a 404 for its pages, not allauth's 500.
"""

import re

from allauth.core.internal import ratelimit
from allauth.socialaccount.models import SocialApp
from django.http import Http404
from django.shortcuts import render
from django.views.defaults import page_not_found

SSO_PREFIXES = ("/accounts/saml/", "/accounts/google/", "/accounts/oidc/")
SINGLE_LOGOUT = re.compile(r"^/accounts/saml/[^/]+/sls/")


class SsoEndpointsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SINGLE_LOGOUT.match(request.path):
            # SAML single logout is not offered (docs/integrations.md): allauth's SLS view would
            # accept an unsigned LogoutRequest and follow the IdP's redirect unchecked.
            return page_not_found(request, Http404())
        if request.path.startswith(SSO_PREFIXES) and not ratelimit.consume(
            request, app="allauth.account", action="sso", limit_get=True
        ):
            return render(request, "429.html", status=429)
        return self.get_response(request)

    def process_exception(self, request, exception):
        # allauth's OAuth2 views let "no such app" escape as a 500; an institution without
        # Google/Microsoft sign-in simply has no such page.
        if isinstance(exception, SocialApp.DoesNotExist):
            return page_not_found(request, Http404())
        return None

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.core.exceptions import ValidationError

from accounts.roles import home_url_for


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # People are created by their institution (admin, SCIM, OneRoster, LTI), never by themselves.
        return False

    def get_login_redirect_url(self, request):
        return home_url_for(request.user)

    def pre_authenticate(self, request, **credentials):
        # allauth's per-account failed-login limit ("login_failed" …/key) surfaces as a form error;
        # answer it with the same 429 page as every other limit (templates/429.html).
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            raise ImmediateHttpResponse(respond_429(request)) from exc

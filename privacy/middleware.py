"""Ask people to read and accept the institution's privacy notice (first sign-in, new versions).

Cheap on purpose: the session remembers the version accepted and when it last checked, so a
signed-in person costs no query per request; the database is asked again at most every
RECHECK_SECONDS per session (a new version reaches everyone within that time) and on the first
request of a session. No shared cache is used: nothing to invalidate, nothing to go stale.
"""

import time

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Role

SESSION_KEY = "privacy_notice"
RECHECK_SECONDS = 300
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/privacy/notice/", "/admin/", "/healthz", "/branding/",
                   "/api/")


def remember_acceptance(request, version):
    request.session[SESSION_KEY] = {"accepted": version, "required": version, "checked": time.time()}


class PrivacyNoticeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # Only page navigations are redirected: an autosave (htmx POST) or an API call must never get
        # the notice page instead of its answer; the notice is shown at the next page instead.
        if (request.method == "GET" and not request.headers.get("HX-Request")
                and user is not None and user.is_authenticated and getattr(request, "tenant", None) is not None
                and user.role != Role.PLATFORM_OPERATOR and not request.path.startswith(EXEMPT_PREFIXES)):
            state = request.session.get(SESSION_KEY)
            if state is None or time.time() - state["checked"] > RECHECK_SECONDS:
                state = self.check(request, user)
            if state["required"] and (state["accepted"] or 0) < state["required"]:
                return redirect(f"{reverse('privacy_notice')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def check(self, request, user):
        from privacy.actions import required_notice_version
        from privacy.models import NoticeAcceptance

        required = required_notice_version()
        accepted = None
        if required:
            accepted = (NoticeAcceptance.objects.filter(person=user, notice__version__gte=required)
                        .order_by("-notice__version").values_list("notice__version", flat=True).first())
        state = {"accepted": accepted, "required": required, "checked": time.time()}
        request.session[SESSION_KEY] = state
        return state

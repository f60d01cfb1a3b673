"""LTI endpoints on the institution's domain: login initiation, launch, the first-party hand-over,
deep linking, the tool's key set and configuration, and the teacher's LMS page for a course.

Cookie strategy (docs/lti.md): the site's session cookie stays SameSite=Lax and host-only. Only the
short-lived login-state cookie set at login initiation is SameSite=None; Secure, because the launch
is a cross-site POST from the LMS. When the browser blocks third-party cookies (the LMS frame), the
state is bound through LTI platform storage (postMessage lti.put_data / lti.get_data, 1EdTech's
client-side OIDC), and a launch inside a frame ends on a page that opens Scribe Tree in a new,
first-party window with a single-use ticket: a Lax session cookie would not be sent inside the frame.
"""

import logging
import time
from urllib.parse import urlencode, urlparse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.models import Role
from coursework.access import access_course_as_teacher
from integrations.lti import deep_linking, keys
from integrations.lti.actions import (
    LaunchRefused,
    do_handle_launch,
    do_issue_ticket,
    do_redeem_ticket,
    do_request_roster_sync,
    do_retry_grade_passback,
    do_start_login,
    landing_url,
    registration_for,
    ticket_holder,
)
from integrations.lti.models import GradePassback, LtiContext, RosterSync
from integrations.lti.validation import LaunchError, consume_state, find_state, verify_token

log = logging.getLogger(__name__)
STATE_COOKIE_PREFIX = "lti_state_"
STATE_COOKIE_SECONDS = 600


def _enabled():
    if not settings.SCRIBETREE_LTI_ENABLED:
        raise Http404


def _origin(url):
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"


def _error(request, message, status=400, code=""):
    return render(request, "lti/error.html", {"message": message, "code": code}, status=status)


@require_GET
def jwks(request):
    _enabled()
    response = JsonResponse(keys.public_key_set())
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _too_many_logins(request):
    """Login initiation writes a row for anyone who asks: cap it per address (a school shares one)."""
    key = f"lti:login-rate:{request.META.get('REMOTE_ADDR', '')}:{int(time.time() // 60)}"
    cache.add(key, 0, 120)
    try:
        return cache.incr(key) > settings.LTI_LOGINS_PER_MINUTE_PER_ADDRESS
    except ValueError:  # evicted between add and incr
        return False


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def login_initiation(request):
    """Third-party initiated login: answer with the OIDC authorisation request to the platform."""
    _enabled()
    if _too_many_logins(request):
        return _error(request, "Too many sign-ins from this network just now. Try again in a minute.", status=429,
                      code="rate_limited")
    params = request.POST if request.method == "POST" else request.GET
    issuer, login_hint, target = params.get("iss", ""), params.get("login_hint", ""), params.get("target_link_uri", "")
    if not (issuer and login_hint and target):
        return _error(request, "The LMS's sign-in request is incomplete.", code="login_params")
    registration = registration_for(issuer, params.get("client_id", ""))
    if registration is None:
        return _error(request, "This LMS is not connected to Scribe Tree here.", code="unknown_registration")
    if _origin(target) != _origin(request.build_absolute_uri("/")):
        return _error(request, "The LMS asked to open a page that is not on this site.", code="target_link_uri")
    storage_target = params.get("lti_storage_target", "")
    login, browser_secret = do_start_login(registration, storage_target=storage_target)
    query = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
        "client_id": registration.client_id, "redirect_uri": request.build_absolute_uri(reverse("lti_launch")),
        "login_hint": login_hint, "state": login.state, "nonce": login.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    auth_url = f"{registration.auth_login_url}{'&' if '?' in registration.auth_login_url else '?'}{urlencode(query)}"
    if storage_target:
        response = render(request, "lti/storage_put.html", {
            "auth_url": auth_url, "target": storage_target, "platform_origin": _origin(registration.auth_login_url),
            "state": login.state, "secret": browser_secret})
    else:
        response = redirect(auth_url)
    response.set_cookie(STATE_COOKIE_PREFIX + login.state, browser_secret, max_age=STATE_COOKIE_SECONDS,
                        secure=True, httponly=True, samesite="None")
    return response


def _in_frame(request, claims):
    dest = request.headers.get("Sec-Fetch-Dest")
    if dest:
        return dest in ("iframe", "frame")
    target = (claims.get("https://purl.imsglobal.org/spec/lti/claim/launch_presentation") or {}).get("document_target")
    return target in ("iframe", "frame")


@csrf_exempt
@xframe_options_exempt
@require_POST
def launch(request):
    """The platform's form post of the id_token. Every check is in validation.py."""
    _enabled()
    state = request.POST.get("state", "")
    try:
        token = verify_token(request.POST.get("id_token", ""))
        login = find_state(token, state)
        secret = request.COOKIES.get(STATE_COOKIE_PREFIX + state) or request.POST.get("lti_storage_secret", "")
        if not secret and login.storage_target:
            # No cookie came back (third-party cookies blocked): read the secret from platform storage
            # in the browser, then post the launch again with it.
            return render(request, "lti/storage_get.html", {
                "id_token": request.POST["id_token"], "state": state, "target": login.storage_target,
                "platform_origin": _origin(token.registration.auth_login_url)})
        # The state is spent in its own transaction, so a launch refused afterwards (below) cannot be
        # posted again once the reason is gone. Its row lock makes concurrent posts of one launch wait.
        with transaction.atomic():
            consume_state(token, state, secret)
        user, assignment, context = do_handle_launch(token)
    except LaunchError as exc:
        log.warning("LTI launch refused: %s", exc.code)
        return _error(request, "This launch from your LMS could not be verified. Open the link in the LMS again.",
                      code=exc.code)
    except LaunchRefused as exc:
        return _error(request, str(exc), status=403)
    except IntegrityError:
        # The same new person or LMS course arrived twice at once (a double click): one of the two
        # created it; this one was rolled back whole.
        return _error(request, "This was opened twice at the same moment. Open it again from your LMS.",
                      status=409, code="conflict")
    except ValidationError:
        log.warning("LTI launch could not be applied", exc_info=True)
        return _error(request, "Scribe Tree could not set this up. Ask your teacher or administrator.", status=403,
                      code="not_applied")
    response = _after_launch(request, token, user, assignment, context)
    response.delete_cookie(STATE_COOKIE_PREFIX + state, samesite="None")
    return response


def _after_launch(request, token, user, assignment, context):
    if assignment is None:  # deep linking: the picker runs inside the LMS frame, no session needed
        try:
            return deep_linking.picker(request, token, user, context)
        except deep_linking.DeepLinkRefused as exc:
            return _error(request, str(exc), code="deep_link")
    url = landing_url(user, assignment)
    if _in_frame(request, token.claims):
        ticket = do_issue_ticket(user, url)
        return render(request, "lti/open_in_window.html", {
            "continue_url": reverse("lti_continue", args=[ticket]), "assignment": assignment})
    auth_login(request, user, backend="accounts.backends.CachedModelBackend")
    return redirect(url)


@require_http_methods(["GET", "POST"])
def continue_launch(request, ticket):
    """First-party window: confirm, then redeem the single-use ticket, sign in, go to the assignment.

    GET only asks (a link someone else obtained would otherwise sign the visitor in as them: login
    CSRF); the POST, protected by CSRF in this first-party window, redeems the ticket.
    """
    _enabled()
    if request.method == "GET":
        pending = ticket_holder(ticket)
        if pending is None:
            return _error(request, "This link has expired or was already used. Open the assignment in your LMS "
                                   "again.", code="ticket")
        return render(request, "lti/continue.html", {"person": pending})
    redeemed = do_redeem_ticket(ticket)
    if redeemed is None:
        return _error(request, "This link has expired or was already used. Open the assignment in your LMS again.",
                      code="ticket")
    auth_login(request, redeemed.user, backend="accounts.backends.CachedModelBackend")
    return redirect(redeemed.redirect_to)


@csrf_exempt  # inside the LMS frame the CSRF cookie (Lax) is not sent; the signed, single-use form token stands in
@xframe_options_exempt
@require_POST
def deep_link_return(request):
    _enabled()
    try:
        return deep_linking.respond(request)
    except deep_linking.DeepLinkRefused as exc:
        return _error(request, str(exc), status=400, code="deep_link")


@require_GET
def canvas_config(request):
    """The JSON Canvas's "Paste JSON" developer key form takes."""
    _enabled()
    from integrations.lti.configuration import canvas_json

    return JsonResponse(canvas_json(request), json_dumps_params={"indent": 2})


# --- The teacher's LMS page for a course ------------------------------------------------------------

teacher_only = role_required(Role.TEACHER)


@teacher_only
def course_lms(request, course_id):
    """The course's LMS links, their last roster sync and every grade passback (a constant number of
    queries: see tests/integrations/lti/test_teacher_page.py)."""
    course = access_course_as_teacher(request.user, course_id)
    contexts = list(LtiContext.objects.filter(course=course).select_related("registration"))
    latest = {}
    for sync in (RosterSync.objects.filter(context__in=contexts).order_by("context_id", "-created_at")
                 .distinct("context_id")):
        latest[sync.context_id] = sync
    passbacks = (GradePassback.objects.filter(resource_link__context__course=course)
                 .select_related("submission__student", "submission__assignment")
                 .defer("submission__text", "submission__general_comment", "submission__assignment__prompt",
                        "submission__assignment__instructions")
                 .order_by("state", "-graded_at"))
    return render(request, "lti/course.html", {
        "course": course, "contexts": [(c, latest.get(c.pk)) for c in contexts], "passbacks": passbacks})


@teacher_only
@require_POST
def course_sync_roster(request, course_id):
    course = access_course_as_teacher(request.user, course_id)
    context = get_object_or_404(LtiContext, course=course, pk=request.POST.get("context"))
    try:
        do_request_roster_sync(context, acting_user=request.user)
        messages.success(request, "The class list is being updated from the LMS.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("lti_course", course_id=course.pk)


@teacher_only
@require_POST
def passback_retry(request, course_id, passback_id):
    course = access_course_as_teacher(request.user, course_id)
    passback = get_object_or_404(GradePassback, resource_link__context__course=course, pk=passback_id)
    do_retry_grade_passback(passback, acting_user=request.user)
    messages.success(request, "The grade will be sent to the LMS again.")
    return redirect("lti_course", course_id=course.pk)


"""Deep linking: a teacher picks or creates an assignment inside the LMS, returned as an LtiResourceLink.

The picker is rendered straight from the verified launch, inside the LMS frame, where neither our
session nor our CSRF cookie (both SameSite=Lax) is available. The form instead carries a signed
token (Django signing, salted, one hour) naming the teacher, the LMS course and the platform's
return URL and data; it is single-use (its id is added to the cache once), so a captured form
cannot create assignments again. The response is a JWT signed with the tool key, form-posted back.
"""

import secrets
import time
from datetime import timedelta
from urllib.parse import urlparse

from django import forms
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from coursework.models import Assignment
from integrations.lti import keys
from integrations.lti.actions import (
    CUSTOM_ASSIGNMENT,
    DEEP_LINKING_SETTINGS,
    do_create_deep_link_assignment,
    do_record_deep_link,
)
from integrations.lti.models import LtiContext
from integrations.lti.validation import LTI

SALT = "integrations.lti.deep_link"
TOKEN_SECONDS = 60 * 60


def _salt():
    # Bound to the institution: ids in the token mean nothing in another schema, and one SECRET_KEY
    # signs for every institution, so a Northside form posted to Riverside must not verify there.
    return f"{SALT}:{connection.schema_name}"


class DeepLinkRefused(Exception):
    pass


class NewAssignmentForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    prompt = forms.CharField(widget=forms.Textarea, required=False)
    due_at = forms.DateTimeField(required=False, help_text="YYYY-MM-DD HH:MM")


def picker(request, token, user, context):
    settings_claim = token.claims.get(DEEP_LINKING_SETTINGS) or {}
    if urlparse(str(settings_claim.get("deep_link_return_url"))).scheme not in ("https", "http"):
        raise DeepLinkRefused("The LMS gave no place to return the assignment to.")
    signed = signing.dumps({
        "user": user.pk, "context": context.pk, "deployment_id": token.deployment_id,
        "return_url": settings_claim.get("deep_link_return_url"), "data": settings_claim.get("data"),
        "multiple": bool(settings_claim.get("accept_multiple")), "jti": secrets.token_urlsafe(16),
    }, salt=_salt())
    assignments = Assignment.objects.filter(course=context.course).order_by("due_at")
    return render(request, "lti/deep_link_picker.html", {
        "signed": signed, "assignments": assignments, "course": context.course, "form": NewAssignmentForm()})


def _load(request):
    try:
        payload = signing.loads(request.POST.get("deep_link", ""), salt=_salt(), max_age=TOKEN_SECONDS)
    except signing.BadSignature:
        raise DeepLinkRefused("This page has expired. Start again from your LMS.") from None
    user = User.objects.filter(pk=payload["user"], role=Role.TEACHER, is_active=True).first()
    context = LtiContext.objects.select_related("registration", "course").filter(pk=payload["context"]).first()
    if user is None or context is None or not context.course.teachers.filter(pk=user.pk).exists():
        raise DeepLinkRefused("This page has expired. Start again from your LMS.")
    return payload, user, context


def respond(request):
    payload, user, context = _load(request)
    chosen = request.POST.get("assignment", "")
    form = NewAssignmentForm(request.POST)
    if chosen == "new":
        if not form.is_valid() or not form.cleaned_data["title"]:
            form.add_error("title", "Give the new assignment a title.")
            assignments = Assignment.objects.filter(course=context.course).order_by("due_at")
            return render(request, "lti/deep_link_picker.html", {
                "signed": request.POST["deep_link"], "assignments": assignments, "course": context.course,
                "form": form}, status=400)
    elif not Assignment.objects.filter(course=context.course, pk=chosen if chosen.isdigit() else 0).exists():
        raise DeepLinkRefused("Choose an assignment from this course.")
    if not cache.add(f"lti:deep-link-used:{payload['jti']}", 1, TOKEN_SECONDS + 60):
        raise DeepLinkRefused("This choice was already sent to your LMS.")
    if chosen == "new":
        data = form.cleaned_data
        assignment = do_create_deep_link_assignment(
            context, title=data["title"], prompt=data["prompt"] or data["title"],
            due_at=data["due_at"] or timezone.now() + timedelta(days=14), acting_user=user)
    else:
        assignment = Assignment.objects.get(course=context.course, pk=int(chosen))
    do_record_deep_link(context, assignment)
    jwt = keys.sign(response_claims(request, context, payload, assignment))
    return render(request, "lti/deep_link_return.html", {"return_url": payload["return_url"], "jwt": jwt})


def content_item(request, assignment):
    return {
        "type": "ltiResourceLink",
        "title": assignment.title,
        "url": request.build_absolute_uri(reverse("lti_launch")),
        "custom": {CUSTOM_ASSIGNMENT: str(assignment.pk)},
        "lineItem": {"scoreMaximum": float(assignment.max_points), "label": assignment.title,
                     "resourceId": f"scribetree-assignment-{assignment.pk}", "tag": "scribetree"},
        "submission": {"endDateTime": assignment.due_at.isoformat()},
    }


def response_claims(request, context, payload, assignment):
    now = int(time.time())
    claims = {
        "iss": context.registration.client_id,
        "aud": context.registration.issuer,
        "iat": now, "exp": now + 600, "nonce": secrets.token_urlsafe(16),
        LTI + "deployment_id": payload["deployment_id"],
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [content_item(request, assignment)],
    }
    if payload.get("data") is not None:
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] = payload["data"]
    return claims

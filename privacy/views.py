"""The person's privacy page, their requests and downloads, the notice, and the privacy office's
filing page. Every view fetches through privacy/access.py (404 for anything not theirs)."""

import hmac

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from accounts.access import role_required
from accounts.models import Role
from privacy import pages
from privacy.access import access_request, subjects_for
from privacy.actions import (
    FILE_ON_BEHALF_ROLES,
    active_notice,
    do_accept_notice,
    do_answer_consent,
    do_file_request,
)
from privacy.audit import log_access
from privacy.forms import ConsentForm, FileOnBehalfForm, FileRequestForm
from privacy.middleware import remember_acceptance
from privacy.models import PrivacyRequest

PERSON_ROLES = (Role.STUDENT, Role.TEACHER, Role.GUARDIAN, Role.PRIVACY_OFFICER, Role.INSTITUTION_ADMIN)
T = "privacy/"


def _page(request, *, form=None, status=200):
    context = pages.privacy_page(request.user, request.tenant)
    context["form"] = form or FileRequestForm(context["subjects"])
    return render(request, T + "home.html", context, status=status)


@require_safe
@role_required(*PERSON_ROLES)
def home(request):
    return _page(request)


@require_POST
@role_required(*PERSON_ROLES)
@reauthentication_required
def file_request(request):
    """Filing needs a fresh sign-in (allauth's reauthentication flow): the identity check."""
    subjects = subjects_for(request.user)
    form = FileRequestForm(subjects, request.POST)
    if form.is_valid():
        subject = form.subjects.get(form.cleaned_data["subject"])
        try:
            filed = do_file_request(subject, form.cleaned_data["kind"], details=form.cleaned_data["details"],
                                    identity_verified_at=timezone.now(), identity_method="re-authentication",
                                    acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Your request was sent to the privacy office. It is due by "
                                      f"{filed.due_at:%d %B %Y}.")
            return redirect("privacy_request", filed.pk)
    return _page(request, form=form, status=400)


@require_safe
@login_required
def request_detail(request, request_id):
    filed = access_request(request.user, request_id)
    return render(request, T + "request.html", {"filed": filed, "job": getattr(filed, "job", None)})


@require_safe
@login_required
def request_progress(request, request_id):
    filed = access_request(request.user, request_id)
    return render(request, T + "_progress.html", {"filed": filed, "job": getattr(filed, "job", None)})


@require_safe
@login_required
def download_export(request, request_id, token):
    """The export zip: only for the person it is about or whoever filed it, with the link's token,
    before it expires. Every download is recorded in the audit log."""
    filed = access_request(request.user, request_id)
    job = getattr(filed, "job", None)
    if (request.user.pk not in (filed.subject_id, filed.filed_by_id) or job is None
            or not job.download_available or not hmac.compare_digest(job.download_token, token)):
        raise Http404
    log_access(filed, acting_user=request.user)
    response = FileResponse(default_storage.open(job.file_name, "rb"), as_attachment=True,
                            filename=f"scribe-tree-data-{filed.pk}.zip", content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required(*PERSON_ROLES)
def answer_consent(request, subject_id):
    subjects = {s.pk: s for s in subjects_for(request.user)}
    subject = subjects.get(subject_id)
    form = ConsentForm(request.POST)
    if subject is None or not form.is_valid():
        raise Http404
    try:
        do_answer_consent(subject, form.cleaned_data["purpose"], form.cleaned_data["answer"],
                          acting_user=request.user, institution=request.tenant)
    except PermissionDenied:
        messages.error(request, "A guardian answers this for the student.")
        return redirect("privacy_home")
    messages.success(request, "Saved. It applies from now on.")
    return redirect("privacy_home")


@login_required
def notice(request):
    current = active_notice()
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if current is None:
        return redirect(next_url)
    if request.method == "POST":
        do_accept_notice(request.user, current, acting_user=request.user)
        remember_acceptance(request, current.version)
        return redirect(next_url)
    return render(request, T + "notice.html", {"notice": current, "next": next_url})


# --- Privacy office ---------------------------------------------------------------------------------------

@require_safe
@role_required(Role.PRIVACY_OFFICER, Role.INSTITUTION_ADMIN)
def office_home(request):
    waiting = (PrivacyRequest.objects.filter(state__in=PrivacyRequest.OPEN_STATES)
               .select_related("subject").order_by("due_at", "pk"))
    return render(request, T + "office_home.html", {"waiting": waiting, "form": FileOnBehalfForm()})


@require_POST
@role_required(*FILE_ON_BEHALF_ROLES)
@reauthentication_required
def file_on_behalf(request):
    form = FileOnBehalfForm(request.POST)
    if form.is_valid():
        try:
            filed = do_file_request(form.person, form.cleaned_data["kind"], details=form.cleaned_data["details"],
                                    identity_verified_at=timezone.now(), identity_method="staff re-authentication",
                                    acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Request #{filed.pk} filed for {filed.subject}.")
            return redirect("admin:privacy_privacyrequest_change", filed.pk)
    waiting = PrivacyRequest.objects.filter(state__in=PrivacyRequest.OPEN_STATES).select_related("subject")
    return render(request, T + "office_home.html", {"waiting": waiting, "form": form}, status=400)

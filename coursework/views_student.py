"""The student's coursework pages: home, writing (with autosave), history, submitting, feedback.

Every view is for students only (`role_required`) and fetches through coursework/access.py, so
anyone else's work, a course the student is not in, an unpublished assignment or another
institution's id is a 404. What the pages show comes from coursework/student_pages.py.
"""

import functools

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST, require_safe

from accounts.access import role_required
from accounts.models import Role
from coursework import student_pages
from coursework.access import access_own_submission, access_submission_to_save
from coursework.actions import (
    SaveConflict,
    SubmissionRefused,
    check_save_draft,
    do_submit_stage,
    get_or_start_submission,
    revision_text,
)
from coursework.diffing import word_diff
from coursework.forms_student import AutosaveForm, CompareForm, SubmitStageForm

CONFLICT = ("This work was changed in another window or tab since this page loaded, so your text here "
            "was not saved. Your text is still below: copy it, then load the latest version.")


@require_safe
@role_required(Role.STUDENT)
def home(request):
    courses = student_pages.student_home_html(request.user, render_home_courses)
    return render(request, "coursework/student/home.html", {"courses_html": courses})


def render_home_courses(rows):
    # No request context: the list shows nothing the context processors provide, and is cached.
    return render_to_string("coursework/student/_home_courses.html", {"courses": rows})


@require_safe
@role_required(Role.STUDENT)
def write(request, assignment_id):
    assignment, stages, cached = student_pages.open_assignment(request.user, assignment_id)
    submission = get_or_start_submission(assignment, request.user)
    return render_writing_page(request, assignment, submission, stages=stages, cached=cached)


def render_writing_page(request, assignment, submission, *, form=None, conflict=False, status=200, stages=None,
                        cached=None):
    """The writing page; after a refused post it shows the posted text and reflection, not the saved ones."""
    context = student_pages.writing_page(assignment, submission, stages=stages, cached=cached)
    context.update(form=form or SubmitStageForm(initial={"reflection": ""}), conflict=conflict,
                   text=form.data.get("text", submission.text) if form else submission.text,
                   blank_reflection=None if form else blank_reflection_field())
    return render(request, "coursework/student/write.html", context, status=status)


@functools.cache
def blank_reflection_field():
    """The empty reflection field's markup, the same on every writing page until a post is refused:
    rendered once per process (Django's widget rendering was ~0.5 ms of each page)."""
    field = SubmitStageForm(initial={"reflection": ""})["reflection"]
    return render_to_string("coursework/student/_field.html", {"field": field})


@require_POST
@role_required(Role.STUDENT)
def autosave(request, submission_id):
    form = AutosaveForm(request.POST)
    submission = access_submission_to_save(request.user, submission_id)
    if not form.is_valid():
        return save_response(request, submission, form, status=400)
    try:
        submission, _ = check_save_draft(submission, form.cleaned_data["text"], acting_user=request.user,
                                         base_revision=form.cleaned_data["base_revision"], process=form.process())
    except SaveConflict as conflict:
        return save_response(request, submission, form, status=409, current=conflict.current_revision)
    return save_response(request, submission, form)


def save_response(request, submission, form, *, status=200, current=None):
    """htmx (the editor): a status fragment, the revision in a header. A plain post ("Save now"
    without JavaScript): back to the page, or the page again with the unsaved text and the error."""
    revision = current if current is not None else submission.revision_number
    if request.htmx:
        # A fragment with no request context: the context processors (user, messages, institution)
        # cost a save more than the fragment does, and it shows none of what they provide.
        context = {"form": form, "status": status, "revision": revision, "submission": submission}
        response = HttpResponse(render_to_string("coursework/student/_save_status.html", context), status=status)
        response["X-Revision-Number"] = str(revision)
        return response
    if status == 200:
        messages.success(request, "Your work is saved.")
        return redirect("student_write", assignment_id=submission.assignment_id)
    return render_writing_page(request, submission.assignment, submission, form=form, conflict=status == 409,
                               status=status)


@require_POST
@role_required(Role.STUDENT)
def submit_stage(request, submission_id):
    submission = access_own_submission(request.user, submission_id)
    assignment, form = submission.assignment, SubmitStageForm(request.POST)
    try:
        if not form.is_valid():
            return render_writing_page(request, assignment, submission, form=form, status=400)
        if form.cleaned_data["base_revision"] is not None:  # save what is on screen first: it is what is submitted
            submission, _ = check_save_draft(submission, form.cleaned_data["text"], acting_user=request.user,
                                             base_revision=form.cleaned_data["base_revision"])
        do_submit_stage(submission, reflection=form.cleaned_data["reflection"], acting_user=request.user)
    except SaveConflict:
        return render_writing_page(request, assignment, submission, form=form, conflict=True, status=409)
    except SubmissionRefused as refused:
        form.add_error(None, refused.messages)
        return render_writing_page(request, assignment, submission, form=form, status=400)
    messages.success(request, "Submitted. Your teacher can now read this version.")
    return redirect("student_write", assignment_id=assignment.pk)


@require_safe
@role_required(Role.STUDENT)
def history(request, submission_id):
    submission = access_own_submission(request.user, submission_id)
    context = student_pages.history_page(submission, request.GET.get("page"))
    context.update(submission=submission, compare_form=CompareForm(latest=submission.revision_number))
    return render(request, "coursework/student/history.html", context)


@require_safe
@role_required(Role.STUDENT)
def revision(request, submission_id, number):
    submission = access_own_submission(request.user, submission_id)
    if not 1 <= number <= submission.revision_number:
        raise Http404
    row = submission.revisions.only("number", "created_at", "word_count", "submission_id").get(number=number)
    return render(request, "coursework/student/revision.html", {
        "submission": submission, "revision": row, "text": revision_text(submission, number)})


@require_safe
@role_required(Role.STUDENT)
def compare(request, submission_id):
    submission = access_own_submission(request.user, submission_id)
    form = CompareForm(request.GET, latest=submission.revision_number)
    if not form.is_valid():
        return render(request, "coursework/student/compare.html", {"submission": submission, "form": form},
                      status=400)
    old, new = form.cleaned_data["old"], form.cleaned_data["new"]
    pieces = word_diff(revision_text(submission, old), revision_text(submission, new))
    return render(request, "coursework/student/compare.html", {
        "submission": submission, "form": form, "old": old, "new": new, "pieces": pieces})


@require_safe
@role_required(Role.STUDENT)
def feedback(request, submission_id):
    submission = access_own_submission(request.user, submission_id)
    if not submission.feedback_released:
        # Nothing about the feedback is read, so nothing of it can reach the page.
        return render(request, "coursework/student/feedback_pending.html", {"submission": submission})
    return render(request, "coursework/student/feedback.html", student_pages.released_feedback(submission))

"""The writing assistant's pages: the student's panel (loaded into the writing page by htmx, or
as its own page without JavaScript), the reflection and ask posts, and the teacher's settings.

Every fetch goes through coursework's access helpers: someone else's work, another teacher's
assignment or another institution's id is a 404.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from assist import review
from assist.actions import AssistRefused, do_request_help, do_write_reflection
from assist.forms import AskForm, ReflectionForm, StageAssistForm
from assist.models import AssistPolicy, StageAssist
from coursework.access import access_assignment_as_teacher, access_own_submission
from coursework.forms import run_action

student_only = role_required(Role.STUDENT)


def _panel(request, submission, *, reflection_form=None, error="", status=200):
    context = {"submission": submission, "panel": review.panel(submission), "error": error,
               "reflection_form": reflection_form or ReflectionForm(), "ask_form": AskForm()}
    template = "assist/_panel.html" if request.htmx else "assist/page.html"
    return render(request, template, context, status=status)


def _done(request, submission, message):
    if request.htmx:
        return _panel(request, submission)
    messages.success(request, message)
    return redirect(reverse("assist_panel", args=[submission.pk]))


@student_only
def panel(request, submission_id):
    return _panel(request, access_own_submission(request.user, submission_id))


@student_only
@require_POST
def reflect(request, submission_id):
    submission = access_own_submission(request.user, submission_id)
    form = ReflectionForm(request.POST)
    if not form.is_valid():
        return _panel(request, submission, reflection_form=form, status=400)
    try:
        unlock = do_write_reflection(submission, form.cleaned_data["reflection"], acting_user=request.user)
    except AssistRefused as refused:
        return _panel(request, submission, error=" ".join(refused.messages), status=400)
    if not unlock.accepted:
        return _panel(request, submission, reflection_form=form, status=400)
    return _done(request, submission, "Your reflection unlocked the assistant for this stage.")


@student_only
@require_POST
def ask(request, submission_id):
    submission = access_own_submission(request.user, submission_id)
    form = AskForm(request.POST)
    if not form.is_valid():
        return _panel(request, submission, error="Choose a kind of help.", status=400)
    try:
        do_request_help(submission, form.cleaned_data["category"], acting_user=request.user)
    except AssistRefused as refused:
        return _panel(request, submission, error=" ".join(refused.messages), status=400)
    return _done(request, submission, "The assistant's answer is in the log below.")


@role_required(Role.TEACHER)
def stage_settings(request, assignment_id):
    assignment = access_assignment_as_teacher(request.user, assignment_id)
    stages = list(assignment.stages.all())
    current = dict(StageAssist.objects.filter(stage__in=stages).values_list("stage_id", "allowed"))
    policy = AssistPolicy.current()
    form = StageAssistForm(stages, current, policy.allowed if policy.enabled else [], request.POST or None)
    if request.method == "POST" and form.is_valid() and run_action(form, lambda: form.save(request.user)) is not None:
        messages.success(request, "Saved what the assistant may do at each stage.")
        return redirect("assist_settings", assignment.pk)
    return render(request, "assist/settings.html", {"assignment": assignment, "course": assignment.course,
                                                     "form": form, "policy": policy})

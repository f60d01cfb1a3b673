"""Integrity pages: the matched passages side by side (teacher), and the student's own observations.

Fetched through coursework's access helpers, so another teacher's student, another student's
work or another institution's id is a 404.
"""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts.access import role_required
from accounts.models import Role
from coursework.access import access_own_submission, access_submission_as_teacher
from integrity import review


@require_safe
@role_required(Role.TEACHER)
def match(request, submission_id, match_id):
    submission = access_submission_as_teacher(request.user, submission_id)
    found = get_object_or_404(submission.similarity_matches.select_related(
        "other__student", "other__assignment__course"), pk=match_id)
    found.submission = submission
    context = review.side_by_side(found, request.user)
    return render(request, "integrity/match.html", {"submission": submission, **context})


@require_safe
@role_required(Role.STUDENT)
def own_observations(request, submission_id):
    submission = access_own_submission(request.user, submission_id)
    return render(request, "integrity/student.html", {
        "submission": submission, "observations": review.observations(submission, for_teacher=False)})

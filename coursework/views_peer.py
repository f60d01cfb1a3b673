"""Peer review pages: the teacher sets it up, allocates and moderates; students review and rate.

Anonymity: when the assignment's peer review is anonymous, students never see each other's
names — authors see "Reviewer 1", "Reviewer 2"… and reviewers see "a classmate". Templates get
labels from `label_reviewers`, never a reviewer's User, so a template cannot leak one by accident.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from coursework.access import (
    access_allocation_as_reviewer,
    access_assignment_as_teacher,
    access_received_peer_review,
)
from coursework.actions import (
    check_allocate_peer_reviews,
    do_allocate_peer_review_manually,
    do_configure_peer_review,
    do_hide_peer_review,
    do_rate_peer_review,
    do_submit_peer_review,
    revision_text,
)
from coursework.models import PeerReview, PeerReviewAllocation, PeerReviewSettings, StageSubmission
from coursework.peer_forms import (
    HelpfulnessForm,
    HideReviewForm,
    ManualAllocationForm,
    PeerReviewForm,
    PeerReviewSettingsForm,
)

# --- Shared by the pages and the API ---------------------------------------------------------------


def window_state(settings_row, now=None):
    now = now or timezone.now()
    if now < settings_row.opens_at:
        return "not_open"
    if now > settings_row.closes_at:
        return "closed"
    return "open"


def with_reviewer_numbers(reviews):
    """Annotate `reviewer_number`: the review's allocation's place among its draft's allocations.

    Counted over allocations, not submitted reviews, so "Reviewer 2" stays "Reviewer 2" whatever
    order reviews arrive in (random allocation is refused once a review exists, so the allocations
    before it are never replaced).
    """
    earlier = (PeerReviewAllocation.objects
               .filter(submission=OuterRef("allocation__submission"), pk__lte=OuterRef("allocation_id"))
               .order_by().values("submission").annotate(n=Count("pk")).values("n"))
    return reviews.annotate(reviewer_number=Subquery(earlier))


def label_reviewers(reviews):
    """Set `reviewer_label`: "Reviewer n" when the peer review is anonymous, the reviewer's name
    otherwise. Reviews come from `with_reviewer_numbers` with allocation__assignment__peer_review
    (and, when named, allocation__reviewer) loaded."""
    for review in reviews:
        allocation = review.allocation
        if allocation.assignment.peer_review.anonymous:
            review.reviewer_label = f"Reviewer {review.reviewer_number}"
        else:
            review.reviewer_label = allocation.reviewer.full_name
    return reviews


def visible_reviews_of(student):
    """Submitted, not hidden reviews of the student's work, numbered for `label_reviewers`."""
    return with_reviewer_numbers(
        PeerReview.objects
        .filter(allocation__submission__student=student, submitted_at__isnull=False, hidden_at__isnull=True)
        .select_related("allocation__assignment__course", "allocation__assignment__peer_review",
                        "allocation__reviewer")
        .order_by("allocation__submission_id", "allocation_id"))


def allocations_for(reviewer):
    """The reviewer's allocations whose draft has been submitted (as access_allocation_as_reviewer)."""
    from privacy.consent import consent_filter
    from privacy.models import Purpose

    submitted = StageSubmission.objects.filter(submission=OuterRef("submission"))
    return (PeerReviewAllocation.objects.filter(Exists(submitted), reviewer=reviewer)
            .filter(consent_filter("submission__student", Purpose.PEER_SHOWING))
            .select_related("assignment__course", "assignment__peer_review", "submission__student", "review")
            .order_by("assignment__peer_review__closes_at", "pk"))


def reviewed_stage_submission(allocation, settings_row):
    """The latest submission of the reviewed stage for this allocation's draft, or None."""
    return (StageSubmission.objects.filter(submission=allocation.submission, stage=settings_row.stage)
            .select_related("revision").order_by("-attempt", "-submitted_at").first())


def reviewed_text(allocation, settings_row):
    stage_submission = reviewed_stage_submission(allocation, settings_row)
    if stage_submission is None:
        return None
    return revision_text(allocation.submission, stage_submission.revision.number)


def review_criteria(settings_row):
    if settings_row.rubric_id is None:
        return []
    return list(settings_row.rubric.criteria.prefetch_related("levels"))


def chosen_levels(review):
    return review.rubric_levels.select_related("criterion").order_by("criterion__position", "criterion_id")


def posted(request):
    """The form data of a POST (even an empty one, which must still be validated), else None."""
    return request.POST if request.method == "POST" else None


# --- Students --------------------------------------------------------------------------------------


@role_required(Role.STUDENT)
def student_list(request):
    allocations = list(allocations_for(request.user))
    now = timezone.now()
    for allocation in allocations:
        allocation.state = window_state(allocation.assignment.peer_review, now)
        allocation.done = hasattr(allocation, "review") and allocation.review.submitted_at is not None
    received = label_reviewers(list(visible_reviews_of(request.user)))
    return render(request, "coursework/peer/student_list.html", {"allocations": allocations, "received": received})


@role_required(Role.STUDENT)
def write_review(request, allocation_id):
    allocation = access_allocation_as_reviewer(request.user, allocation_id)
    settings_row = allocation.assignment.peer_review
    review = PeerReview.objects.filter(allocation=allocation).first()
    criteria = review_criteria(settings_row)
    questions = settings_row.guiding_questions
    form = PeerReviewForm(questions, criteria, posted(request),
                          initial=PeerReviewForm.initial_for(questions, criteria, review))
    if request.method == "POST" and form.is_valid():
        try:
            do_submit_peer_review(allocation, **form.action_kwargs(), acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your review was submitted. You can change it until reviewing closes.")
            return redirect("peer_review_list")
    return render(request, "coursework/peer/write.html", {
        "allocation": allocation, "settings": settings_row, "review": review, "form": form,
        "state": window_state(settings_row), "draft_text": reviewed_text(allocation, settings_row),
    })


@role_required(Role.STUDENT)
def received_review(request, review_id):
    review = access_received_peer_review(request.user, review_id)
    form = HelpfulnessForm(posted(request), initial={"helpfulness": review.helpfulness})
    saved = request.method == "POST" and form.is_valid()
    if saved:
        do_rate_peer_review(review, form.cleaned_data["helpfulness"], acting_user=request.user)
    if request.htmx and request.method == "POST":
        return render(request, "coursework/peer/_helpfulness.html", {"review": review, "form": form, "saved": saved})
    if saved:
        messages.success(request, "Thank you: your rating was saved.")
        return redirect("peer_review_received", review.pk)
    [review] = label_reviewers([visible_reviews_of(request.user).get(pk=review.pk)])
    settings_row = review.allocation.assignment.peer_review
    return render(request, "coursework/peer/received.html", {
        "review": review, "form": form, "levels": chosen_levels(review),
        "answers": list(zip(settings_row.guiding_questions, review.answers, strict=False)),
    })


# --- Teachers --------------------------------------------------------------------------------------


def _teacher_page(request, assignment, *, settings_form=None, manual_form=None):
    settings_row = PeerReviewSettings.objects.filter(assignment=assignment).select_related("stage").first()
    settings_form = settings_form or PeerReviewSettingsForm(
        assignment, initial=PeerReviewSettingsForm.initial_for(settings_row))
    if settings_row is not None:
        manual_form = manual_form or ManualAllocationForm(assignment, settings_row)
    allocations = (PeerReviewAllocation.objects.filter(assignment=assignment)
                   .select_related("reviewer", "submission__student", "review")
                   .order_by("submission__student__full_name", "reviewer__full_name", "pk"))
    return render(request, "coursework/peer/teacher.html", {
        "assignment": assignment, "settings": settings_row, "settings_form": settings_form,
        "manual_form": manual_form, "allocations": allocations,
    })


@role_required(Role.TEACHER)
def teacher_settings(request, assignment_id):
    assignment = access_assignment_as_teacher(request.user, assignment_id)
    if request.method != "POST":
        return _teacher_page(request, assignment)
    form = PeerReviewSettingsForm(assignment, request.POST)
    if not form.is_valid():
        return _teacher_page(request, assignment, settings_form=form)
    do_configure_peer_review(assignment, **form.cleaned_data, acting_user=request.user)
    messages.success(request, "Peer review settings saved.")
    return redirect("teacher_peer_review", assignment.pk)


def _settings_or_404(assignment):
    try:
        return assignment.peer_review
    except PeerReviewSettings.DoesNotExist:
        raise Http404 from None


@role_required(Role.TEACHER)
@require_POST
def teacher_allocate(request, assignment_id):
    assignment = access_assignment_as_teacher(request.user, assignment_id)
    _settings_or_404(assignment)
    try:
        created = check_allocate_peer_reviews(assignment, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("teacher_peer_review", assignment.pk)
    if created:
        messages.success(request, f"{len(created)} reviews allocated.")
    else:
        messages.info(request, "No new reviews were allocated: at least two students must submit the reviewed "
                               "stage first.")
    return redirect("teacher_peer_review", assignment.pk)


@role_required(Role.TEACHER)
@require_POST
def teacher_allocate_manually(request, assignment_id):
    assignment = access_assignment_as_teacher(request.user, assignment_id)
    form = ManualAllocationForm(assignment, _settings_or_404(assignment), request.POST)
    if form.is_valid():
        try:
            do_allocate_peer_review_manually(assignment, form.cleaned_data["reviewer"],
                                             form.cleaned_data["submission"], acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Review allocated.")
            return redirect("teacher_peer_review", assignment.pk)
    return _teacher_page(request, assignment, manual_form=form)


@role_required(Role.TEACHER)
def teacher_review(request, assignment_id, review_id):
    assignment = access_assignment_as_teacher(request.user, assignment_id)
    review = get_object_or_404(
        PeerReview.objects.select_related("allocation__reviewer", "allocation__submission__student")
        .filter(allocation__assignment=assignment), pk=review_id)
    form = HideReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        do_hide_peer_review(review, reason=form.cleaned_data["reason"], acting_user=request.user)
        messages.success(request, "The review is hidden from its author.")
        return redirect("teacher_peer_review", assignment.pk)
    settings_row = _settings_or_404(assignment)
    return render(request, "coursework/peer/teacher_review.html", {
        "assignment": assignment, "review": review, "form": form, "levels": chosen_levels(review),
        "answers": list(zip(settings_row.guiding_questions, review.answers, strict=False)),
    })

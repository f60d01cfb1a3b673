"""The coursework API (DRF), over the same actions and access helpers as the pages.

- Session authentication with CSRF enforced, signed-in people only (settings.REST_FRAMEWORK).
- Every object comes through coursework/access.py, so anything a person may not reach — another
  student's work, another teacher's course, another institution's ids — is a 404, never a 403.
  An endpoint for one role answers 404 to the other.
- Views validate with an input serializer and call one action; nothing here writes to the ORM.
- Lists are unpaginated: each is bounded by one course's size (tests pin their query counts).
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.models import Role, User
from coursework import serializers as s
from coursework.access import (
    access_allocation_as_reviewer,
    access_assignment_as_student,
    access_assignment_as_teacher,
    access_course_as_student,
    access_course_as_teacher,
    access_own_submission,
    access_peer_review_as_teacher,
    access_received_peer_review,
    access_submission_as_teacher,
)
from coursework.actions import (
    SaveConflict,
    check_allocate_peer_reviews,
    check_save_draft,
    do_add_comment,
    do_allocate_peer_review_manually,
    do_grade_submission,
    do_hide_peer_review,
    do_rate_peer_review,
    do_release_feedback,
    do_score_rubric,
    do_submit_peer_review,
    do_submit_stage,
    get_or_start_submission,
)
from coursework.models import (
    Assignment,
    Comment,
    Course,
    PeerReview,
    PeerReviewAllocation,
    PeerReviewSettings,
    RubricLevel,
    StageSubmission,
    Submission,
)
from coursework.views_peer import (
    allocations_for,
    label_reviewers,
    review_criteria,
    reviewed_text,
    visible_reviews_of,
)

NOT_FOUND = OpenApiResponse(s.ErrorSerializer, description="Not found, or not yours to reach.")


def role_of(user):
    return getattr(user, "role", None)  # schema generation runs with an anonymous user


def require_role(user, role):
    if role_of(user) != role:
        raise Http404


@contextmanager
def action_errors():
    """An action's ValidationError becomes a 400 with the same messages the pages show."""
    try:
        yield
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise serializers.ValidationError(detail) from error


def validated(serializer_class, request, **context):
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class BaseViewSet(viewsets.GenericViewSet):
    lookup_value_converter = "int"


# --- Courses and assignments ----------------------------------------------------------------------


class CourseViewSet(BaseViewSet):
    """Teachers: the courses they teach. Students: the courses they are enrolled in (not archived)."""

    serializer_class = s.CourseSerializer
    queryset = Course.objects.none()

    def get_queryset(self):
        user = self.request.user
        if role_of(user) == Role.TEACHER:
            return Course.objects.filter(teachers=user)
        if role_of(user) == Role.STUDENT:
            return Course.objects.filter(enrolments__student=user, archived_at__isnull=True)
        return Course.objects.none()

    def list(self, request):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, pk):
        access = access_course_as_teacher if role_of(request.user) == Role.TEACHER else access_course_as_student
        return Response(self.get_serializer(access(request.user, pk)).data)


class AssignmentViewSet(BaseViewSet):
    """Teachers: assignments in their courses. Students: published assignments in their courses."""

    serializer_class = s.AssignmentSerializer
    queryset = Assignment.objects.none()

    def get_queryset(self):
        user = self.request.user
        assignments = Assignment.objects.prefetch_related("stages")
        if role_of(user) == Role.TEACHER:
            return assignments.filter(course__teachers=user)
        if role_of(user) == Role.STUDENT:
            return assignments.filter(course__enrolments__student=user, course__archived_at__isnull=True,
                                      published_at__lte=timezone.now())
        return Assignment.objects.none()

    def access(self, pk):
        user = self.request.user
        return (access_assignment_as_teacher if role_of(user) == Role.TEACHER else access_assignment_as_student)(
            user, pk)

    @extend_schema(parameters=[OpenApiParameter("course", int, description="Only this course's assignments.")])
    def list(self, request):
        assignments = self.get_queryset()
        if "course" in request.query_params:
            course_id = serializers.IntegerField().to_internal_value(request.query_params["course"])
            access = access_course_as_teacher if role_of(request.user) == Role.TEACHER else access_course_as_student
            assignments = assignments.filter(course=access(request.user, course_id))
        return Response(self.get_serializer(assignments, many=True).data)

    @extend_schema(responses={200: s.AssignmentSerializer, 404: NOT_FOUND})
    def retrieve(self, request, pk):
        return Response(self.get_serializer(self.access(pk)).data)

    @extend_schema(summary="The signed-in student's submission (started, empty, if there is none yet)",
                   responses={200: s.StudentSubmissionSerializer, 404: NOT_FOUND})
    @action(detail=True, methods=["get"], url_path="submission")
    def my_submission(self, request, pk):
        require_role(request.user, Role.STUDENT)
        submission = get_or_start_submission(access_assignment_as_student(request.user, pk), request.user)
        return Response(s.StudentSubmissionSerializer(submission).data)

    @extend_schema(summary="Every student's submission (teachers)",
                   responses={200: s.TeacherSubmissionSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"])
    def submissions(self, request, pk):
        assignment = access_assignment_as_teacher(request.user, pk)
        submissions = assignment.submissions.select_related("student").order_by("student__full_name", "pk")
        return Response(s.TeacherSubmissionSerializer(submissions, many=True).data)

    @extend_schema(summary="Every peer review allocation and review, with names (teachers)",
                   responses={200: s.TeacherAllocationSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"], url_path="peer-reviews")
    def peer_reviews(self, request, pk):
        assignment = access_assignment_as_teacher(request.user, pk)
        allocations = (PeerReviewAllocation.objects.filter(assignment=assignment)
                       .select_related("reviewer", "submission__student", "review")
                       .prefetch_related("review__rubric_levels")
                       .order_by("submission__student__full_name", "reviewer__full_name", "pk"))
        return Response(s.TeacherAllocationSerializer(allocations, many=True).data)

    @extend_schema(summary="Allocate reviews at random, balanced, never self (teachers)", request=None,
                   responses={200: s.AllocationResultSerializer, 400: OpenApiResponse(description="Refused"),
                              404: NOT_FOUND})
    @action(detail=True, methods=["post"], url_path="peer-review/allocate")
    def allocate_peer_reviews(self, request, pk):
        assignment = access_assignment_as_teacher(request.user, pk)
        get_object_or_404(PeerReviewSettings, assignment=assignment)
        with action_errors():
            created = check_allocate_peer_reviews(assignment, acting_user=request.user)
        return Response({"allocated": len(created)})

    @extend_schema(summary="Give one draft to one reviewer (teachers)", request=s.ManualAllocationSerializer,
                   responses={201: s.TeacherAllocationSerializer, 400: OpenApiResponse(description="Refused"),
                              404: NOT_FOUND})
    @action(detail=True, methods=["post"], url_path="peer-review/allocations")
    def allocate_peer_review(self, request, pk):
        assignment = access_assignment_as_teacher(request.user, pk)
        settings_row = get_object_or_404(PeerReviewSettings, assignment=assignment)
        data = validated(s.ManualAllocationSerializer, request)
        reviewer = get_object_or_404(User, pk=data["reviewer"], role=Role.STUDENT,
                                     enrolments__course_id=assignment.course_id)
        submission = get_object_or_404(
            Submission, pk=data["submission"], assignment=assignment,
            pk__in=StageSubmission.objects.filter(stage=settings_row.stage).values("submission"))
        with action_errors():
            allocation = do_allocate_peer_review_manually(assignment, reviewer, submission, acting_user=request.user)
        return Response(s.TeacherAllocationSerializer(allocation).data, status=status.HTTP_201_CREATED)


# --- Submissions ----------------------------------------------------------------------------------

SUBMISSION_BY_ROLE = PolymorphicProxySerializer(
    component_name="SubmissionForRole",
    serializers=[s.StudentSubmissionSerializer, s.TeacherSubmissionDetailSerializer],
    resource_type_field_name=None,
)


class SubmissionViewSet(BaseViewSet):
    serializer_class = s.StudentSubmissionSerializer
    queryset = Submission.objects.none()

    def as_teacher(self, pk):
        return access_submission_as_teacher(self.request.user, pk)

    def as_writer(self, pk):
        """The student's own submission, while they may still work on it (enrolled, published)."""
        submission = access_own_submission(self.request.user, pk)
        access_assignment_as_student(self.request.user, submission.assignment_id)
        return submission

    @extend_schema(summary="A submission: the student's own, or one in a teacher's course",
                   responses={200: SUBMISSION_BY_ROLE, 404: NOT_FOUND})
    def retrieve(self, request, pk):
        if role_of(request.user) == Role.TEACHER:
            submission = Submission.objects.prefetch_related(
                Prefetch("comments", queryset=Comment.objects.select_related("revision")), "rubric_scores",
            ).get(pk=self.as_teacher(pk).pk)
            from privacy.audit import log_access

            log_access(submission, acting_user=request.user)  # staff reading a student's work is recorded
            return Response(s.TeacherSubmissionDetailSerializer(submission).data)
        return Response(s.StudentSubmissionSerializer(access_own_submission(request.user, pk)).data)

    @extend_schema(
        summary="Autosave the student's text (optimistic lock on base_revision)",
        request=s.AutosaveSerializer,
        responses={200: s.AutosaveResultSerializer,
                   409: OpenApiResponse(s.ConflictSerializer, description="Saved elsewhere since base_revision."),
                   404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def autosave(self, request, pk):
        submission = self.as_writer(pk)
        data = validated(s.AutosaveSerializer, request)
        try:
            submission, revision = check_save_draft(submission, data["text"], base_revision=data["base_revision"],
                                                    process=data.get("process"), acting_user=request.user)
        except SaveConflict as conflict:
            return Response({"detail": str(conflict), "current_revision": conflict.current_revision},
                            status=status.HTTP_409_CONFLICT)
        return Response({"revision_number": submission.revision_number, "word_count": submission.word_count,
                         "saved": revision is not None})

    @extend_schema(summary="Submit the current stage", request=s.SubmitStageSerializer,
                   responses={200: s.StudentSubmissionSerializer, 400: OpenApiResponse(description="Refused"),
                              404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk):
        submission = self.as_writer(pk)
        data = validated(s.SubmitStageSerializer, request)
        with action_errors():
            submission = do_submit_stage(submission, reflection=data["reflection"], acting_user=request.user)
        return Response(s.StudentSubmissionSerializer(submission).data)

    @extend_schema(summary="Comment on a passage of one revision (teachers)", request=s.AddCommentSerializer,
                   responses={201: s.CommentSerializer, 400: OpenApiResponse(description="Invalid"),
                              404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def comments(self, request, pk):
        submission = self.as_teacher(pk)
        data = validated(s.AddCommentSerializer, request, submission=submission)
        with action_errors():
            comment = do_add_comment(submission, revision_number=data["revision_number"], start=data["start"],
                                     end=data["end"], body=data["body"], acting_user=request.user)
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Score one rubric criterion (teachers)", request=s.ScoreRubricSerializer,
                   responses={200: s.RubricScoreSerializer, 404: NOT_FOUND})
    @action(detail=True, methods=["post"], url_path="rubric-scores")
    def rubric_scores(self, request, pk):
        submission = self.as_teacher(pk)
        data = validated(s.ScoreRubricSerializer, request)
        if submission.assignment.rubric_id is None:
            raise Http404
        level = get_object_or_404(RubricLevel.objects.select_related("criterion"), pk=data["level"],
                                  criterion__rubric_id=submission.assignment.rubric_id)
        with action_errors():
            score = do_score_rubric(submission, level, comment=data["comment"], acting_user=request.user)
        return Response(s.RubricScoreSerializer(score).data)

    @extend_schema(summary="Grade, with an optional general comment (teachers)", request=s.GradeSerializer,
                   responses={200: s.TeacherSubmissionSerializer, 400: OpenApiResponse(description="Invalid"),
                              404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def grade(self, request, pk):
        submission = self.as_teacher(pk)
        data = validated(s.GradeSerializer, request)
        with action_errors():
            submission = do_grade_submission(submission, grade=data["grade"],
                                             general_comment=data.get("general_comment"), acting_user=request.user)
        return Response(s.TeacherSubmissionSerializer(submission).data)

    @extend_schema(summary="Release feedback and grade to the student (teachers)", request=None,
                   responses={200: s.TeacherSubmissionSerializer, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def release(self, request, pk):
        submission = do_release_feedback(self.as_teacher(pk), acting_user=request.user)
        return Response(s.TeacherSubmissionSerializer(submission).data)


# --- Peer review ----------------------------------------------------------------------------------


class PeerAllocationViewSet(BaseViewSet):
    """The drafts the signed-in student is to review (students only)."""

    serializer_class = s.AllocationSerializer
    queryset = PeerReviewAllocation.objects.none()

    def list(self, request):
        require_role(request.user, Role.STUDENT)
        return Response(self.get_serializer(allocations_for(request.user), many=True).data)

    @extend_schema(responses={200: s.AllocationDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request, pk):
        allocation = access_allocation_as_reviewer(request.user, pk)
        settings_row = allocation.assignment.peer_review
        allocation.draft_text = reviewed_text(allocation, settings_row)
        allocation.criteria = review_criteria(settings_row)
        allocation.own_review = PeerReview.objects.filter(allocation=allocation).first()
        return Response(s.AllocationDetailSerializer(allocation).data)

    @extend_schema(summary="Submit (or, while the window is open, change) the review",
                   request=s.SubmitPeerReviewSerializer,
                   responses={200: s.OwnReviewSerializer, 400: OpenApiResponse(description="Invalid or window closed"),
                              404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def review(self, request, pk):
        allocation = access_allocation_as_reviewer(request.user, pk)
        settings_row = allocation.assignment.peer_review
        data = validated(s.SubmitPeerReviewSerializer, request, questions=settings_row.guiding_questions,
                         criteria=review_criteria(settings_row))
        with action_errors():
            review = do_submit_peer_review(allocation, body=data["body"], answers=data["answers"],
                                           levels=data["levels"], acting_user=request.user)
        return Response(s.OwnReviewSerializer(review).data)


class ReceivedReviewViewSet(BaseViewSet):
    """Submitted, visible reviews of the signed-in student's work (students only)."""

    serializer_class = s.ReceivedReviewSerializer
    queryset = PeerReview.objects.none()

    def reviews(self):
        return visible_reviews_of(self.request.user).prefetch_related(
            Prefetch("rubric_levels", queryset=RubricLevel.objects.select_related("criterion")
                     .order_by("criterion__position", "criterion_id")))

    def labelled(self, pk):
        review = access_received_peer_review(self.request.user, pk)
        return label_reviewers([self.reviews().get(pk=review.pk)])[0]

    def list(self, request):
        require_role(request.user, Role.STUDENT)
        return Response(self.get_serializer(label_reviewers(list(self.reviews())), many=True).data)

    @extend_schema(responses={200: s.ReceivedReviewSerializer, 404: NOT_FOUND})
    def retrieve(self, request, pk):
        return Response(self.get_serializer(self.labelled(pk)).data)

    @extend_schema(summary="Rate the review's helpfulness, 1 to 5", request=s.RatePeerReviewSerializer,
                   responses={200: s.ReceivedReviewSerializer, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def rate(self, request, pk):
        review = access_received_peer_review(request.user, pk)
        data = validated(s.RatePeerReviewSerializer, request)
        with action_errors():
            do_rate_peer_review(review, data["helpfulness"], acting_user=request.user)
        return Response(self.get_serializer(self.labelled(pk)).data)


class TeacherPeerReviewViewSet(BaseViewSet):
    """One peer review in a teacher's course (teachers only)."""

    serializer_class = s.TeacherReviewSerializer
    queryset = PeerReview.objects.none()

    def retrieve(self, request, pk):
        return Response(self.get_serializer(access_peer_review_as_teacher(request.user, pk)).data)

    @extend_schema(summary="Hide an inappropriate review from its author", request=s.HidePeerReviewSerializer,
                   responses={200: s.TeacherReviewSerializer, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def hide(self, request, pk):
        review = access_peer_review_as_teacher(request.user, pk)
        data = validated(s.HidePeerReviewSerializer, request)
        review = do_hide_peer_review(review, reason=data["reason"], acting_user=request.user)
        return Response(self.get_serializer(review).data)


router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("courses", CourseViewSet, basename="api-course")
router.register("assignments", AssignmentViewSet, basename="api-assignment")
router.register("submissions", SubmissionViewSet, basename="api-submission")
router.register("peer-review/allocations", PeerAllocationViewSet, basename="api-peer-allocation")
router.register("peer-review/received", ReceivedReviewViewSet, basename="api-received-review")
router.register("peer-reviews", TeacherPeerReviewViewSet, basename="api-peer-review")

urlpatterns = [path("", include(router.urls))]

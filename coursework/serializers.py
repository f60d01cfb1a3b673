"""Shapes of the coursework API (coursework/api.py).

Output serializers read; input serializers only validate. Nothing here saves: the views pass
validated data to coursework/actions.py. Anonymity of peer review is decided here, so the
student-facing peer serializers never carry another student's id, name or email unless the
assignment's peer review is named.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coursework.models import (
    Assignment,
    Comment,
    Course,
    PeerReview,
    PeerReviewAllocation,
    RubricCriterion,
    RubricLevel,
    RubricScore,
    Stage,
    Submission,
)
from coursework.views_peer import window_state

# Same ceilings as the writing page's forms: about 50,000 words, and process figures per save.
MAX_TEXT_CHARS = 300_000
MAX_FIGURE = 1_000_000


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- Courses and assignments ---------------------------------------------------------------------


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "title", "term", "code"]


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "kind", "position", "due_at"]


class AssignmentSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "course", "title", "prompt", "instructions", "due_at", "late_policy",
                  "late_penalty_percent_per_day", "min_words", "max_words", "max_points", "allow_resubmission",
                  "peer_review_enabled", "stages"]


# --- Submissions ---------------------------------------------------------------------------------


class StudentSubmissionSerializer(serializers.ModelSerializer):
    """The student's own work; the grade and general comment only once feedback is released."""

    grade = serializers.SerializerMethodField()
    general_comment = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = ["id", "assignment", "status", "current_stage", "text", "revision_number", "word_count",
                  "started_at", "last_submitted_at", "submitted_late", "feedback_released_at", "grade",
                  "general_comment"]

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True))
    def get_grade(self, submission):
        return None if submission.grade is None or not submission.feedback_released else str(submission.grade)

    @extend_schema_field(OpenApiTypes.STR)
    def get_general_comment(self, submission):
        return submission.general_comment if submission.feedback_released else ""


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()


class TeacherSubmissionSerializer(serializers.ModelSerializer):
    student = PersonSerializer()

    class Meta:
        model = Submission
        fields = ["id", "assignment", "student", "status", "current_stage", "revision_number", "word_count",
                  "last_submitted_at", "submitted_late", "grade", "feedback_released_at"]


class CommentSerializer(serializers.ModelSerializer):
    revision_number = serializers.IntegerField(source="revision.number")

    class Meta:
        model = Comment
        fields = ["id", "revision_number", "anchor_start", "anchor_end", "quote", "body", "created_at"]


class RubricScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = RubricScore
        fields = ["id", "criterion", "level", "comment"]


class TeacherSubmissionDetailSerializer(TeacherSubmissionSerializer):
    comments = CommentSerializer(many=True, read_only=True)
    rubric_scores = RubricScoreSerializer(many=True, read_only=True)

    class Meta(TeacherSubmissionSerializer.Meta):
        fields = [*TeacherSubmissionSerializer.Meta.fields, "text", "general_comment", "comments", "rubric_scores"]


class ProcessSerializer(serializers.Serializer):
    """Writing-process figures for the interval since the editor's last confirmed save."""

    active_seconds = serializers.IntegerField(min_value=0, max_value=MAX_FIGURE, default=0)
    typed_chars = serializers.IntegerField(min_value=0, max_value=MAX_FIGURE, default=0)
    pasted_chars = serializers.IntegerField(min_value=0, max_value=MAX_FIGURE, default=0)
    paste_sizes = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=MAX_FIGURE),
                                        max_length=50, default=list)


class AutosaveSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=MAX_TEXT_CHARS)
    base_revision = serializers.IntegerField(min_value=0, help_text="The revision number the editor started from.")
    process = ProcessSerializer(required=False)


class AutosaveResultSerializer(serializers.Serializer):
    revision_number = serializers.IntegerField()
    word_count = serializers.IntegerField()
    saved = serializers.BooleanField(help_text="False when the text was already saved (no new revision).")


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_revision = serializers.IntegerField(help_text="Reload this revision before saving again.")


class SubmitStageSerializer(serializers.Serializer):
    reflection = serializers.CharField(allow_blank=True, max_length=5000, default="")


class AddCommentSerializer(serializers.Serializer):
    revision_number = serializers.IntegerField(min_value=1)
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    body = serializers.CharField(max_length=5000)

    def validate_revision_number(self, number):
        if number > self.context["submission"].revision_number:
            raise serializers.ValidationError("This submission has no such revision.")
        return number


class ScoreRubricSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="A level of the assignment's rubric.")
    comment = serializers.CharField(allow_blank=True, max_length=5000, default="")


class GradeSerializer(serializers.Serializer):
    grade = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    general_comment = serializers.CharField(allow_blank=True, max_length=20000, required=False)


# --- Peer review ---------------------------------------------------------------------------------


class RubricLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = RubricLevel
        fields = ["id", "title", "description", "points"]


class RubricCriterionSerializer(serializers.ModelSerializer):
    levels = RubricLevelSerializer(many=True, read_only=True)

    class Meta:
        model = RubricCriterion
        fields = ["id", "title", "description", "levels"]


class ChosenLevelSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.title")

    class Meta:
        model = RubricLevel
        fields = ["id", "criterion", "title"]


class AssignmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class AllocationSerializer(serializers.ModelSerializer):
    """One draft the student is to review. `author` is null when the review is anonymous."""

    assignment = AssignmentRefSerializer()
    author = serializers.SerializerMethodField()
    opens_at = serializers.DateTimeField(source="assignment.peer_review.opens_at")
    closes_at = serializers.DateTimeField(source="assignment.peer_review.closes_at")
    anonymous = serializers.BooleanField(source="assignment.peer_review.anonymous")
    window = serializers.SerializerMethodField()
    review_submitted_at = serializers.SerializerMethodField()

    class Meta:
        model = PeerReviewAllocation
        fields = ["id", "assignment", "author", "anonymous", "opens_at", "closes_at", "window",
                  "review_submitted_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, allocation):
        return None if allocation.assignment.peer_review.anonymous else allocation.submission.student.full_name

    @extend_schema_field(serializers.ChoiceField(choices=["not_open", "open", "closed"]))
    def get_window(self, allocation):
        return window_state(allocation.assignment.peer_review)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_review_submitted_at(self, allocation):
        review = getattr(allocation, "review", None)  # the reverse one-to-one raises AttributeError when absent
        return review.submitted_at if review else None


class OwnReviewSerializer(serializers.ModelSerializer):
    levels = serializers.PrimaryKeyRelatedField(source="rubric_levels", many=True, read_only=True)

    class Meta:
        model = PeerReview
        fields = ["id", "answers", "levels", "body", "submitted_at"]


class AllocationDetailSerializer(AllocationSerializer):
    """What the reviewer needs: the draft as submitted at the reviewed stage, and what to answer."""

    draft_text = serializers.CharField(allow_null=True)
    guiding_questions = serializers.ListField(child=serializers.CharField(),
                                              source="assignment.peer_review.guiding_questions")
    rubric = RubricCriterionSerializer(many=True, source="criteria")
    review = OwnReviewSerializer(allow_null=True, source="own_review")

    class Meta(AllocationSerializer.Meta):
        fields = [*AllocationSerializer.Meta.fields, "draft_text", "guiding_questions", "rubric", "review"]


class SubmitPeerReviewSerializer(serializers.Serializer):
    """Validated against the assignment's questions and rubric (context: questions, criteria)."""

    answers = serializers.ListField(child=serializers.CharField(max_length=5000), default=list,
                                    help_text="One answer per guiding question, in order.")
    levels = serializers.ListField(child=serializers.IntegerField(), default=list,
                                   help_text="One level id per criterion of the review rubric.")
    body = serializers.CharField(allow_blank=True, max_length=20000, default="")

    def validate_answers(self, answers):
        if len(answers) != len(self.context["questions"]):
            raise serializers.ValidationError(f"Answer each of the {len(self.context['questions'])} questions.")
        return answers

    def validate_levels(self, level_ids):
        criteria = self.context["criteria"]
        by_id = {level.pk: level for criterion in criteria for level in criterion.levels.all()}
        if any(level_id not in by_id for level_id in level_ids):
            raise serializers.ValidationError("Choose levels of this review's rubric.")
        chosen = [by_id[level_id] for level_id in level_ids]
        if sorted(level.criterion_id for level in chosen) != sorted(criterion.pk for criterion in criteria):
            raise serializers.ValidationError("Choose exactly one level for each criterion.")
        return chosen

    def validate(self, data):
        if not self.context["questions"] and not self.context["criteria"] and not data["body"].strip():
            raise serializers.ValidationError({"body": "Write your review."})
        return data


class ReceivedReviewSerializer(serializers.ModelSerializer):
    """A review of the student's own work. `reviewer` is "Reviewer n" when anonymous, else a name."""

    assignment = AssignmentRefSerializer(source="allocation.assignment")
    reviewer = serializers.CharField(source="reviewer_label")
    questions_and_answers = serializers.SerializerMethodField()
    levels = ChosenLevelSerializer(many=True, source="rubric_levels")

    class Meta:
        model = PeerReview
        fields = ["id", "assignment", "reviewer", "questions_and_answers", "levels", "body", "submitted_at",
                  "helpfulness"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField(child=serializers.CharField())))
    def get_questions_and_answers(self, review):
        questions = review.allocation.assignment.peer_review.guiding_questions
        return [{"question": q, "answer": a} for q, a in zip(questions, review.answers, strict=False)]


class RatePeerReviewSerializer(serializers.Serializer):
    helpfulness = serializers.IntegerField(min_value=1, max_value=5)


class TeacherReviewSerializer(serializers.ModelSerializer):
    levels = serializers.PrimaryKeyRelatedField(source="rubric_levels", many=True, read_only=True)

    class Meta:
        model = PeerReview
        fields = ["id", "answers", "levels", "body", "submitted_at", "hidden_at", "hidden_reason", "helpfulness"]


class TeacherAllocationSerializer(serializers.ModelSerializer):
    """Teachers always see who reviewed whom, anonymous or not."""

    reviewer = PersonSerializer()
    author = PersonSerializer(source="submission.student")
    review = serializers.SerializerMethodField()

    class Meta:
        model = PeerReviewAllocation
        fields = ["id", "reviewer", "author", "submission", "review"]

    @extend_schema_field(TeacherReviewSerializer(allow_null=True))
    def get_review(self, allocation):
        review = getattr(allocation, "review", None)
        return TeacherReviewSerializer(review).data if review else None


class ManualAllocationSerializer(serializers.Serializer):
    reviewer = serializers.IntegerField(help_text="A student enrolled in the course.")
    submission = serializers.IntegerField(help_text="A draft submitted at the reviewed stage.")


class AllocationResultSerializer(serializers.Serializer):
    allocated = serializers.IntegerField()


class HidePeerReviewSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)

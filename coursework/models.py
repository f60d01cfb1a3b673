"""Courses, writing assignments, students' work and its revisions, feedback, rubrics, peer review.

All of it lives in the institution's schema. State changes go through coursework/actions.py.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

User = settings.AUTH_USER_MODEL


class Course(models.Model):
    title = models.CharField(max_length=200)
    term = models.CharField(max_length=100, help_text="e.g. Autumn 2026")
    code = models.CharField(max_length=50, blank=True)
    teachers = models.ManyToManyField(User, related_name="taught_courses")
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "title"]

    def __str__(self):
        return f"{self.title} ({self.term})"

    @property
    def is_archived(self):
        return self.archived_at is not None


class Section(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="unique_section_name")]

    def __str__(self):
        return self.name


class Enrolment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolments")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "student"], name="unique_enrolment")]

    def __str__(self):
        return f"{self.student} in {self.course}"


class Rubric(models.Model):
    """Reusable across assignments in the institution."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class RubricCriterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class RubricLevel(models.Model):
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="levels")
    title = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    points = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["points", "pk"]

    def __str__(self):
        return f"{self.title} ({self.points})"


class Assignment(models.Model):
    class LatePolicy(models.TextChoices):
        ACCEPT = "accept", "Accept late work"
        PENALTY = "penalty", "Accept with a penalty per day late"
        REFUSE = "refuse", "Do not accept late work"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(max_length=200)
    prompt = models.TextField()
    instructions = models.TextField(blank=True)
    due_at = models.DateTimeField()
    late_policy = models.CharField(max_length=10, choices=LatePolicy.choices, default=LatePolicy.ACCEPT)
    late_penalty_percent_per_day = models.PositiveSmallIntegerField(default=0)
    min_words = models.PositiveIntegerField(null=True, blank=True)
    max_words = models.PositiveIntegerField(null=True, blank=True)
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments")
    max_points = models.DecimalField(max_digits=6, decimal_places=2, default=100)
    allow_resubmission = models.BooleanField(default=True)
    peer_review_enabled = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.published_at is not None and self.published_at <= timezone.now()


class Stage(models.Model):
    class Kind(models.TextChoices):
        BRAINSTORM = "brainstorm", "Brainstorm"
        OUTLINE = "outline", "Outline"
        DRAFT = "draft", "Draft"
        REVISION = "revision", "Revision"
        FINAL = "final", "Final"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    position = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["assignment", "kind"], name="unique_stage_kind")]

    def __str__(self):
        return self.get_kind_display()


class PeerReviewSettings(models.Model):
    class Allocation(models.TextChoices):
        RANDOM = "random", "Random (balanced, never self)"
        MANUAL = "manual", "Chosen by the teacher"

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="peer_review")
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="+", help_text="Drafts submitted at this stage are reviewed."
    )
    reviewers_per_submission = models.PositiveSmallIntegerField(default=2)
    allocation = models.CharField(max_length=10, choices=Allocation.choices, default=Allocation.RANDOM)
    anonymous = models.BooleanField(default=True)
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    guiding_questions = models.JSONField(default=list, blank=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()

    def __str__(self):
        return f"Peer review of {self.assignment}"


class Submission(models.Model):
    """One student's work on one assignment: its current text and where it stands."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        DRAFTING = "drafting", "Drafting"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Feedback released"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="submissions")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED, db_index=True)
    current_stage = models.ForeignKey(Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField(blank=True)
    revision_number = models.PositiveIntegerField(default=0, help_text="Bumped by every save (optimistic lock).")
    word_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_late = models.BooleanField(default=False)
    grade = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    general_comment = models.TextField(blank=True)
    feedback_released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "student"], name="unique_submission")]

    def __str__(self):
        return f"{self.student} — {self.assignment}"

    @property
    def feedback_released(self):
        return self.feedback_released_at is not None


class Revision(models.Model):
    """Every save. Stored as a splice of the previous revision, with periodic full keyframes.

    See coursework/revisions.py for the encoding and docs/architecture.md for its cost in bytes.
    The writing-process figures of the interval since the previous save are a ProcessEvent beside it.
    """

    # No index of its own: unique(submission, number) below serves every lookup by submission, and
    # each index is one more write on the autosave hot path.
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="revisions", db_index=False)
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    keyframe = models.BooleanField(default=False)
    # Keyframe: the full text, zlib-compressed. Otherwise: new = old[:prefix] + inserted + old[len(old)-suffix:]
    data = models.BinaryField()
    prefix = models.PositiveIntegerField(default=0)
    suffix = models.PositiveIntegerField(default=0)
    word_count = models.PositiveIntegerField(default=0)
    length = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["submission", "number"], name="unique_revision_number")]

    def __str__(self):
        return f"Revision {self.number}"


class ProcessEvent(models.Model):
    """The writing-process figures of one save: active time, characters typed and pasted, paste sizes.

    One row per save that had any (no per-keystroke rows), in a narrow table of its own rather than
    columns of Revision: these figures have a shorter retention period than the text history, and the
    nightly retention pass deletes them here in batches (narrow rows, no row rewritten; ~4x faster
    than clearing the columns of wide revision rows, see privacy/retention.py).
    """

    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, related_name="process")
    # The revision's time, copied so retention finds old rows without a join.
    created_at = models.DateTimeField()
    active_seconds = models.PositiveIntegerField(default=0)
    typed_chars = models.PositiveIntegerField(default=0)
    pasted_chars = models.PositiveIntegerField(default=0)
    paste_sizes = models.JSONField(default=list, blank=True)

    def __str__(self):
        return f"Writing process of revision {self.revision_id}"


class StageSubmission(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="stage_submissions")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="stage_submissions")
    # RESTRICT, not PROTECT: a revision that was submitted cannot be deleted alone, but deleting the
    # whole submission (erasure, retention, a course) removes both.
    revision = models.ForeignKey(Revision, on_delete=models.RESTRICT, related_name="+")
    reflection = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    is_late = models.BooleanField(default=False)
    attempt = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["submitted_at"]

    def __str__(self):
        return f"{self.stage} submitted"


class Comment(models.Model):
    """Teacher feedback anchored to a passage of one specific revision (or general when unanchored)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    anchor_start = models.PositiveIntegerField()
    anchor_end = models.PositiveIntegerField()
    quote = models.TextField()
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["anchor_start", "pk"]

    def __str__(self):
        return f"Comment on “{self.quote[:40]}”"


class RubricScore(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="rubric_scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey(RubricLevel, on_delete=models.CASCADE, related_name="+")
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "criterion"], name="unique_rubric_score")]

    def __str__(self):
        return f"{self.criterion_id}: {self.level_id}"


class PeerReviewAllocation(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="peer_allocations")
    reviewer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="peer_allocations")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="peer_allocations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reviewer", "submission"], name="unique_peer_allocation")]

    def __str__(self):
        return f"Review of submission {self.submission_id} by {self.reviewer_id}"


class PeerReview(models.Model):
    allocation = models.OneToOneField(PeerReviewAllocation, on_delete=models.CASCADE, related_name="review")
    answers = models.JSONField(default=list, blank=True, help_text="Answers to the guiding questions, in order.")
    rubric_levels = models.ManyToManyField(RubricLevel, blank=True, related_name="+")
    body = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)
    helpfulness = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1-5, rated by the author.")

    def __str__(self):
        return f"Peer review {self.pk}"

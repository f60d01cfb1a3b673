"""Academic-integrity signals: plain observations about how a piece of work was written, and
similarity with the institution's other submissions.

Nothing here is a verdict. An Observation states a fact with its evidence (which revision, which
paste, which passage); whether it matters is the teacher's judgement, and the student sees the
same observations about their own work. State changes go through integrity/actions.py.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone

from coursework.models import Submission


class IntegrityJob(models.Model):
    """One check of one submitted revision (idempotent: one row per submission and revision)."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    MAX_ATTEMPTS = 3

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="integrity_jobs")
    revision_number = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text="Job time, for the benchmark and operators.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "revision_number"], name="unique_integrity_job")]

    def __str__(self):
        return f"Integrity check of submission {self.submission_id} r{self.revision_number}"


class Signature(models.Model):
    """A submission's MinHash signature and its LSH band keys (integrity/similarity.py).

    `minhash` is NUM_PERM uint32 values as bytes (512 B); `bands` the band keys as signed 64-bit
    integers, GIN-indexed, so candidates for a new text are one indexed `&&` query."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="signature",
                                      primary_key=True)
    revision_number = models.PositiveIntegerField()
    minhash = models.BinaryField()
    bands = ArrayField(models.BigIntegerField())
    shingles = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [GinIndex(fields=["bands"], name="integrity_signature_bands")]

    def __str__(self):
        return f"Signature of submission {self.submission_id}"


class SimilarityMatch(models.Model):
    """`submission` (at `revision_number`) shares passages with `other` (at `other_revision_number`).

    Passages are stored as character offsets into both texts at those revisions, never as copied
    text: [[a_start, a_end, b_start, b_end], ...]."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="similarity_matches")
    other = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    revision_number = models.PositiveIntegerField()
    other_revision_number = models.PositiveIntegerField()
    estimated_jaccard = models.FloatField()
    matched_words = models.PositiveIntegerField()
    share = models.FloatField(help_text="Share of this submission's words inside matched passages.")
    passages = models.JSONField(default=list)
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-share", "pk"]
        constraints = [models.UniqueConstraint(fields=["submission", "other"], name="unique_similarity_pair")]

    def __str__(self):
        return f"Submission {self.submission_id} ~ {self.other_id}"


class Observation(models.Model):
    class Kind(models.TextChoices):
        PACE = "pace", "Writing time and length"
        PASTE = "paste", "Pasted text"
        REVISIONS = "revisions", "Revisions over time"
        COHORT = "cohort", "Compared with the class"
        SIMILARITY = "similarity", "Similar to another submission"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="observations")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    notable = models.BooleanField(default=False, help_text="Worth the teacher's look (alerts on the dashboard).")
    text = models.CharField(max_length=500)
    # [{"label": ..., "revision": n, "compare": n-1 | None, "match": id | None}]: links, never a score.
    evidence = models.JSONField(default=list, blank=True)
    revision_number = models.PositiveIntegerField(help_text="The revision the observation was made on.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-notable", "kind", "pk"]
        indexes = [models.Index(fields=["submission", "notable"], name="integrity_obs_notable")]

    def __str__(self):
        return self.text

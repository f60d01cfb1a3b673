"""The integrity check of one submitted revision: signature, similar work, observations.

Design note
- Idempotent and guarded by its job row (IntegrityJob, one per submission and revision): a
  redelivered task finds the row DONE and returns; two copies serialise on the row lock; a task
  that keeps killing its worker stops after MAX_ATTEMPTS. Everything the check writes is replaced,
  not appended (signature upserted, this submission's matches and observations deleted and made
  again), so running it twice gives the same rows.
- The dashboard caches its cards per course (coursework/freshness.py): observations are new
  dashboard content, so the check drops the tokens of every course it touched.
- Judgements (observations, matches) are audited (integrity/apps.py); the actor is the system
  (no person decided them), which the audit log shows as no actor.
"""

import logging
import time

from django.db import transaction
from django.utils import timezone

from coursework import freshness
from coursework.actions import revision_text
from coursework.models import Submission
from integrity import process, similarity
from integrity.models import IntegrityJob, Observation, Signature, SimilarityMatch

log = logging.getLogger(__name__)

NOTABLE_SHARE = 0.2  # a fifth of the words in passages found elsewhere
NOTABLE_WORDS = 50


def text_at(submission, number):
    return submission.text if number == submission.revision_number else revision_text(submission, number)


def run(job_id):
    started = time.perf_counter()
    with transaction.atomic():
        job = IntegrityJob.objects.select_for_update().get(pk=job_id)
        if job.state in (IntegrityJob.State.DONE, IntegrityJob.State.FAILED):
            return job.state
        if job.attempts >= IntegrityJob.MAX_ATTEMPTS:
            job.state, job.error = IntegrityJob.State.FAILED, f"Gave up after {job.attempts} attempts."
            job.save(update_fields=["state", "error"])
            return job.state
        job.attempts += 1
        job.state = IntegrityJob.State.RUNNING
        job.save(update_fields=["attempts", "state"])
    try:
        with transaction.atomic():
            job = IntegrityJob.objects.select_for_update().get(pk=job_id)
            if job.state == IntegrityJob.State.DONE:  # a second copy finished while we waited
                return job.state
            courses = check(job.submission_id, job.revision_number)
            job.state, job.finished_at = IntegrityJob.State.DONE, timezone.now()
            job.seconds = time.perf_counter() - started
            job.save(update_fields=["state", "finished_at", "seconds"])
            freshness.forget_courses(courses)
    except Exception as error:
        log.exception("Integrity check %s failed", job_id)
        IntegrityJob.objects.filter(pk=job_id).update(error=f"{type(error).__name__}: {error}"[:300])
        raise
    return IntegrityJob.State.DONE


def check(submission_id, number):
    """Do the check; returns the ids of the courses whose dashboards it changed."""
    submission = Submission.objects.select_related("assignment").get(pk=submission_id)
    text = text_at(submission, number)
    values, count = similarity.signature(text)
    bands = similarity.band_keys(values)
    Signature.objects.update_or_create(submission=submission, defaults={
        "revision_number": number, "minhash": similarity.to_bytes(values), "bands": bands, "shingles": count,
        "computed_at": timezone.now()})
    matches = find_matches(submission, number, text, values, bands)
    touched = {submission.assignment.course_id}
    touched |= set(Submission.objects.filter(pk__in=[m.other_id for m in matches])
                   .values_list("assignment__course_id", flat=True))
    observe(submission, number, matches)
    for match in matches:  # the earlier work now shares passages with this one: say so there too
        other = Submission.objects.get(pk=match.other_id)
        _replace_similarity_observations(other, other.signature.revision_number)
    return touched


def find_matches(submission, number, text, values, bands):
    """Candidates by LSH (one indexed query), ranked by estimated Jaccard, then exact passages."""
    candidates = (Signature.objects.filter(bands__overlap=bands).exclude(submission_id=submission.pk)
                  .exclude(submission__student_id=submission.student_id)
                  .values_list("submission_id", "revision_number", "minhash"))
    ranked = sorted(((similarity.estimated_jaccard(values, similarity.from_bytes(data)), pk, rev)
                     for pk, rev, data in candidates), reverse=True)
    ranked = [item for item in ranked if item[0] >= similarity.ESTIMATE_FLOOR][:similarity.MAX_EXACT]
    others = Submission.objects.in_bulk([pk for _, pk, _ in ranked])
    SimilarityMatch.objects.filter(submission=submission).delete()
    made = []
    words = len(similarity.Tokens.of(text).words) or 1
    for estimate, pk, rev in ranked:
        other = others[pk]
        other_text = text_at(other, rev)
        found, covered = similarity.passages(text, other_text)
        if not found:
            continue
        made.append(SimilarityMatch.objects.create(
            submission=submission, other=other, revision_number=number, other_revision_number=rev,
            estimated_jaccard=estimate, matched_words=covered, share=covered / words, passages=found))
        reverse, reverse_covered = similarity.passages(other_text, text)
        other_words = len(similarity.Tokens.of(other_text).words) or 1
        SimilarityMatch.objects.filter(submission=other, other=submission).delete()
        SimilarityMatch.objects.create(
            submission=other, other=submission, revision_number=rev, other_revision_number=number,
            estimated_jaccard=estimate, matched_words=reverse_covered, share=reverse_covered / other_words,
            passages=reverse)
    return made


def observe(submission, number, matches):
    Observation.objects.filter(submission=submission).delete()
    for found in process.observe(submission, number):
        Observation.objects.create(submission=submission, kind=found.kind, text=found.text[:500],
                                   notable=found.notable, evidence=found.evidence, revision_number=number)
    _create_similarity_observations(submission, number, matches)


def _replace_similarity_observations(submission, number):
    Observation.objects.filter(submission=submission, kind=Observation.Kind.SIMILARITY).delete()
    _create_similarity_observations(submission, number, list(submission.similarity_matches.all()))


def _create_similarity_observations(submission, number, matches):
    for match in matches:
        notable = match.share >= NOTABLE_SHARE or match.matched_words >= NOTABLE_WORDS
        Observation.objects.create(
            submission=submission, kind=Observation.Kind.SIMILARITY, notable=notable, revision_number=number,
            text=(f"{match.matched_words} words ({match.share:.0%} of this text) are in "
                  f"{len(match.passages)} passage{'s' * (len(match.passages) != 1)} also found in another "
                  f"submission in the institution."),
            evidence=[{"label": "Matched passages side by side", "match": match.pk}])

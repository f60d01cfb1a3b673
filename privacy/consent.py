"""Consent checks, used where the data is used: at request time and inside Celery jobs.

Design note
- `has_consent(person, purpose)` is the one question features ask. It reads the database every
  time (one indexed query): a cached answer would let a withdrawn consent keep working for a while.
  Pages that check many people at once use `people_without(purpose, ids)` (one query).
- "Not answered" follows the purpose's default below. AI assistance, analytics and research are
  opt-in (GDPR Art. 6(1)(a): consent must be given). Showing work to classmates in peer review is
  part of teaching (public task), so it is on unless the person (or guardian) declines it: an
  objection the product honours immediately (GDPR Art. 21).
- Queued work: a task that depends on a purpose is decorated with `@requires_consent(purpose)`
  and checks again when it runs, so a withdrawal made after the task was queued stops it.
- Adding a purpose: add it to privacy.models.Purpose and DEFAULTS here, say on the privacy page
  what it means, and call has_consent where the feature uses the data.
"""

import functools
import logging

from privacy.models import Consent, Purpose

log = logging.getLogger(__name__)

DEFAULTS = {
    Purpose.AI_ASSISTANCE: False,
    Purpose.ANALYTICS: False,
    Purpose.RESEARCH: False,
    Purpose.PEER_SHOWING: True,
}


def has_consent(person, purpose):
    person_id = getattr(person, "pk", person)
    answer = Consent.objects.filter(subject_id=person_id, purpose=purpose).values_list("answer", flat=True).first()
    if answer is None:
        return DEFAULTS[Purpose(purpose)]
    return answer == Consent.Answer.ACCEPTED


def people_without(purpose, person_ids):
    """Of `person_ids`, those who may not be included for `purpose` (one query)."""
    person_ids = set(person_ids)
    if DEFAULTS[Purpose(purpose)]:
        return set(Consent.objects.filter(subject_id__in=person_ids, purpose=purpose,
                                          answer=Consent.Answer.DECLINED).values_list("subject_id", flat=True))
    accepted = set(Consent.objects.filter(subject_id__in=person_ids, purpose=purpose,
                                          answer=Consent.Answer.ACCEPTED).values_list("subject_id", flat=True))
    return person_ids - accepted


def consent_filter(person_ref, purpose):
    """A queryset condition: rows whose person (the lookup `person_ref`, e.g. "submission__student")
    may be included for `purpose`. One correlated EXISTS, so list pages keep their query count."""
    from django.db.models import Exists, OuterRef

    if DEFAULTS[Purpose(purpose)]:
        return ~Exists(Consent.objects.filter(subject=OuterRef(person_ref), purpose=purpose,
                                              answer=Consent.Answer.DECLINED))
    return Exists(Consent.objects.filter(subject=OuterRef(person_ref), purpose=purpose,
                                         answer=Consent.Answer.ACCEPTED))


def answers_for(person):
    """{purpose: "accepted" | "declined" | ""} for the privacy page ("" = not answered)."""
    stored = dict(Consent.objects.filter(subject=person).values_list("purpose", "answer"))
    return {purpose: stored.get(purpose.value, "") for purpose in Purpose}


def requires_consent(purpose, *, person_arg="person_id"):
    """For Celery task bodies: skip (and say so) when the person's consent is missing at run time."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            person_id = kwargs.get(person_arg, args[0] if args else None)
            if not has_consent(person_id, purpose):
                log.info("Skipped %s: no consent for %s", func.__name__, purpose)
                return "skipped: no consent"
            return func(*args, **kwargs)

        return wrapper

    return decorator

"""Observations from the writing-process figures already recorded with each revision.

Revision rows carry word_count and created_at, and their ProcessEvent (when the save had any)
active_seconds, typed_chars, pasted_chars and paste_sizes (coursework/actions.py
`_save_locked_draft`); nothing here reads text. Once retention has deleted old process events,
those revisions count as no time and no typing. Each observation
is a plain sentence with its evidence (links to the revision, and to the change from the revision
before), and a `notable` flag that decides only whether the teacher's dashboard lists it. There is
no score: a fast writer, a student who drafts elsewhere and pastes, or a short piece written in one
go all look "notable" here, and the wording says what was seen, not what it means.

The thresholds below are deliberately simple so they can be explained on the page
(docs/writing-support.md lists them).
"""

import statistics
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce

from coursework.models import Revision, Submission

FAST_WORDS_PER_MINUTE = 40  # composing (not copying) essays runs far below this
PASTE_SHARE = 0.5  # half of what was entered came from the clipboard
PASTE_FLOOR = 500  # characters; quoting a source is normal
LARGE_PASTE = 1000  # characters (~170 words) in one paste
FEW_REVISIONS_WORDS = 300  # this many words arriving in one or two saves
SESSION_GAP = timedelta(minutes=30)
COHORT_MIN = 5  # other submissions needed before comparing with the class
COHORT_FACTOR = 3  # "far above" the class: over 3x the median and above the absolute floor


@dataclass
class Found:
    kind: str
    text: str
    notable: bool = False
    evidence: list = field(default_factory=list)


def _link(label, number):
    return {"label": label, "revision": number, "compare": number - 1 if number > 1 else None}


def observe(submission, upto):
    """Observations about `submission` from its revisions 1..`upto` (2 queries: its revisions, the cohort)."""
    rows = list(Revision.objects.filter(submission=submission, number__lte=upto).order_by("number").values(
        "number", "created_at", "word_count", active_seconds=Coalesce("process__active_seconds", 0),
        typed_chars=Coalesce("process__typed_chars", 0), pasted_chars=Coalesce("process__pasted_chars", 0),
        paste_sizes=F("process__paste_sizes")))
    if not rows:
        return []
    found = []
    words = rows[-1]["word_count"]
    active = sum(r["active_seconds"] for r in rows)
    typed = sum(r["typed_chars"] for r in rows)
    pasted = sum(r["pasted_chars"] for r in rows)
    minutes = active / 60

    # Pace: active writing time against length.
    if active:
        pace = words / minutes if minutes else 0
        found.append(Found("pace", f"{words} words with {_minutes(active)} of active writing "
                                   f"({pace:.0f} words per active minute).",
                           notable=words >= 150 and pace > FAST_WORDS_PER_MINUTE))
    elif words >= 100:
        found.append(Found("pace", f"{words} words, but no active writing time was recorded in the editor.",
                           notable=True))

    # Pasted text: its share and the largest pastes, each with its revision.
    if pasted:
        share = pasted / (typed + pasted)
        pastes = sorted(((size, r["number"]) for r in rows for size in (r["paste_sizes"] or [])), reverse=True)[:3]
        largest = pastes[0][0] if pastes else 0
        text = f"{share:.0%} of the characters entered were pasted ({pasted:,} pasted, {typed:,} typed)."
        if pastes:
            text += f" The largest paste was {largest:,} characters, in revision {pastes[0][1]}."
        found.append(Found("paste", text, notable=(share >= PASTE_SHARE and pasted >= PASTE_FLOOR)
                           or largest >= LARGE_PASTE,
                           evidence=[_link(f"Paste of {size:,} characters (revision {n})", n) for size, n in pastes]))

    # Revisions over time: how many, in how many sittings, and where most of the text arrived.
    gaps = [b["created_at"] - a["created_at"] for a, b in zip(rows, rows[1:], strict=False)]
    sessions = 1 + sum(1 for gap in gaps if gap > SESSION_GAP)
    span = rows[-1]["created_at"] - rows[0]["created_at"]
    jumps = [(r["word_count"] - (rows[i - 1]["word_count"] if i else 0), r["number"]) for i, r in enumerate(rows)]
    jump, jump_at = max(jumps)
    text = (f"{len(rows)} revision{'s' * (len(rows) != 1)} in {sessions} sitting{'s' * (sessions != 1)}"
            f" over {_span(span)}.")
    evidence = []
    if jump > 0 and words:
        text += f" Revision {jump_at} added {jump} words ({jump / max(words, 1):.0%} of the final length)."
        evidence.append(_link(f"Revision {jump_at}: +{jump} words", jump_at))
    found.append(Found("revisions", text, notable=words >= FEW_REVISIONS_WORDS and len(rows) <= 2,
                       evidence=evidence))

    found.extend(_cohort(submission, words, active, typed, pasted))
    return found


def _cohort(submission, words, active, typed, pasted):
    """How this work compares with the same assignment's other work (one aggregate query)."""
    others = list(Submission.objects.filter(assignment_id=submission.assignment_id, revision_number__gt=0)
                  .exclude(pk=submission.pk)
                  .annotate(active=Sum("revisions__process__active_seconds"),
                            typed=Sum("revisions__process__typed_chars"),
                            pasted=Sum("revisions__process__pasted_chars"), saves=Count("revisions"))
                  .values_list("word_count", "active", "typed", "pasted"))
    if len(others) < COHORT_MIN:
        return []
    found = []
    share = pasted / (typed + pasted) if typed + pasted else 0
    shares = [p / (t + p) if (t or 0) + (p or 0) else 0 for _, _, t, p in others]
    median_share = statistics.median(shares)
    if share >= 0.3 and share > COHORT_FACTOR * max(median_share, 0.02):
        found.append(Found("cohort", f"Pasted share {share:.0%}, against a median of {median_share:.0%} "
                                     f"for the other {len(others)} submissions of this assignment.", notable=True))
    paces = [w / (a / 60) for w, a, _, _ in others if a]
    if active and paces and words >= 150:
        pace, median_pace = words / (active / 60), statistics.median(paces)
        if pace > FAST_WORDS_PER_MINUTE and pace > COHORT_FACTOR * median_pace:
            found.append(Found("cohort", f"{pace:.0f} words per active minute, against a median of "
                                         f"{median_pace:.0f} for the other {len(others)} submissions.", notable=True))
    return found


def _minutes(seconds):
    minutes = round(seconds / 60)
    if minutes < 1:
        return f"{seconds} seconds"
    return f"{minutes} minute{'s' * (minutes != 1)}"


def _span(delta):
    if delta < timedelta(hours=1):
        return _minutes(int(delta.total_seconds()))
    if delta < timedelta(days=2):
        hours = round(delta.total_seconds() / 3600)
        return f"{hours} hour{'s' * (hours != 1)}"
    return f"{delta.days} days"

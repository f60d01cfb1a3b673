"""Demo integrity signals for `seed_demo`: a seventh assignment (a community-service essay, published
two days ago, outline due in four days) with a pasted essay and a copied submission among a few
steadily typed outlines, then every queued check run in-process.

- student07 pastes a whole essay in one go (one large paste, little active time): paste, pace and
  revision observations with the revision as evidence.
- student08 types up student07's essay with a new opening: a similarity match (passages side by
  side for teacher1) and observations on both.
- student10-student15 type their own outlines over several sittings: the class they are compared with.
Made through the actions, with coursework.demo's clock, so the dates are coherent. The checks queued
by every seeded submission are run here (idempotent: the worker later finds them done).
"""

import random
from datetime import timedelta

from django.utils import timezone

from coursework.actions import (
    do_create_assignment,
    do_publish_assignment,
    do_save_draft,
    do_submit_stage,
    get_or_start_submission,
)
from coursework.demo import backdate, demo_clock
from coursework.models import Stage
from integrity import checks
from integrity.models import IntegrityJob

TITLE = "Service essay: should community service count toward graduation?"
PASTED = (
    "Requiring forty hours of community service to graduate would make our school stronger and our town "
    "better. Service teaches lessons that a classroom cannot: how to show up for people you do not know, how "
    "to work with adults as equals, and how much one afternoon of help can matter to someone.\n\n"
    "First, service builds habits. A student who spends a Saturday sorting food at the pantry learns that "
    "hunger is not a statistic but a neighbour. Habits formed at sixteen tend to last, and a requirement "
    "gives every student the push to start, not only the ones whose families already volunteer.\n\n"
    "Second, service connects school to the world of work. Volunteers answer phones, plan events and solve "
    "problems with real consequences. These are the skills employers say graduates lack, and forty hours is "
    "a small price for them.\n\n"
    "Critics say that forced volunteering is not volunteering at all, and that students with jobs or family "
    "duties cannot spare the time. These worries are fair, which is why the hours should be flexible, spread "
    "over four years, and include caring for relatives. A requirement with room to breathe is still a "
    "requirement worth having.\n\n"
    "In the end, a diploma should say that a student is ready to be part of a community. Forty hours of "
    "service is how we make that promise true."
)
COPIED = "I believe service should be part of every diploma. " + PASTED.split("\n\n", 1)[1]
OUTLINE = ("Claim: {side}. Reason one: {a}. Reason two: {b}. Reason three: {c}. Strongest objection: {o}, and my "
           "answer to it. I still need evidence for the second reason.")


def _save(submission, student, text, *, at, **process):
    with demo_clock(at):
        submission, revision = do_save_draft(submission, text, base_revision=submission.revision_number,
                                             acting_user=student, process=process)
    backdate(revision, at)
    return submission


def _submit(submission, student, at):
    with demo_clock(at):
        return do_submit_stage(submission, acting_user=student)


def ensure_demo_integrity(course, teacher, students, *, seed):
    rng = random.Random(f"integrity-{seed}")
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with demo_clock(midnight - timedelta(days=2) + timedelta(hours=8)):
        assignment = do_create_assignment(
            course, title=TITLE, prompt="Should 40 hours of community service count toward graduation? Argue it.",
            due_at=midnight + timedelta(days=14, hours=17), min_words=300, max_words=1200, acting_user=teacher,
            stages=[(Stage.Kind.OUTLINE, midnight + timedelta(days=4, hours=17)),
                    (Stage.Kind.FINAL, midnight + timedelta(days=14, hours=17))])
        do_publish_assignment(assignment, acting_user=teacher)
    by_number = {int(s.email.split("@")[0].removeprefix("student")): s for s in students}
    # Everything happens between the assignment's publication (two days ago, 08:00) and 15 hours later.
    start = assignment.published_at
    at = start + timedelta(hours=12)
    # The pasted essay: a title typed, then everything at once.
    pasted_by = by_number[7]
    work = get_or_start_submission(assignment, pasted_by)
    work = _save(work, pasted_by, "Community service", at=at, active_seconds=25, typed_chars=17)
    work = _save(work, pasted_by, "Community service\n\n" + PASTED, at=at + timedelta(minutes=2), active_seconds=35,
                 typed_chars=0, pasted_chars=len(PASTED), paste_sizes=[len(PASTED)])
    _submit(work, pasted_by, at + timedelta(minutes=3))
    # Steady outlines from the rest of the class.
    sides = ["service should be required", "service should stay voluntary"]
    for number in range(10, 16):
        student = by_number[number]
        text = OUTLINE.format(side=rng.choice(sides), a=rng.choice(["it builds habits", "it helps the town"]),
                              b=rng.choice(["it teaches work skills", "it looks good to colleges"]),
                              c=rng.choice(["it connects generations", "it is fair to all"]),
                              o=rng.choice(["students with jobs lack time", "forced help is not real help"]))
        work = get_or_start_submission(assignment, student)
        started = start + timedelta(minutes=rng.randint(30, 90))
        for step, cut in enumerate((0.4, 0.75, 1.0)):
            part = text[: int(len(text) * cut)]
            work = _save(work, student, part, at=started + timedelta(hours=4 * step),
                         active_seconds=rng.randint(200, 500),
                         typed_chars=len(part) - len(work.text) + rng.randint(3, 40))
        _submit(work, student, started + timedelta(hours=8, minutes=30))
    # The copy, typed in two sittings.
    copier = by_number[8]
    work = get_or_start_submission(assignment, copier)
    half = COPIED[: len(COPIED) // 2]
    work = _save(work, copier, half, at=at + timedelta(hours=2), active_seconds=900, typed_chars=len(half))
    work = _save(work, copier, COPIED, at=at + timedelta(hours=5), active_seconds=1100,
                 typed_chars=len(COPIED) - len(half))
    _submit(work, copier, at + timedelta(hours=5, minutes=5))
    return run_queued()


def run_queued():
    """Run every queued check of this institution now (in submission order, so copies follow originals)."""
    done = 0
    for job_id in IntegrityJob.objects.filter(state=IntegrityJob.State.QUEUED).order_by("pk").values_list("pk",
                                                                                                        flat=True):
        checks.run(job_id)
        done += 1
    return done

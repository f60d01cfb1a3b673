"""Read side: the assistant panel on the writing page and the exchange log (student and teacher)."""

from dataclasses import dataclass

from assist import actions, gate
from assist.models import AssistPolicy, Category, Exchange, StageAssist, Unlock
from privacy.consent import has_consent
from privacy.models import Purpose

LOG_SHOWN = 20


def teacher_log(submission):
    """The latest exchanges on this submission, everything included (one query)."""
    return list(Exchange.objects.filter(submission=submission).select_related("stage")[:LOG_SHOWN])


@dataclass
class Panel:
    consent: bool
    enabled: bool
    stage: object
    allowed: list  # (value, label)
    unlocked: bool
    last_reflection: object
    exchanges: list
    rules: list


def panel(submission):
    stage = actions._stage(submission)
    consent = has_consent(submission.student_id, Purpose.AI_ASSISTANCE)
    if not consent:
        return Panel(False, False, stage, [], False, None, [], gate.RULES)
    policy = AssistPolicy.current()
    stage_assist = StageAssist.objects.filter(stage=stage).first()
    allowed = actions.allowed_at(stage, policy, stage_assist) if stage else []
    last = Unlock.objects.filter(submission=submission, stage=stage).first()
    unlocked = Unlock.objects.filter(submission=submission, stage=stage, accepted=True).exists()
    exchanges = list(Exchange.objects.filter(submission=submission).select_related("stage")[:LOG_SHOWN])
    return Panel(True, bool(allowed), stage, [(c, Category(c).label) for c in allowed], unlocked, last, exchanges,
                 gate.RULES)

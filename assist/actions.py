"""Every change to the writing assistant goes through here (pages, admin, seeding, tasks).

The order of checks when a student asks for help (do_request_help), each refusal in plain words:
consent for AI assistance → the institution's ceiling and the teacher's choice for this stage →
the reflection gate at this stage → redaction → the provider → the output boundary → the log.
A local provider answers at once (nothing leaves, milliseconds); a remote one is asked from
Celery (`answer_exchange`, which checks consent again when it runs) so no web worker waits on it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assist import boundary, gate, providers
from assist.models import AssistPolicy, Category, Exchange, StageAssist, Unlock
from assist.redaction import Redactor
from assist.sealing import seal
from privacy.consent import has_consent
from privacy.models import Purpose
from scribetree.audit import acting_as
from scribetree.celery import send_after_commit

MAX_TEXT = 20_000  # characters sent per request: an essay, not a book


class AssistRefused(ValidationError):
    pass


# --- The institution's ceiling and the teacher's settings --------------------------------------------

@transaction.atomic
def do_update_policy(*, enabled, allowed, provider, base_url="", model="", redact_terms="", api_key=None,
                     clear_key=False, acting_user):
    """api_key None keeps the sealed key; a value replaces it; clear_key removes it."""
    policy = AssistPolicy.objects.select_for_update().order_by("pk").first() or AssistPolicy()
    with acting_as(acting_user):
        policy.enabled, policy.provider = enabled, provider
        policy.allowed = [c.value for c in Category if c.value in set(allowed)]
        policy.base_url, policy.model, policy.redact_terms = base_url.strip(), model.strip(), redact_terms
        if clear_key:
            policy.sealed_api_key = b""
        elif api_key:
            policy.sealed_api_key = seal(api_key.strip())
        if policy.provider == AssistPolicy.Provider.OPENAI and not policy.base_url:
            raise ValidationError({"base_url": "An OpenAI-compatible provider needs its base URL."})
        policy.save()
        # Stages that allowed more than the new ceiling are cut back to it.
        for stage_assist in StageAssist.objects.all():
            kept = [c for c in stage_assist.allowed if c in policy.allowed]
            if kept != stage_assist.allowed:
                stage_assist.allowed = kept
                stage_assist.save(update_fields=["allowed"])
    return policy


@transaction.atomic
def do_set_stage_assist(stage, allowed, *, acting_user):
    ceiling = set(AssistPolicy.current().allowed)
    beyond = set(allowed) - ceiling
    if beyond:
        raise AssistRefused("Your institution does not allow: " + ", ".join(Category(c).label for c in sorted(beyond)))
    with acting_as(acting_user):
        settings, _ = StageAssist.objects.get_or_create(stage=stage)
        settings.allowed = [c.value for c in Category if c.value in set(allowed)]
        settings.save()
    return settings


def allowed_at(stage, policy=None, stage_assist=None):
    """Categories the student may ask for at `stage`: the teacher's choice within the ceiling."""
    policy = policy or AssistPolicy.current()
    if not policy.enabled:
        return []
    if stage_assist is None:
        stage_assist = StageAssist.objects.filter(stage=stage).first()
    chosen = set(stage_assist.allowed) if stage_assist else set()
    return [c for c in policy.allowed if c in chosen]


# --- The student's side ------------------------------------------------------------------------------

def _stage(submission):
    return submission.current_stage or submission.assignment.stages.first()


def _require_consent(student):
    if not has_consent(student, Purpose.AI_ASSISTANCE):
        raise AssistRefused("The writing assistant needs your consent for AI assistance (on your privacy page).")


@transaction.atomic
def do_write_reflection(submission, reflection, *, acting_user):
    """Record the reflection and whether it unlocks help at the current stage (the gate's reasons if not)."""
    _require_consent(submission.student_id)
    stage = _stage(submission)
    reasons = gate.check_reflection(reflection, essay=submission.text, prompt=submission.assignment.prompt)
    with acting_as(acting_user):
        return Unlock.objects.create(submission=submission, stage=stage, reflection=reflection.strip()[:5000],
                                     accepted=not reasons, reasons=reasons)


def is_unlocked(submission, stage):
    return Unlock.objects.filter(submission=submission, stage=stage, accepted=True).exists()


def redactor_for(submission, policy):
    from accounts.models import User

    course = submission.assignment.course
    people = list(User.objects.filter(enrolments__course=course).union(course.teachers.all()))
    people.append(submission.student)
    unique = {p.pk: p for p in people}.values()
    return Redactor.for_people(unique, policy.redact_terms.splitlines())


@transaction.atomic
def do_request_help(submission, category, *, acting_user):
    _require_consent(submission.student_id)
    policy, stage = AssistPolicy.current(), _stage(submission)
    if category not in allowed_at(stage, policy):
        raise AssistRefused("This kind of help is not switched on for this stage.")
    if not is_unlocked(submission, stage):
        raise AssistRefused("Write a reflection on this stage first: it unlocks the assistant.")
    if not submission.text.strip():
        raise AssistRefused("There is no text yet to give feedback on.")
    provider = providers.for_policy(policy)
    text = submission.text[:MAX_TEXT]
    decisions = []
    if provider.sends_text_out:
        text, counts = redactor_for(submission, policy).redact(text)
        decisions.append({"check": "redaction", "result": "done",
                          "detail": ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing found"})
    with acting_as(acting_user):
        exchange = Exchange.objects.create(submission=submission, stage=stage, category=category,
                                           provider=provider.name, redacted_text=text, decisions=decisions)
    if provider.sends_text_out:
        from assist.tasks import answer_exchange

        send_after_commit(answer_exchange, person_id=submission.student_id, exchange_id=exchange.pk)
    else:
        answer(exchange, provider, acting_user=acting_user)
    return exchange


def answer(exchange, provider=None, *, acting_user=None):
    """Ask the provider, check the boundary, record the outcome (also called by the Celery task)."""
    submission = exchange.submission
    policy = AssistPolicy.current()
    provider = provider or providers.for_policy(policy)
    request = providers.Request(exchange.category, exchange.stage.kind, exchange.redacted_text,
                                submission.assignment.prompt)
    decisions = list(exchange.decisions)
    try:
        reply = provider.answer(request)
    except providers.ProviderError as error:
        exchange.state, exchange.answer = Exchange.State.FAILED, str(error)
    else:
        if provider.sends_text_out:
            reply = redactor_for(submission, policy).restore(reply)
        allowed, checked = boundary.check(reply, submission.text)
        decisions += checked
        exchange.answer, exchange.refused = reply, not allowed
        exchange.state = Exchange.State.ANSWERED if allowed else Exchange.State.REFUSED
    exchange.decisions, exchange.answered_at = decisions, timezone.now()
    with acting_as(acting_user):
        exchange.save(update_fields=["state", "answer", "refused", "decisions", "answered_at"])
    return exchange

"""The assistant's Celery task: ask a remote provider for one exchange's answer.

Consent is checked again when the task runs (`requires_consent`): a withdrawal made after the
student asked stops the text from leaving. A skipped or failed exchange is marked so the page says so.
"""

from assist.models import Exchange
from privacy.consent import requires_consent
from privacy.models import Purpose
from scribetree.celery import InstitutionTask, app

SKIPPED = "skipped: no consent"


@app.task(base=InstitutionTask)
def answer_exchange(person_id, exchange_id):
    result = _answer(person_id=person_id, exchange_id=exchange_id)
    if result == SKIPPED:
        (Exchange.objects.filter(pk=exchange_id, state=Exchange.State.PENDING)
         .update(state=Exchange.State.FAILED, answer="Not sent: consent for AI assistance was withdrawn."))
    return result


@requires_consent(Purpose.AI_ASSISTANCE)
def _answer(person_id, exchange_id):
    from assist.actions import answer

    exchange = (Exchange.objects.select_related("submission__assignment__course", "submission__student", "stage")
                .filter(pk=exchange_id, state=Exchange.State.PENDING, submission__student_id=person_id).first())
    if exchange is None:  # answered already (a redelivered task) or not this person's
        return "nothing to do"
    answer(exchange)
    return exchange.state

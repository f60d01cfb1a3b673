"""Record who did it: every action runs `with acting_as(acting_user)`.

django-auditlog's own `set_actor` does not restore an outer actor when nested (the request
middleware sets one, an action inside sets another), and leaves its context variable behind after
it exits; this wrapper always sets its own actor and puts the outer context back.
Inside Celery there is no request, so tasks pass the acting user's id and actions set it here.
"""

from contextlib import contextmanager

from auditlog.context import auditlog_value, set_actor


@contextmanager
def acting_as(user):
    try:
        outer = auditlog_value.get()
    except LookupError:
        outer = None
    if user is None:
        yield
        return
    try:
        with set_actor(user):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)

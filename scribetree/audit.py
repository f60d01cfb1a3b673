"""Record who did it: every action runs `with acting_as(acting_user)`; a request's audit entries
name its signed-in person (AuditContextMiddleware).

django-auditlog attaches the actor to its LogEntry rows through a `pre_save` receiver that its
`set_actor` and `AuditlogMiddleware` connect and disconnect around every request and every use.
That cost ~0.17 ms per request (a locked scan of every `pre_save` receiver, twice, and a cleared
receiver cache for every model's saves), on every page and every autosave. Here one receiver is
connected once, when this module is imported (which everything that sets the context does), and
reads auditlog's own context variable: nesting restores the outer context (auditlog's `set_actor`
does not), and an action inside a request keeps the request's address.
"""

from contextlib import contextmanager
from functools import partial

from auditlog.cid import set_cid
from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from django.db.models.signals import pre_save
from django.dispatch import receiver

CONTEXT_FIELDS = ("remote_addr", "remote_port")
OURS = "scribetree"  # marks a context set here: auditlog's own `set_actor` leaves its context behind
# after it exits (harmless to auditlog, whose receiver is gone by then, but not to one that stays)


@receiver(pre_save, sender=LogEntry, dispatch_uid="scribetree.audit.attach_context")
def attach_context(sender, instance, **kwargs):
    """Give a new audit entry the current actor (if none was set) and the request's address."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if not context.get(OURS):
        return  # auditlog's own set_actor, or what it left behind: its own receiver handles it
    actor = context.get("actor")
    if callable(actor):
        actor = actor()
    if instance.actor_id is None and actor is not None and getattr(actor, "is_authenticated", False):
        instance.actor = actor
        instance.actor_email = getattr(actor, "email", None)
    for field in CONTEXT_FIELDS:
        if context.get(field) is not None and getattr(instance, field) is None:
            setattr(instance, field, context[field])


@contextmanager
def acting_as(user):
    """Audit entries made inside name `user` (None: keep the current actor, if any)."""
    if user is None:
        yield
        return
    try:
        outer = auditlog_value.get()
    except LookupError:
        outer = {}
    token = auditlog_value.set({**outer, "actor": user, OURS: True})
    try:
        yield
    finally:
        auditlog_value.reset(token)


def _signed_in(request):
    """The request's person, read only when an audit entry is written (a page that writes none
    does not load the person for this)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "_wrapped", user)  # the person itself, not Django's lazy wrapper


class AuditContextMiddleware:
    """auditlog's AuditlogMiddleware (correlation id, actor, address) without its per-request
    signal connect and disconnect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        set_cid(request)
        token = auditlog_value.set({
            OURS: True,
            "actor": partial(_signed_in, request),
            "remote_addr": AuditlogMiddleware._get_remote_addr(request),
            "remote_port": AuditlogMiddleware._get_remote_port(request),
        })
        try:
            return self.get_response(request)
        finally:
            auditlog_value.reset(token)

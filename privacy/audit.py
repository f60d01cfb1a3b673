"""Access logging: who opened a person's work or data, recorded in django-auditlog as ACCESS rows.

django-auditlog 3.4 has an `accessed` signal (action ACCESS) for registered models; we send it
from the views where staff open a student's work or a person downloads an export, so the privacy
office sees reads next to changes in the person's audit trail.
"""

from auditlog.models import LogEntry
from auditlog.signals import accessed
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from scribetree.audit import acting_as


def log_access(instance, *, acting_user):
    with acting_as(acting_user):
        accessed.send(sender=type(instance), instance=instance)


def audit_trail(person):
    """Every audit row by the person or about something of theirs (registry owner paths)."""
    from auditlog.registry import auditlog
    from django.apps import apps

    from privacy import registry

    condition = Q(actor=person) | Q(content_type=ContentType.objects.get_for_model(type(person)),
                                    object_pk=str(person.pk))
    for label, declaration in registry.REGISTRY.items():
        if not declaration.owner_paths:
            continue
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if not auditlog.contains(model):
            continue
        owned = Q()
        for path in declaration.owner_paths:
            owned |= Q(**{path: person.pk})
        ids = model._default_manager.filter(owned).values("pk")
        condition |= Q(content_type=ContentType.objects.get_for_model(model),
                       object_id__in=ids)
    return LogEntry.objects.filter(condition).select_related("actor", "content_type").order_by("-timestamp", "-pk")

"""Fetch-with-permission for privacy pages: the object or 404 (never 403: no existence leaks)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from privacy.models import GuardianLink, PrivacyRequest


def subjects_for(user):
    """Whose privacy the signed-in person manages here: themselves, and a guardian's wards."""
    wards = [link.student for link in GuardianLink.objects.filter(guardian=user).select_related("student")
             .order_by("student__full_name")]
    return [user, *wards]


def access_request(user, request_id):
    """A request about the person or a ward of theirs, or one they filed."""
    ward_ids = GuardianLink.objects.filter(guardian=user).values("student_id")
    return get_object_or_404(
        PrivacyRequest.objects.select_related("subject", "filed_by", "job")
        .filter(Q(subject=user) | Q(filed_by=user) | Q(subject__in=ward_ids)),
        pk=request_id)

"""What the privacy page shows (read side of privacy/views.py), in a constant number of queries per
person shown: the person and, for a guardian, each ward (pinned in tests/privacy/test_privacy_page.py)."""

from privacy import consent
from privacy.access import subjects_for
from privacy.actions import active_notice, may_answer_consent_for
from privacy.models import PrivacyRequest, Purpose


def consent_rows(subject):
    answers = consent.answers_for(subject)
    return [{"purpose": p, "answer": answers[p],
             "effective": answers[p] == "accepted" or (not answers[p] and consent.DEFAULTS[p])} for p in Purpose]


def privacy_page(user, institution):
    subjects = subjects_for(user)
    people = [{"person": subject, "may_answer": may_answer_consent_for(user, subject, institution),
               "consents": consent_rows(subject)} for subject in subjects]
    requests = (PrivacyRequest.objects.filter(subject__in=[s.pk for s in subjects])
                .select_related("subject", "job").order_by("-created_at", "-pk"))
    return {"subjects": subjects, "people": people, "requests": requests, "notice": active_notice()}

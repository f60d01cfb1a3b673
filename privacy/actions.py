"""Every change to privacy requests, consent, notices, guardians and legal holds goes through here.

Pages, the institution admin, the retention job and the demo all call these, so the rules (who may
act for whom, which state may follow which) and the audit trail live in one place.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Role
from privacy.models import (
    Consent,
    GuardianLink,
    LegalHold,
    NoticeAcceptance,
    PrivacyJob,
    PrivacyNotice,
    PrivacyRequest,
    Purpose,
    RequestComment,
    deadline_days_for,
)
from scribetree.audit import acting_as
from scribetree.celery import send_after_commit

# Who may file a request for someone else (the person themselves and their guardian always may).
FILE_ON_BEHALF_ROLES = {Role.PRIVACY_OFFICER, Role.INSTITUTION_ADMIN}
# Who reviews requests (also in the institution's admin).
REVIEWER_ROLES = {Role.PRIVACY_OFFICER, Role.INSTITUTION_ADMIN}
# Whose data a request may be about: people of this institution, not its staff tools' operators.
SUBJECT_ROLES = {Role.STUDENT, Role.TEACHER, Role.GUARDIAN, Role.PRIVACY_OFFICER, Role.INSTITUTION_ADMIN}


def _current_institution():
    from django.db import connection

    return connection.tenant


def is_guardian_of(guardian, student):
    return (guardian.role == Role.GUARDIAN
            and GuardianLink.objects.filter(guardian=guardian, student=student).exists())


def may_file_for(filer, subject):
    if filer.pk == subject.pk:
        return True
    if filer.role in FILE_ON_BEHALF_ROLES:
        return True
    # A guardian acts for a ward only while the ward is under the institution's age threshold.
    return is_guardian_of(filer, subject) and guardian_decides_for(subject)


# --- Requests ---------------------------------------------------------------------------------------

@transaction.atomic
def do_file_request(subject, kind, *, details="", identity_verified_at, identity_method="password",
                    acting_user, institution=None):
    """File a request. The caller has re-authenticated the filer (allauth's reauthentication flow):
    that is the identity check. Staff filing for someone vouch for the subject's identity."""
    if acting_user is not None and not may_file_for(acting_user, subject):
        raise PermissionDenied
    if subject.role not in SUBJECT_ROLES:
        raise ValidationError("Requests about this account are handled by the platform operator.")
    if kind not in PrivacyRequest.Kind.values:
        raise ValidationError("Choose what you are asking for.")
    if kind == PrivacyRequest.Kind.RECTIFICATION and not details.strip():
        raise ValidationError({"details": "Say what is wrong and what it should be."})
    if PrivacyRequest.objects.filter(subject=subject, kind=kind, state__in=PrivacyRequest.OPEN_STATES).exists():
        raise ValidationError("A request of this kind is already open for this person.")
    institution = institution or _current_institution()
    now = timezone.now()
    with acting_as(acting_user):
        request = PrivacyRequest.objects.create(
            subject=subject, filed_by=acting_user, kind=kind, details=details.strip(),
            identity_verified_at=identity_verified_at, identity_method=identity_method if identity_verified_at else "",
            jurisdictions=", ".join(institution.jurisdictions),
            due_at=now + timedelta(days=deadline_days_for(institution)), created_at=now)
        _note(request, "Filed" + ("" if acting_user is None or acting_user.pk == subject.pk
                                  else " on the person's behalf") + ".", None)
        # Submitted, and (identity checked) straight on to the privacy office's queue.
        request.state = PrivacyRequest.State.AWAITING_APPROVAL
        request.save(update_fields=["state"])
    return request


def _note(request, body, author):
    RequestComment.objects.create(request=request, author=author, body=body)


@transaction.atomic
def do_comment_on_request(request, body, *, acting_user):
    if not body.strip():
        raise ValidationError("Write a comment.")
    with acting_as(acting_user):
        return RequestComment.objects.create(request=request, author=acting_user, body=body.strip())


@transaction.atomic
def do_decide_request(request, *, approve, note="", acting_user):
    """The privacy office approves or rejects. An approved export or erasure starts its job."""
    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    if acting_user.role not in REVIEWER_ROLES:
        raise PermissionDenied
    if request.state != PrivacyRequest.State.AWAITING_APPROVAL:
        raise ValidationError(f"This request is {request.get_state_display().lower()}, not awaiting approval.")
    if not approve and not note.strip():
        raise ValidationError("Say why the request is rejected (the person is told).")
    with acting_as(acting_user):
        request.decided_by = acting_user
        request.decided_at = timezone.now()
        request.decision_note = note.strip()
        request.state = PrivacyRequest.State.APPROVED if approve else PrivacyRequest.State.REJECTED
        if not approve:
            request.completed_at = request.decided_at
            request.outcome = {"result": "rejected", "reason": request.decision_note}
        request.save(update_fields=["decided_by", "decided_at", "decision_note", "state", "completed_at", "outcome"])
        _note(request, ("Approved" if approve else "Rejected") + (f": {note.strip()}" if note.strip() else "."),
              acting_user)
        if approve and request.kind in (PrivacyRequest.Kind.EXPORT, PrivacyRequest.Kind.ERASURE):
            _start_job(request)
    return request


def _start_job(request):
    from privacy.tasks import run_privacy_job

    job = PrivacyJob.objects.create(request=request, kind=request.kind)
    request.state = PrivacyRequest.State.PROCESSING
    request.save(update_fields=["state"])
    send_after_commit(run_privacy_job, job.pk)
    return job


@transaction.atomic
def do_resume_job(job, *, acting_user):
    """Send a failed or stuck job again; it carries on after its last finished step."""
    with acting_as(acting_user):
        PrivacyJob.objects.filter(pk=job.pk).update(state=PrivacyJob.State.QUEUED, attempts=0, error="")
        PrivacyRequest.objects.filter(pk=job.request_id).update(state=PrivacyRequest.State.PROCESSING)
        _note(job.request, "Job sent again.", acting_user)
    from privacy.tasks import run_privacy_job

    send_after_commit(run_privacy_job, job.pk)


@transaction.atomic
def do_complete_request(request, *, summary, acting_user):
    """Rectification and restriction: the officer records what was done (the correction itself
    goes through the normal actions, e.g. accounts.actions.do_update_person, and is audited there)."""
    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    if acting_user.role not in REVIEWER_ROLES:
        raise PermissionDenied
    if request.kind not in (PrivacyRequest.Kind.RECTIFICATION, PrivacyRequest.Kind.RESTRICTION):
        raise ValidationError("Exports and erasures complete when their job finishes.")
    if request.state != PrivacyRequest.State.APPROVED:
        raise ValidationError("Approve the request first.")
    if not summary.strip():
        raise ValidationError("Say what was done.")
    with acting_as(acting_user):
        outcome = {"result": "completed", "summary": summary.strip()}
        if request.kind == PrivacyRequest.Kind.RESTRICTION:
            # Restriction of processing: every optional use stops (consent withdrawn on the person's
            # behalf; features check consent where they use the data).
            for purpose in Purpose:
                _set_consent(request.subject, purpose, Consent.Answer.DECLINED, given_by=acting_user)
            outcome["consents_withdrawn"] = [p.value for p in Purpose]
        request.state = PrivacyRequest.State.COMPLETED
        request.completed_at = timezone.now()
        request.outcome = outcome
        request.save(update_fields=["state", "completed_at", "outcome"])
        _note(request, f"Completed: {summary.strip()}", acting_user)
    return request


def finish_request_from_job(job, *, ok, outcome):
    """Called by export/erasure when their job ends (inside the job's last transaction)."""
    request = job.request
    request.state = PrivacyRequest.State.COMPLETED if ok else PrivacyRequest.State.FAILED
    request.completed_at = timezone.now()
    request.outcome = outcome
    with acting_as(request.decided_by):
        request.save(update_fields=["state", "completed_at", "outcome"])
        _note(request, "Completed by the job." if ok else "The job failed; the privacy office has been told.", None)


# --- Consent -----------------------------------------------------------------------------------------

def guardian_decides_for(student, institution=None):
    """A linked guardian decides while the student is under the institution's age threshold."""
    institution = institution or _current_institution()
    today = timezone.localdate()
    return any(link.student_age(today) < institution.guardian_consent_age
               for link in GuardianLink.objects.filter(student=student))


def may_answer_consent_for(acting_user, subject, institution=None):
    if acting_user.pk == subject.pk:
        return not guardian_decides_for(subject, institution)
    return is_guardian_of(acting_user, subject) and guardian_decides_for(subject, institution)


def _set_consent(subject, purpose, answer, *, given_by, notice=None):
    consent, created = Consent.objects.get_or_create(
        subject=subject, purpose=purpose, defaults={"answer": answer, "given_by": given_by, "notice": notice})
    if not created and consent.answer != answer:
        consent.answer = answer
        consent.given_by = given_by
        consent.updated_at = timezone.now()
        consent.save(update_fields=["answer", "given_by", "updated_at"])
    return consent


@transaction.atomic
def do_answer_consent(subject, purpose, answer, *, acting_user, institution=None):
    """Accept or decline (withdraw) one purpose, for oneself or as the guardian of a young student.

    Withdrawal takes effect at once: features and queued tasks call privacy.consent.has_consent
    when they use the data, so nothing waits on a cache."""
    if purpose not in Purpose.values or answer not in Consent.Answer.values:
        raise ValidationError("Unknown purpose or answer.")
    if not may_answer_consent_for(acting_user, subject, institution):
        raise PermissionDenied
    with acting_as(acting_user):
        consent = _set_consent(subject, purpose, answer, given_by=acting_user, notice=active_notice())
    if answer == Consent.Answer.DECLINED:
        from privacy.tasks import forget_derived_data

        forget_derived_data(subject.pk, purpose)
    return consent


# --- Notices ----------------------------------------------------------------------------------------

def active_notice():
    return PrivacyNotice.objects.filter(state=PrivacyNotice.State.ACTIVE).first()


def required_notice_version():
    """The lowest version a person must have accepted to go on (None: no notice to accept)."""
    return (PrivacyNotice.objects.filter(published_at__isnull=False, requires_acceptance=True)
            .aggregate(v=Max("version"))["v"])


@transaction.atomic
def do_create_notice(body, *, title="How we use your data", requires_acceptance=True, acting_user):
    if not body.strip():
        raise ValidationError({"body": "Write the notice."})
    with acting_as(acting_user):
        version = (PrivacyNotice.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
        return PrivacyNotice.objects.create(version=version, title=title.strip(), body=body.strip(),
                                            requires_acceptance=requires_acceptance, created_by=acting_user)


@transaction.atomic
def do_publish_notice(notice, *, acting_user):
    """Draft -> active; the active one before it is archived. People are asked to accept it at their
    next page (privacy/middleware.py re-checks each session every few minutes)."""
    notice = PrivacyNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != PrivacyNotice.State.DRAFT:
        raise ValidationError("Only a draft can be published.")
    now = timezone.now()
    with acting_as(acting_user):
        for old in PrivacyNotice.objects.select_for_update().filter(state=PrivacyNotice.State.ACTIVE):
            old.state = PrivacyNotice.State.ARCHIVED
            old.archived_at = now
            old.save(update_fields=["state", "archived_at"])
        notice.state = PrivacyNotice.State.ACTIVE
        notice.published_at = now
        notice.save(update_fields=["state", "published_at"])
    return notice


@transaction.atomic
def do_accept_notice(person, notice, *, acting_user):
    if notice.state != PrivacyNotice.State.ACTIVE:
        raise ValidationError("This notice is no longer the current one.")
    with acting_as(acting_user):
        acceptance, _ = NoticeAcceptance.objects.get_or_create(person=person, notice=notice)
    return acceptance


# --- Guardians and legal holds ---------------------------------------------------------------------------

@transaction.atomic
def do_link_guardian(guardian, student, *, student_birth_date, relationship="", acting_user):
    if guardian.role != Role.GUARDIAN:
        raise ValidationError("Give the account the guardian role first.")
    if student.role != Role.STUDENT:
        raise ValidationError(f"{student} is not a student.")
    with acting_as(acting_user):
        link, _ = GuardianLink.objects.update_or_create(
            guardian=guardian, student=student,
            defaults={"student_birth_date": student_birth_date, "relationship": relationship.strip()})
    return link


@transaction.atomic
def do_place_legal_hold(*, subject=None, course=None, reason, acting_user):
    if (subject is None) == (course is None):
        raise ValidationError("A hold is on one person or one course.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the records must be kept."})
    with acting_as(acting_user):
        return LegalHold.objects.create(subject=subject, course=course, reason=reason.strip(), placed_by=acting_user)


@transaction.atomic
def do_release_legal_hold(hold, *, acting_user):
    with acting_as(acting_user):
        hold.released_at = timezone.now()
        hold.save(update_fields=["released_at"])
    return hold

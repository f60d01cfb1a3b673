"""Every state change LTI makes: people, courses, assignments, enrolments, tickets, jobs.

People, enrolments and courses change only through accounts/coursework actions (audited, with the
launching person or the requesting teacher as the actor).
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.actions import do_change_role, do_create_user, do_update_person
from accounts.models import ADMIN_ROLES, Role, User
from coursework.actions import do_create_assignment, do_create_course, do_enrol_student, do_unenrol_student
from coursework.models import Assignment, Enrolment
from integrations.lti.models import (
    GradePassback,
    LaunchTicket,
    LoginState,
    LtiContext,
    LtiIdentity,
    LtiResourceLink,
    PlatformRegistration,
    RosterSync,
)
from integrations.lti.validation import LTI, secret_hash
from scribetree.audit import acting_as
from scribetree.celery import send_after_commit

ROLE_PREFIXES = ("http://purl.imsglobal.org/vocab/lis/v2/membership#",
                 "http://purl.imsglobal.org/vocab/lis/v2/institution/person#")
TEACHING_ROLES = {"Instructor", "ContentDeveloper", "TeachingAssistant", "Administrator"}
CUSTOM_ASSIGNMENT = "scribetree_assignment"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
TICKET_LIFETIME = timedelta(minutes=10)


class LaunchRefused(Exception):
    """A verified launch we will not honour; the message is safe to show the person."""


def role_from_lti(roles):
    """Instructor (or other teaching roles) → teacher, Learner → student, else None.

    Only context (membership) roles decide; institution roles alone (e.g. a staff member who is not
    in the course) do not make a teacher. The short form ("Instructor") is accepted as LTI allows.
    """
    names = set()
    for role in roles or []:
        if not isinstance(role, str):
            continue
        if role.startswith(ROLE_PREFIXES[0]) or role.startswith(ROLE_PREFIXES[0][:-1] + "/"):
            names.add(role[len(ROLE_PREFIXES[0]):].split("#")[0])
        elif "/" not in role and "#" not in role:
            names.add(role)
    if names & TEACHING_ROLES - {"Administrator"} or ("Administrator" in names and "Learner" not in names):
        return Role.TEACHER
    if "Learner" in names:
        return Role.STUDENT
    return None


def _placeholder_email(registration, sub):
    digest = hashlib.sha256(f"{registration.pk}:{sub}".encode()).hexdigest()[:20]
    return f"lti-{digest}@lti.invalid"


def _display_name(claims):
    name = (claims.get("name") or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")]))
            or "LMS user")
    return str(name)[:200]


@transaction.atomic
def do_resolve_lti_user(registration, sub, *, role, email="", name="", acting_user=None):
    """The person for (registration, sub): linked before, linked by a trusted email, or created.

    Email links only when the registration says the platform's addresses are trusted; otherwise a
    new person gets a placeholder address, so an LMS cannot claim an existing account by naming its
    email. Staff with admin roles are never signed in through LTI (it would bypass two-factor).
    A student who launches as an instructor becomes a teacher; a teacher is never demoted by LTI.
    """
    identity = LtiIdentity.objects.select_related("user").filter(registration=registration, sub=sub).first()
    if identity is not None:
        user = identity.user
    else:
        user = None
        linked_by_email = False
        email = (email or "").strip().lower()
        if email and registration.trust_emails:
            user = User.objects.filter(email=email).first()
            linked_by_email = user is not None
        if user is None:
            use_email = email if (email and registration.trust_emails) else _placeholder_email(registration, sub)
            user = do_create_user(use_email, name or "LMS user", role, acting_user=acting_user)
        identity = LtiIdentity.objects.create(registration=registration, sub=sub, user=user,
                                              linked_by_email=linked_by_email)
    if user.role in ADMIN_ROLES or not user.is_active:
        raise LaunchRefused("This account cannot be used from the LMS. Sign in to Scribe Tree directly.")
    if role == Role.TEACHER and user.role == Role.STUDENT:
        do_change_role(user, Role.TEACHER, acting_user=acting_user)
    if name and user.full_name != name and user.email.endswith("@lti.invalid"):
        do_update_person(user, full_name=name, acting_user=acting_user)
    # Not audited (a launch is not a change to the person): a plain update, no auditlog re-read.
    LtiIdentity.objects.filter(pk=identity.pk).update(last_launch_at=timezone.now())
    return user


def _service_fields(claims):
    nrps = claims.get(NRPS) or {}
    ags = claims.get(AGS) or {}
    return {
        "memberships_url": str(nrps.get("context_memberships_url") or "")[:1000],
        "lineitems_url": str(ags.get("lineitems") or "")[:1000],
        "ags_scopes": [s for s in ags.get("scope") or [] if isinstance(s, str)],
    }


@transaction.atomic
def do_map_context(registration, claims, user, role):
    """The course for this LMS context; a teacher's first launch creates it (and teaches it)."""
    context_claim = claims.get(LTI + "context") or {}
    context_id = str(context_claim.get("id") or "")
    if not context_id:
        raise LaunchRefused("The LMS did not say which course this link is in.")
    # Not locked: every student of a class launching at the bell would queue on the row. Two first
    # launches at once collide on the unique constraint instead (the view asks to open it again).
    context = LtiContext.objects.select_related("course").filter(
        registration=registration, context_id=context_id).first()
    services = _service_fields(claims)
    if context is None:
        if role != Role.TEACHER:
            raise LaunchRefused("Your teacher has not opened Scribe Tree in this course yet.")
        title = str(context_claim.get("title") or context_claim.get("label") or "LMS course")[:200]
        course = do_create_course(title, "From the LMS", code=str(context_claim.get("label") or "")[:50],
                                  acting_user=user)
        context = LtiContext.objects.create(
            registration=registration, context_id=context_id, title=title, course=course,
            deployment_id=claims[LTI + "deployment_id"], **services)
        return context
    changed = [name for name, value in services.items() if value and getattr(context, name) != value]
    for name in changed:
        setattr(context, name, services[name])
    if changed:
        context.save(update_fields=changed)
    if role == Role.TEACHER and not context.course.teachers.filter(pk=user.pk).exists():
        with acting_as(user):
            context.course.teachers.add(user)
    if role == Role.STUDENT:
        do_enrol_student(context.course, user, acting_user=user)
    return context


@transaction.atomic
def do_map_resource_link(context, claims, user, role):
    link_claim = claims.get(LTI + "resource_link") or {}
    link_id = str(link_claim.get("id"))
    lineitem = str((claims.get(AGS) or {}).get("lineitem") or "")[:1000]
    link = (LtiResourceLink.objects.select_related("assignment")
            .filter(context=context, resource_link_id=link_id).first())
    if link is None:
        custom = claims.get(LTI + "custom") or {}
        assignment_id = str(custom.get(CUSTOM_ASSIGNMENT) or "")
        assignment = None
        if assignment_id.isdigit():
            # A link made by deep linking: its assignment must belong to this context's course.
            assignment = Assignment.objects.filter(pk=int(assignment_id), course=context.course).first()
        if assignment is not None:
            link = (LtiResourceLink.objects.filter(context=context, assignment=assignment, resource_link_id="").first()
                    or LtiResourceLink(context=context, assignment=assignment))
            link.resource_link_id = link_id
            link.lineitem_url = lineitem or link.lineitem_url
            link.save()
        elif role == Role.TEACHER:
            title = str(link_claim.get("title") or "Writing assignment")[:200]
            assignment = do_create_assignment(
                context.course, title=title, prompt=str(link_claim.get("description") or title),
                due_at=timezone.now() + timedelta(days=14), acting_user=user)
            link = LtiResourceLink.objects.create(context=context, resource_link_id=link_id, assignment=assignment,
                                                  lineitem_url=lineitem)
        else:
            raise LaunchRefused("Your teacher has not set up this assignment in Scribe Tree yet.")
    elif lineitem and link.lineitem_url != lineitem:
        link.lineitem_url = lineitem
        link.save(update_fields=["lineitem_url"])
    return link


def landing_url(user, assignment):
    if user.role == Role.TEACHER:
        return reverse("teacher_assignment", args=[assignment.pk])
    return reverse("student_write", args=[assignment.pk])


@transaction.atomic
def do_start_login(registration, *, storage_target=""):
    """A fresh single-use state and nonce, and the secret the browser must present at launch."""
    browser_secret = secrets.token_urlsafe(32)
    login = LoginState.objects.create(registration=registration, state=secrets.token_urlsafe(32),
                                      nonce=secrets.token_urlsafe(32), browser_secret_hash=secret_hash(browser_secret),
                                      storage_target=storage_target[:100])
    return login, browser_secret


@transaction.atomic
def do_issue_ticket(user, redirect_to):
    token = secrets.token_urlsafe(32)
    LaunchTicket.objects.create(token_hash=secret_hash(token), user=user, redirect_to=redirect_to,
                                expires_at=timezone.now() + TICKET_LIFETIME)
    return token


def ticket_holder(token):
    """Whose unused, unexpired ticket this is (for the confirmation page), or None."""
    ticket = LaunchTicket.objects.select_related("user").filter(
        token_hash=secret_hash(token or ""), used_at__isnull=True, expires_at__gte=timezone.now()).first()
    return ticket.user if ticket and ticket.user.is_active else None


@transaction.atomic
def do_redeem_ticket(token):
    ticket = LaunchTicket.objects.select_for_update().select_related("user").filter(
        token_hash=secret_hash(token or "")).first()
    if ticket is None or ticket.used_at is not None or ticket.expires_at < timezone.now() or not ticket.user.is_active:
        return None
    ticket.used_at = timezone.now()
    ticket.save(update_fields=["used_at"])
    return ticket


# --- Deep linking -----------------------------------------------------------------------------------

@transaction.atomic
def do_create_deep_link_assignment(context, *, title, prompt, due_at, acting_user):
    from coursework.actions import do_publish_assignment

    assignment = do_create_assignment(context.course, title=title, prompt=prompt, due_at=due_at,
                                      acting_user=acting_user)
    # The teacher placed it in the LMS for the class to open: it is published.
    do_publish_assignment(assignment, acting_user=acting_user)
    return assignment


@transaction.atomic
def do_record_deep_link(context, assignment):
    """A link awaiting its first launch (the platform gives it a resource_link id then)."""
    if assignment.course_id != context.course_id:
        raise ValidationError("That assignment is not in this course.")
    link, _ = LtiResourceLink.objects.get_or_create(context=context, assignment=assignment, resource_link_id="")
    return link


# --- Roster sync and grade passback jobs --------------------------------------------------------

@transaction.atomic
def do_request_roster_sync(context, *, acting_user):
    from integrations.lti.tasks import sync_roster

    if not context.memberships_url:
        raise ValidationError("This LMS course does not offer its roster to Scribe Tree (no NRPS endpoint).")
    busy = [RosterSync.State.QUEUED, RosterSync.State.RUNNING]
    job = RosterSync.objects.filter(context=context, state__in=busy).first()
    if job is None:
        job = RosterSync.objects.create(context=context, requested_by=acting_user)
        send_after_commit(sync_roster, job.pk)
    return job


def apply_membership(context, member, *, acting_user):
    """One NRPS member: Active learners enrolled, Inactive/Deleted learners unenrolled.

    Returns "enrolled", "unenrolled" or None. Teachers found in the roster are linked but never
    removed from a course by a roster (a teacher is removed by the institution, not the LMS feed).
    """
    sub = str(member.get("user_id") or "")
    if not sub:
        return None
    role = role_from_lti(member.get("roles"))
    status = member.get("status", "Active")
    registration = context.registration
    if status != "Active":
        identity = LtiIdentity.objects.select_related("user").filter(registration=registration, sub=sub).first()
        if identity and Enrolment.objects.filter(course=context.course, student=identity.user).exists():
            do_unenrol_student(context.course, identity.user, acting_user=acting_user)
            return "unenrolled"
        return None
    if role is None:
        return None
    try:
        user = do_resolve_lti_user(registration, sub, role=role, email=member.get("email") or "",
                                   name=_display_name(member), acting_user=acting_user)
    except LaunchRefused:
        return None
    if user.role == Role.STUDENT and role == Role.STUDENT:
        if not Enrolment.objects.filter(course=context.course, student=user).exists():
            do_enrol_student(context.course, user, acting_user=acting_user)
            return "enrolled"
    elif user.role == Role.TEACHER and role == Role.TEACHER and not context.course.teachers.filter(pk=user.pk).exists():
        with acting_as(acting_user):
            context.course.teachers.add(user)
    return None


@transaction.atomic
def do_queue_grade_passback(submission):
    """Record (or update) the score to post for a released, graded submission, and send the job.

    Called from coursework's `grade_released` signal. A changed grade updates the row back to
    PENDING with a new timestamp, so it is sent again; an unchanged one that was sent is left alone.
    """
    from integrations.lti.tasks import post_grade

    if submission.grade is None or submission.feedback_released_at is None:
        return []
    links = LtiResourceLink.objects.select_related("context").filter(
        assignment_id=submission.assignment_id).exclude(lineitem_url="")
    queued = []
    for link in links:
        identity = LtiIdentity.objects.filter(registration_id=link.context.registration_id,
                                              user_id=submission.student_id).first()
        if identity is None:
            continue
        passback, created = GradePassback.objects.select_for_update().get_or_create(
            submission=submission, resource_link=link,
            defaults={"lti_user_id": identity.sub, "score_given": submission.grade,
                      "score_maximum": submission.assignment.max_points, "graded_at": timezone.now()})
        if not created:
            if passback.state == GradePassback.State.SENT and passback.sent_score == submission.grade:
                continue
            passback.score_given = submission.grade
            passback.score_maximum = submission.assignment.max_points
            passback.graded_at = timezone.now()
            passback.state = GradePassback.State.PENDING
            passback.attempts = 0
            passback.next_attempt_at = None
            passback.last_error = ""
            passback.save()
        send_after_commit(post_grade, passback.pk)
        queued.append(passback)
    return queued


@transaction.atomic
def do_retry_grade_passback(passback, *, acting_user):
    from integrations.lti.tasks import post_grade

    passback = GradePassback.objects.select_for_update().get(pk=passback.pk)
    if passback.state == GradePassback.State.SENT:
        return passback
    passback.state = GradePassback.State.PENDING
    passback.attempts = 0
    passback.next_attempt_at = None
    passback.save(update_fields=["state", "attempts", "next_attempt_at"])
    send_after_commit(post_grade, passback.pk)
    return passback


def registration_for(issuer, client_id):
    qs = PlatformRegistration.objects.filter(issuer=issuer, is_active=True)
    if client_id:
        return qs.filter(client_id=client_id).first()
    matches = list(qs[:2])
    return matches[0] if len(matches) == 1 else None


# --- The launch as a whole ------------------------------------------------------------------------

DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


@transaction.atomic
def do_handle_launch(token):
    """After every check passed: the person, their course and assignment (or the deep-link context).

    Returns (user, assignment or None, context). All or nothing: a refused launch leaves no person.
    """
    claims = token.claims
    registration = token.registration
    role = role_from_lti(claims.get(LTI + "roles"))
    if role is None:
        raise LaunchRefused("Scribe Tree is for the course's teachers and students; your role here has no place in it.")
    user = do_resolve_lti_user(registration, str(claims["sub"]), role=role, email=claims.get("email") or "",
                               name=_display_name(claims), acting_user=None)
    if role == Role.STUDENT and user.role != Role.STUDENT:
        raise LaunchRefused("Your Scribe Tree account is a teacher's: open this link as the course's instructor.")
    if token.message_type == "LtiDeepLinkingRequest":
        if user.role != Role.TEACHER:
            raise LaunchRefused("Only a course's teachers can add Scribe Tree assignments.")
        return user, None, do_map_context(registration, claims, user, Role.TEACHER)
    context = do_map_context(registration, claims, user, user.role)
    link = do_map_resource_link(context, claims, user, user.role)
    return user, link.assignment, context

"""Every change to a person goes through here (pages, admin, SCIM, LTI, provisioning, seeding)."""

from allauth.account.models import EmailAddress
from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import ADMIN_ROLES, Role, User
from scribetree.audit import acting_as

PRIVACY_OFFICE_GROUP = "Privacy office"
# What a privacy officer may see in the institution's admin (issue #4 widens this).
PRIVACY_OFFICE_PERMISSIONS = [("accounts", "view_user"), ("auditlog", "view_logentry"),
                              # Issue #4: requests, their comments, holds, notices and guardians.
                              ("privacy", "view_privacyrequest"), ("privacy", "change_privacyrequest"),
                              ("privacy", "view_requestcomment"), ("privacy", "add_requestcomment"),
                              ("privacy", "view_legalhold"), ("privacy", "add_legalhold"),
                              ("privacy", "change_legalhold"), ("privacy", "view_privacynotice"),
                              ("privacy", "add_privacynotice"), ("privacy", "change_privacynotice"),
                              ("privacy", "view_guardianlink"), ("privacy", "add_guardianlink")]


def _apply_role(user, role):
    user.role = role
    user.is_staff = role in ADMIN_ROLES
    # An institution admin is all-powerful *inside its own schema* only: the platform's admin and
    # other institutions' tables are out of reach by construction (separate schema, separate site).
    user.is_superuser = role in {Role.INSTITUTION_ADMIN, Role.PLATFORM_OPERATOR}


def _sync_role_groups(user):
    if user.role == Role.PRIVACY_OFFICER:
        user.groups.add(privacy_office_group())
    else:
        user.groups.remove(*user.groups.filter(name=PRIVACY_OFFICE_GROUP))


def privacy_office_group():
    group, created = Group.objects.get_or_create(name=PRIVACY_OFFICE_GROUP)
    if created:
        for app_label, codename in PRIVACY_OFFICE_PERMISSIONS:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def sync_privacy_office_permissions():
    """Give an existing group the permissions added since it was made (run after each migrate)."""
    group = privacy_office_group()
    for app_label, codename in PRIVACY_OFFICE_PERMISSIONS:
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            group.permissions.add(permission)


@transaction.atomic
def do_create_user(email, full_name, role, *, password=None, student_number="", acting_user):
    """Create a person in the current institution. No password means they set one by email."""
    with acting_as(acting_user):
        user = User(email=email.strip().lower(), full_name=full_name.strip(), student_number=student_number)
        _apply_role(user, role)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        if role == Role.PRIVACY_OFFICER:
            _sync_role_groups(user)
    return user


@transaction.atomic
def do_change_role(user, role, *, acting_user):
    with acting_as(acting_user):
        _apply_role(user, role)
        user.save(update_fields=["role", "is_staff", "is_superuser"])
        _sync_role_groups(user)
    return user


@transaction.atomic
def do_update_person(user, *, acting_user, **fields):
    """Rectify a person's details (name, preferred name, student number, email)."""
    allowed = {"full_name", "preferred_name", "student_number", "email"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    with acting_as(acting_user):
        old_email = user.email
        for name, value in fields.items():
            setattr(user, name, value.strip().lower() if name == "email" else value)
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(fields))
        if "email" in fields and user.email != old_email:
            EmailAddress.objects.filter(user=user).delete()
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@transaction.atomic
def do_deactivate_user(user, *, acting_user):
    """Stop a person signing in and end every session they have open here."""
    # Sessions first: allauth only ends (deletes from the session store, and its cache) the
    # sessions whose user it can still load; once inactive they would only be unlisted.
    end_sessions_of(user)
    with acting_as(acting_user):
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def do_reactivate_user(user, *, acting_user):
    with acting_as(acting_user):
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def end_sessions_of(user):
    # allauth.usersessions keeps one row per signed-in session, so this is an indexed lookup.
    sessions = UserSession.objects.purge_and_list(user)
    get_usersessions_adapter().end_sessions(sessions)


@transaction.atomic
def do_set_password(user, raw_password, *, acting_user):
    """Give a person a password (demo seeding, support). Sessions are left alone: callers that
    reset a compromised password should call end_sessions_of(user) too."""
    with acting_as(acting_user):
        user.set_password(raw_password)
        user.save(update_fields=["password"])
    return user

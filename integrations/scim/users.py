"""SCIM Users over accounts.User: the representation, the filter map and the changes SCIM may make.

Attribute mapping (docs/provisioning.md has the full table):
- id ← User.pk; userName ← ScimUser.user_name, or the email when the IdP never set one;
- emails[primary or type "work"].value ↔ User.email (the sign-in address; required);
- displayName ↔ full_name (else "givenName familyName"); name.givenName/familyName kept on ScimUser;
- nickName ↔ preferred_name; enterprise employeeNumber ↔ student_number; externalId on ScimUser;
- userType ↔ role ("Student"/"Teacher" only; admins' roles are managed in the admin);
- active ↔ is_active: false runs do_deactivate_user, which ends the person's sessions.
Passwords sent by an IdP (Okta sends one) are ignored: people sign in through SSO or reset by email.
Every write goes through accounts.actions / integrations.scim.actions with the token's issuer as actor.
"""

import hashlib
import json
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf

from accounts.actions import (
    do_change_role,
    do_create_user,
    do_deactivate_user,
    do_reactivate_user,
    do_update_person,
)
from accounts.models import ADMIN_ROLES, Role, User
from integrations.scim.actions import do_forget_scim_identity, do_update_scim_identity
from integrations.scim.errors import ScimError
from integrations.scim.filters import to_q

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"

# SCIM roles we let an identity provider set. Institution admins and privacy officers are
# made in the institution's admin only: a directory sync must never grant admin rights.
SCIM_ROLES = {"student": Role.STUDENT, "teacher": Role.TEACHER}

FILTER_MAP = {
    ("userName", None, None): "scim_user_name",
    ("emails", None, None): "email",
    ("emails", "value", None): "email",
    ("externalId", None, None): "scim__external_id",
    ("id", None, None): "pk",
    ("active", None, None): "is_active",
    ("displayName", None, None): "full_name",
    ("name", "formatted", None): "full_name",
    ("name", "givenName", None): "scim__given_name",
    ("name", "familyName", None): "scim__family_name",
    ("nickName", None, None): "preferred_name",
    ("userType", None, None): "role",
    ("employeeNumber", None, ENTERPRISE_SCHEMA): "student_number",
    ("meta", "created", None): "date_joined",
    ("meta", "lastModified", None): "scim__updated_at",
}
EXACT_FIELDS = {"pk", "is_active", "date_joined", "scim__updated_at"}

# Attributes of the RFC 7643 User schemas that we accept and do not keep (Entra and Okta send many
# of them by default); anything else in a PATCH path is an invalidPath.
IGNORED = {
    "profileurl", "title", "preferredlanguage", "locale", "timezone", "password", "phonenumbers", "ims",
    "photos", "addresses", "groups", "entitlements", "roles", "x509certificates", "costcenter",
    "organization", "division", "department", "manager", "meta", "schemas", "id",
}


_WORK_EMAIL = re.compile(r'emails\[\s*(type\s+eq\s+"work"|primary\s+eq\s+true)\s*\]\.value', re.IGNORECASE)


def user_filter(text):
    """Entra looks people up by `emails[type eq "work"].value eq "…"`; we keep one address, the work
    (primary) one, so that value path is the plain email. Other value paths stay invalidFilter."""
    return to_q(_WORK_EMAIL.sub("emails.value", text), FILTER_MAP, EXACT_FIELDS)


def users_queryset():
    """People with their SCIM identity; userName falls back to the email (see module docstring)."""
    return (User.objects.select_related("scim")
            .annotate(scim_user_name=Coalesce(NullIf(F("scim__user_name"), Value("")), F("email"),
                                             output_field=CharField()))
            .order_by("pk"))


def _identity(user):
    try:
        return user.scim
    except User.scim.RelatedObjectDoesNotExist:
        return None


def _stamp(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def etag(payload):
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    return f'W/"{digest[:20]}"'


def user_state(user):
    """The writable part of a person, flat: what PATCH and PUT work on."""
    identity = _identity(user)
    return {
        "userName": (identity.user_name if identity and identity.user_name else user.email),
        "externalId": identity.external_id if identity else "",
        "givenName": identity.given_name if identity else "",
        "familyName": identity.family_name if identity else "",
        "displayName": user.full_name,
        "nickName": user.preferred_name,
        "email": user.email,
        "employeeNumber": user.student_number,
        "userType": user.get_role_display(),
        "active": user.is_active,
    }


def user_resource(user, location):
    state = user_state(user)
    identity = _identity(user)
    resource = {
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "id": str(user.pk),
        "userName": state["userName"],
        "name": {"formatted": user.full_name},
        "displayName": user.full_name,
        "userType": state["userType"],
        "active": user.is_active,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
    }
    if state["externalId"]:
        resource["externalId"] = state["externalId"]
    for key in ("givenName", "familyName"):
        if state[key]:
            resource["name"][key] = state[key]
    if user.preferred_name:
        resource["nickName"] = user.preferred_name
    if user.student_number:
        resource[ENTERPRISE_SCHEMA] = {"employeeNumber": user.student_number}
    resource["meta"] = {
        "resourceType": "User",
        "created": _stamp(user.date_joined),
        "lastModified": _stamp(identity.updated_at if identity else user.date_joined),
        "location": f"{location}/Users/{user.pk}",
        "version": etag(state),
    }
    return resource


# --- Reading a request body into the flat state ----------------------------------------------

def to_bool(value, name="active"):
    """Entra has sent booleans as the strings "True"/"False"; accept those, nothing vaguer."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ScimError(400, "invalidValue", f"{name} must be true or false.")


def pick_email(emails):
    if not isinstance(emails, list):
        emails = [emails]
    emails = [e for e in emails if isinstance(e, dict) and e.get("value")]
    for test in (lambda e: _truthy(e.get("primary")), lambda e: str(e.get("type", "")).lower() == "work",
                 lambda e: True):
        for email in emails:
            if test(email):
                return str(email["value"])
    return None


def _truthy(value):
    try:
        return to_bool(value, "primary")
    except ScimError:
        return False


def _text(value, name):
    if value is None:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ScimError(400, "invalidValue", f"{name} must be a string.")
    return str(value).strip()


def state_from_body(body, current=None):
    """A full resource (POST/PUT) as flat state. Attributes left out are cleared, except `active`
    (left out means unchanged: a PUT must not reactivate someone by omission)."""
    state = {"externalId": "", "givenName": "", "familyName": "", "nickName": "", "employeeNumber": ""}
    state["active"] = current["active"] if current else True
    state["userType"] = current["userType"] if current else "Student"
    lowered = {str(k).lower(): v for k, v in body.items()}
    for key, value in lowered.items():
        set_attribute(state, key, value)
    return state


def set_attribute(state, path, value):
    """Set one attribute, given as a lower-cased SCIM path without filters, into the flat state."""
    path = _strip_urn(path)
    if path in {"name", ENTERPRISE_SCHEMA.lower()} and isinstance(value, dict):
        for sub, sub_value in value.items():
            set_attribute(state, f"{path}.{sub.lower()}" if path == "name" else sub.lower(), sub_value)
        return
    simple = {"username": "userName", "externalid": "externalId", "displayname": "displayName",
              "nickname": "nickName", "name.givenname": "givenName", "name.familyname": "familyName",
              "name.formatted": "displayName", "employeenumber": "employeeNumber", "usertype": "userType"}
    if path in simple:
        state[simple[path]] = _text(value, simple[path])
    elif path == "active":
        state["active"] = to_bool(value)
    elif path in {"emails", "emails.value"}:
        email = pick_email(value) if not isinstance(value, str) else value
        if email is not None:
            state["email"] = email.strip()
    elif path.split(".")[0].split("[")[0] in IGNORED or path.startswith("urn:"):
        return  # an attribute we do not keep, or another extension schema (Entra sends custom ones)
    else:
        raise ScimError(400, "invalidPath", f"Unknown attribute: {path}")


def _strip_urn(path):
    for urn in (USER_SCHEMA.lower() + ":", ENTERPRISE_SCHEMA.lower() + ":"):
        if path.startswith(urn):
            return path[len(urn):]
    return path


# --- Applying the flat state through the actions ---------------------------------------------

def _full_name(state):
    name = state.get("displayName") or " ".join(p for p in (state.get("givenName"), state.get("familyName")) if p)
    return name.strip()


def _validated(state, current_role=None):
    user_name = state.get("userName", "").strip()
    if not user_name:
        raise ScimError(400, "invalidValue", "userName is required.")
    email = (state.get("email") or "").strip().lower()
    if not email and "@" in user_name:
        email = user_name.lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ScimError(400, "invalidValue",
                        "An email address is required (emails or an email-shaped userName).") from None
    user_type = str(state.get("userType", "")).strip().lower()
    role = SCIM_ROLES.get(user_type)
    if current_role is not None and user_type == Role(current_role).label.lower():
        role = current_role  # unchanged, whatever it is
    if role is None:
        raise ScimError(400, "invalidValue", "userType must be Student or Teacher.")
    full_name = _full_name(state) or email
    return user_name, email, role, full_name


def _check_unique(user_name, email, exclude_pk=None):
    others = users_queryset().exclude(pk=exclude_pk) if exclude_pk else users_queryset()
    if others.filter(scim_user_name__iexact=user_name).exists():
        raise ScimError(409, "uniqueness", "Another person already has this userName.")
    if others.filter(email__iexact=email).exists():
        raise ScimError(409, "uniqueness", "Another person already has this email address.")


def create_user(state, *, actor):
    user_name, email, role, full_name = _validated(state)
    _check_unique(user_name, email)
    try:
        with transaction.atomic():
            user = do_create_user(email, full_name, role, student_number=state.get("employeeNumber", ""),
                                  acting_user=actor)
            extra = {"preferred_name": state["nickName"]} if state.get("nickName") else {}
            if extra:
                do_update_person(user, acting_user=actor, **extra)
            _record_identity(user, state, user_name, actor)
            if not state.get("active", True):
                do_deactivate_user(user, acting_user=actor)
    except IntegrityError:  # a concurrent request took the userName or email between check and insert
        raise ScimError(409, "uniqueness", "Another person already has this userName or email.") from None
    return user


def update_user(user, state, *, actor):
    """Bring `user` to `state` (already merged with the current state), one action per kind of change."""
    before = user_state(user)
    user_name, email, role, full_name = _validated(state, current_role=user.role)
    _check_unique(user_name, email, exclude_pk=user.pk)
    details = {}
    if email != user.email:
        details["email"] = email
    if full_name != user.full_name:
        details["full_name"] = full_name
    if state.get("nickName", "") != user.preferred_name:
        details["preferred_name"] = state.get("nickName", "")
    if state.get("employeeNumber", "") != user.student_number:
        details["student_number"] = state.get("employeeNumber", "")
    if role != user.role and user.role in ADMIN_ROLES:
        raise ScimError(400, "mutability", "This person's role is managed in the institution's admin.")
    try:
        with transaction.atomic():
            if details:
                do_update_person(user, acting_user=actor, **details)
            if role != user.role:
                do_change_role(user, role, acting_user=actor)
            identity_keys = ("userName", "externalId", "givenName", "familyName")
            if any(state.get(k, "") != before[k] for k in identity_keys) or _identity(user) is None:
                _record_identity(user, state, user_name, actor)
            if state["active"] != user.is_active:
                (do_reactivate_user if state["active"] else do_deactivate_user)(user, acting_user=actor)
    except ValidationError as exc:
        raise ScimError(400, "invalidValue", "; ".join(exc.messages)) from None
    except IntegrityError:
        raise ScimError(409, "uniqueness", "Another person already has this userName or email.") from None
    return user


def _record_identity(user, state, user_name, actor):
    do_update_scim_identity(
        user, acting_user=actor, user_name="" if user_name.lower() == user.email else user_name,
        external_id=state.get("externalId", ""), given_name=state.get("givenName", ""),
        family_name=state.get("familyName", ""),
    )


def delete_user(user, *, actor):
    with transaction.atomic():
        if user.is_active:
            do_deactivate_user(user, acting_user=actor)
        do_forget_scim_identity(user, acting_user=actor)

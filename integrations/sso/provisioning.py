"""Just-in-time creation of a person on their first SAML sign-in.

Runs inside allauth's pre_social_login, after the response passed every check and after allauth
looked the person up by their SAML account and by verified email (linking). Only when both failed
does a new account get created, through accounts.actions.do_create_user (so it is audited), and
only when the institution's admin turned JIT provisioning on and the role rule gives a role.
Attributes are read from the assertion here and never logged.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.actions import do_create_user
from accounts.models import Role
from integrations.sso.errors import refuse
from integrations.sso.models import SamlIdentityProvider


def _first(attributes, name):
    values = attributes.get(name) or [] if name else []
    return (values[0] or "").strip() if values else ""


def person_from_attributes(config, attributes):
    """(full name, role or None, student number) from the assertion's attributes."""
    full_name = _first(attributes, config.attr_full_name)
    if not full_name:
        full_name = " ".join(p for p in (_first(attributes, config.attr_first_name),
                                         _first(attributes, config.attr_last_name)) if p)
    role_values = attributes.get(config.attr_role) or [] if config.attr_role else []
    role = config.role_for(list(role_values))
    student_number = _first(attributes, config.attr_student_number) if role == Role.STUDENT else ""
    return full_name, role, student_number


def create_or_refuse(request, sociallogin):
    config = SamlIdentityProvider.objects.filter(enabled=True).first()
    if config is None or not config.jit_provisioning:
        raise refuse(request, "no_account")
    email = (sociallogin.user.email or "").strip().lower()
    if not email:
        raise refuse(request, "no_email")
    full_name, role, student_number = person_from_attributes(config, sociallogin.account.extra_data or {})
    if role is None:
        raise refuse(request, "role_not_allowed")
    try:
        with transaction.atomic():
            user = do_create_user(email, full_name[:200] or email.partition("@")[0], role,
                                  student_number=student_number[:50], acting_user=None)
            sociallogin.user = user
            # connect=True: the address was recorded (verified) by do_create_user already.
            sociallogin.save(request, connect=True)
    except ValidationError as exc:
        # An address Django will not accept; the field names only, never the values.
        raise refuse(request, "invalid_attributes", detail=sorted(exc.message_dict)) from exc
    except IntegrityError as exc:
        # The same new person's first sign-in in two tabs at once: the other tab created them.
        raise refuse(request, "try_again") from exc

"""SAML sign-in: allauth's SAML provider (python3-saml underneath) with the checks it leaves out.

Design note (read before changing anything here)
- allauth drives the flow (login → IdP → ACS → finish → complete_social_login); python3-saml
  checks the XML: schema, signature against the institution's IdP certificate only, issuer,
  audience (our SP entity id), Destination when present, Recipient, NotBefore/NotOnOrAfter with its
  fixed 300 s drift, signature-wrapping (it reads only the signed assertion, and rejects extra,
  duplicated or misplaced signatures). `security_settings()` turns on what python3-saml leaves off
  by default: signed assertions, deprecated algorithms (SHA-1) rejected, strict mode.
- What neither library does, done in `InstitutionSAMLProvider.sociallogin_from_response` (it runs
  right after python3-saml accepted the response, before anyone is logged in):
  * Destination must be present (python3-saml only compares it when there is one).
  * InResponseTo: a response naming a request must name one this browser started here (allauth
    would raise a bare 403 later; we show the SSO error page). A response without it is
    unsolicited (IdP-initiated) and refused unless the institution's admin allowed that.
  * Replay: each assertion id is accepted once (SamlAssertionSeen, unique in the institution's
    schema) until its SubjectConfirmationData NotOnOrAfter (+ drift) has passed; an assertion
    without that NotOnOrAfter is refused, since it could be replayed forever.
- What can go wrong: a response from another institution's IdP fails the signature/issuer check
  (each institution's config lives in its own schema); a response meant for another institution
  of the same IdP fails audience and destination. Never turn `strict` off, never catch the
  python3-saml errors to "try again", and never log attributes or the NameID (personal data).
- Adding an attribute: add a field on SamlIdentityProvider, map it in `app_settings()` and read it
  in integrations/sso/provisioning.py.
"""

import logging
import time
from datetime import UTC, datetime, timedelta

from allauth.socialaccount.internal import statekit
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.db import IntegrityError, transaction
from django.utils import timezone
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from integrations.sso.errors import refuse
from integrations.sso.models import SamlAssertionSeen, SamlIdentityProvider

logger = logging.getLogger(__name__)

ALLOWED_CLOCK_DRIFT = timedelta(seconds=OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT)


def security_settings(config: SamlIdentityProvider) -> dict:
    """The `advanced` block allauth passes to python3-saml: safe values, never library defaults."""
    return {
        "strict": True,
        "want_assertion_signed": True,
        "want_message_signed": config.want_messages_signed,
        "reject_deprecated_algorithm": True,
        "reject_idp_initiated_sso": not config.allow_idp_initiated,
        "want_name_id": True,
        "want_attribute_statement": True,
        "allow_single_label_domains": False,
        "authn_request_signed": False,
        "digest_algorithm": OneLogin_Saml2_Constants.SHA256,
        "signature_algorithm": OneLogin_Saml2_Constants.RSA_SHA256,
    }


def app_settings(config: SamlIdentityProvider) -> dict:
    """SocialApp.settings for allauth's SAML provider, built from the institution's own row."""
    mapping = {"email": [config.attr_email], "first_name": [config.attr_first_name],
               "last_name": [config.attr_last_name]}
    return {
        "idp": {"entity_id": config.entity_id, "sso_url": config.sso_url, "x509cert": config.x509cert},
        "attribute_mapping": mapping,
        "advanced": security_settings(config),
        # The institution's own IdP vouches for its people's addresses: link by email.
        "verified_email": True,
        "email_authentication": True,
    }


def _utc(timestamp):
    return datetime.fromtimestamp(timestamp, tz=UTC)


def remember_assertion(assertion_id: str, not_on_or_after) -> bool:
    """Record an accepted assertion id; False when it was seen before (a replay)."""
    now = timezone.now()
    SamlAssertionSeen.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            SamlAssertionSeen.objects.create(assertion_id=assertion_id,
                                             expires_at=not_on_or_after + ALLOWED_CLOCK_DRIFT)
    except IntegrityError:
        return False
    return True


class InstitutionSAMLProvider(SAMLProvider):
    """allauth's SAML provider, checked further (see the module's design note).

    Registered through SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"], allauth's documented
    way to swap a provider class; `package` keeps allauth's own SAML URLs and views.
    """

    package = "allauth.socialaccount.providers.saml"

    def extract_uid(self, data):
        # A transient NameID changes at every sign-in: each would link one more SocialAccount row.
        # Then the (mapped) email is the stable identifier.
        if data.get_nameid_format() == OneLogin_Saml2_Constants.NAMEID_TRANSIENT:
            email = self._extract(data).get("email")
            if email:
                return email.strip().lower()
        return super().extract_uid(data)

    def sociallogin_from_response(self, request, response):
        auth = response
        self._check_response(request, auth)
        return super().sociallogin_from_response(request, auth)

    def _check_response(self, request, auth):
        root = OneLogin_Saml2_XML.to_etree(auth.get_last_response_xml())
        if not root.get("Destination"):
            raise refuse(request, "saml_no_destination")
        in_response_to = auth.get_last_response_in_response_to()
        if in_response_to:
            stashed = statekit.get_states(request).get(in_response_to)
            if (not stashed or len(stashed) != 3 or stashed[2] != self.sub_id
                    or time.time() - stashed[1] > statekit.STATE_TTL):
                raise refuse(request, "saml_unknown_request")
        elif self.app.settings.get("advanced", {}).get("reject_idp_initiated_sso", True):
            raise refuse(request, "saml_unsolicited")
        assertion_id = auth.get_last_assertion_id()
        not_on_or_after = auth.get_last_assertion_not_on_or_after()
        if not assertion_id or not not_on_or_after:
            raise refuse(request, "saml_no_expiry")
        if not remember_assertion(assertion_id, _utc(not_on_or_after)):
            raise refuse(request, "saml_replayed")


"""One error page for every refused single sign-on, and one log line per refusal.

The page says what the person can do about it, never the technical detail or anyone's data;
the log line carries a fixed reason code and the institution's schema, never the NameID, email
or attributes (personal data), so it is safe at WARNING in any log pipeline.
"""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from django.db import connection
from django.shortcuts import render

logger = logging.getLogger("integrations.sso")

START_AGAIN = "Please go back to the sign-in page and start again."
MESSAGES = {
    "saml_invalid": "The answer from your school's sign-in service could not be verified.",
    "saml_no_destination": "The answer from your school's sign-in service could not be verified.",
    "saml_no_expiry": "The answer from your school's sign-in service could not be verified.",
    "saml_unknown_request": "This sign-in was not started on this site, or it took too long. " + START_AGAIN,
    "saml_unsolicited": "This site only accepts sign-ins started here. " + START_AGAIN,
    "saml_replayed": "This sign-in answer has already been used. " + START_AGAIN,
    "provider_error": "Signing in with your school account did not work. " + START_AGAIN,
    "no_email": "Your school's sign-in service did not tell us your email address, so we cannot find "
                "your account. Please ask your school's administrator.",
    "no_account": "There is no Scribe Tree account for you here yet. Please ask your school's administrator.",
    "role_not_allowed": "Your school has not set up Scribe Tree sign-in for your role. "
                        "Please ask your school's administrator.",
    "invalid_attributes": "Your school's sign-in service sent details we cannot use to create your account. "
                          "Please ask your school's administrator.",
    "try_again": "Your account was being set up in another window. " + START_AGAIN,
    "wrong_domain": "That account is not one of this school's accounts. Sign in with your school account "
                    "instead (you may need to sign out of the other account first).",
}


def refuse(request, code, status=403, detail=None):
    """Log the reason and build the response to raise: `raise refuse(request, "saml_replayed")`.

    `detail` is logged too: give it only what names no person (field names, not values)."""
    logger.warning("SSO refused: reason=%s institution=%s%s", code, connection.schema_name,
                   f" detail={detail}" if detail else "")
    response = render(request, "sso/error.html", {"message": MESSAGES[code], "code": code}, status=status)
    return ImmediateHttpResponse(response)

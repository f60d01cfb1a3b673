"""Launch validation: every check an LTI 1.3 id_token must pass before anyone is signed in.

Hand-written on PyJWT, with pylti1p3's message validators for the claims of each message type.
pylti1p3's own MessageLaunch is not used because most of its checks fall short (PITFALLS.md):
the nonce is checked for presence but never consumed and not tied to the login's state, `exp` is
only checked when present, `aud[0]` is taken as the client id and `azp` ignored, platform keys are
refetched on every launch, and its state check accepts a state found in a cookie *or* in the
session without binding it to the nonce. Overriding five of its eight steps would leave little of
it; what is sound and kept is its per-message-type claim validation (`get_validators`).

The checks, in order (each a LaunchError code, each tested in tests/integrations/lti/):
  missing_token / missing_state    the form post lacks id_token or state
  malformed                        not a JWT
  bad_header                       no kid, or an algorithm other than RS256 (no "none", no HS256)
  unknown_registration             (iss, client id) not registered *in this institution's schema*
  azp                              several audiences without azp, or azp not our client id
  unknown_kid                      no platform key with that kid, even after one refetch
  bad_signature / expired / not_yet_valid (iat in the future) / wrong_iss / wrong_aud / missing_claim
                                   by PyJWT, with exp, iat, iss, aud, nonce and sub required
  message_type / version           only LtiResourceLinkRequest and LtiDeepLinkingRequest, version 1.3.0
  invalid_message                  pylti1p3's claim validation for that message type
  unknown_deployment               deployment_id not registered for this registration
  unknown_state / state_used / state_expired / nonce_mismatch / browser_mismatch
                                   the login's state: issued here for this registration, unused, under
                                   10 minutes old, carrying this token's nonce, and presented by the
                                   browser that started the login (cookie or platform storage)
The state row is locked and marked used (and committed) before the launch is applied, so two
concurrent posts of one launch cannot both succeed (the second waits, then sees used_at), and a
launch refused afterwards cannot be posted again.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

import jwt
from django.utils import timezone
from pylti1p3.exception import LtiException
from pylti1p3.message_validators import get_validators

from integrations.lti.models import LoginState, PlatformRegistration
from integrations.lti.platform_keys import PlatformKeyError, platform_key

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPES = {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
STATE_LIFETIME = timedelta(minutes=10)
LEEWAY_SECONDS = 30


class LaunchError(Exception):
    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass
class VerifiedToken:
    registration: PlatformRegistration
    claims: dict

    @property
    def message_type(self):
        return self.claims[LTI + "message_type"]

    @property
    def deployment_id(self):
        return self.claims[LTI + "deployment_id"]


def secret_hash(value):
    return hashlib.sha256(value.encode()).hexdigest()


def _client_id(claims):
    aud = claims.get("aud")
    azp = claims.get("azp")
    if isinstance(aud, str):
        audiences = [aud]
    elif isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
        audiences = aud
    else:
        raise LaunchError("wrong_aud", "no audience")
    if len(audiences) > 1:
        if not azp:
            raise LaunchError("azp", "several audiences and no azp")
        if azp not in audiences:
            raise LaunchError("azp", "azp is not one of the audiences")
        return azp
    if azp is not None and azp != audiences[0]:
        raise LaunchError("azp", "azp does not match the audience")
    return audiences[0]


def verify_token(id_token):
    """Signature, registration, time, audience, message and deployment checks (no state yet)."""
    if not id_token:
        raise LaunchError("missing_token")
    try:
        header = jwt.get_unverified_header(id_token)
        unverified = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise LaunchError("malformed") from None
    if header.get("alg") != "RS256" or not header.get("kid"):
        raise LaunchError("bad_header", "RS256 with a kid is required")
    issuer = unverified.get("iss")
    if not isinstance(issuer, str):
        raise LaunchError("unknown_registration", "no issuer")
    client_id = _client_id(unverified)
    # Registrations live in the institution's schema: a token for Northside's registration sent to
    # Riverside's domain finds nothing here.
    registration = PlatformRegistration.objects.filter(issuer=issuer, client_id=client_id, is_active=True).first()
    if registration is None:
        raise LaunchError("unknown_registration")
    try:
        key = platform_key(registration, header["kid"])
    except PlatformKeyError as exc:
        raise LaunchError("unknown_kid", str(exc)) from None
    try:
        claims = jwt.decode(
            id_token, key, algorithms=["RS256"], audience=client_id, issuer=registration.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "nonce", "sub"], "verify_iat": True},
        )
    except jwt.ExpiredSignatureError:
        raise LaunchError("expired") from None
    except jwt.ImmatureSignatureError:
        raise LaunchError("not_yet_valid") from None
    except jwt.InvalidIssuerError:
        raise LaunchError("wrong_iss") from None
    except jwt.InvalidAudienceError:
        raise LaunchError("wrong_aud") from None
    except jwt.MissingRequiredClaimError as exc:
        raise LaunchError("missing_claim", exc.claim) from None
    except jwt.InvalidSignatureError:
        raise LaunchError("bad_signature") from None
    except jwt.InvalidTokenError as exc:
        raise LaunchError("invalid_token", type(exc).__name__) from None
    # PyJWT checks iat only for being a number; a token issued in the future is refused here.
    if claims["iat"] > timezone.now().timestamp() + LEEWAY_SECONDS:
        raise LaunchError("not_yet_valid")
    message_type = claims.get(LTI + "message_type")
    if message_type not in MESSAGE_TYPES:
        raise LaunchError("message_type", str(message_type)[:50])
    if claims.get(LTI + "version") != "1.3.0":
        raise LaunchError("version")
    try:
        for validator in get_validators():
            if validator.can_validate(claims):
                validator.validate(claims)
    except LtiException as exc:
        raise LaunchError("invalid_message", str(exc)) from None
    deployment_id = claims.get(LTI + "deployment_id")
    if not deployment_id or not registration.deployments.filter(deployment_id=deployment_id).exists():
        raise LaunchError("unknown_deployment")
    return VerifiedToken(registration, claims)


def find_state(token, state):
    """The unused login state for this token (not locked; for deciding how to bind the browser)."""
    if not state:
        raise LaunchError("missing_state")
    login = LoginState.objects.filter(state=state, registration=token.registration).first()
    if login is None:
        raise LaunchError("unknown_state")
    if login.used_at is not None:
        raise LaunchError("state_used")
    return login


def consume_state(token, state, browser_secret):
    """Lock the state, check nonce, age and browser, and mark it used. Call inside atomic()."""
    if not state:
        raise LaunchError("missing_state")
    login = LoginState.objects.select_for_update().filter(state=state, registration=token.registration).first()
    if login is None:
        raise LaunchError("unknown_state")
    if login.used_at is not None:
        raise LaunchError("state_used")
    if timezone.now() - login.created_at > STATE_LIFETIME:
        raise LaunchError("state_expired")
    if not hmac.compare_digest(login.nonce, str(token.claims.get("nonce", ""))):
        raise LaunchError("nonce_mismatch")
    if not browser_secret or not hmac.compare_digest(login.browser_secret_hash, secret_hash(browser_secret)):
        raise LaunchError("browser_mismatch")
    login.used_at = timezone.now()
    login.save(update_fields=["used_at"])
    return login

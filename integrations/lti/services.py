"""LTI Advantage service calls: OAuth 2 client-credentials tokens, NRPS pages, AGS scores.

Hand-written on requests rather than pylti1p3's ServiceConnector: that one keeps tokens in a dict
on the connector object, ignoring `expires_in` (a long-lived worker would use a dead token; a new
connector per task would fetch one per call), and its NRPS paging lowercases the `Link` header's
URLs, which breaks platforms whose page URLs are case-sensitive (PITFALLS.md). `requests` parses
Link headers (`response.links`) without changing them.
"""

import secrets
import time
from urllib.parse import urlparse

import requests
from django.core.cache import cache

from integrations.lti import keys
from integrations.lti.outbound import UnsafeUrl, check_outbound_url

HTTP_TIMEOUT = 15
SCOPE_MEMBERSHIPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
MAX_PAGES = 200  # a runaway "next" chain stops here (200 pages of 100-1000 members)


class ServiceError(Exception):
    def __init__(self, message, *, retryable=True):
        super().__init__(message)
        self.retryable = retryable


def _token_cache_key(registration, scopes):
    return f"lti:token:{registration.pk}:{' '.join(sorted(scopes))}"


def _checked(url):
    try:
        return check_outbound_url(url)
    except UnsafeUrl as exc:
        host = urlparse(url or "").netloc or "that URL"
        raise ServiceError(f"refused to call {host}: {exc}", retryable=False) from None


def access_token(registration, scopes):
    """A bearer token for `scopes`, cached (in the institution's cache) until shortly before expiry."""
    key = _token_cache_key(registration, scopes)
    token = cache.get(key)
    if token:
        return token
    now = int(time.time())
    assertion = keys.sign({
        "iss": registration.client_id, "sub": registration.client_id, "aud": registration.token_audience,
        "iat": now, "exp": now + 300, "jti": secrets.token_urlsafe(16),
    })
    try:
        response = requests.post(_checked(registration.auth_token_url), timeout=HTTP_TIMEOUT, data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": " ".join(scopes),
        })
    except requests.RequestException as exc:
        raise ServiceError(f"token endpoint unreachable ({type(exc).__name__})") from None
    if response.status_code != 200:
        raise ServiceError(f"token endpoint answered {response.status_code}",
                           retryable=response.status_code >= 500 or response.status_code == 429)
    try:
        body = response.json()
        token = body["access_token"]
        expires_in = int(body.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError):
        raise ServiceError("token endpoint answered without a token") from None
    cache.set(key, token, max(expires_in - 60, 1))
    return token


def forget_token(registration, scopes):
    cache.delete(_token_cache_key(registration, scopes))


def membership_pages(context):
    """Yield each page's members, following rel="next" Link headers."""
    registration = context.registration
    url = context.memberships_url
    for _ in range(MAX_PAGES):
        token = access_token(registration, [SCOPE_MEMBERSHIPS])
        try:
            response = requests.get(_checked(url), timeout=HTTP_TIMEOUT, headers={
                "Authorization": f"Bearer {token}", "Accept": NRPS_MEDIA_TYPE})
        except requests.RequestException as exc:
            raise ServiceError(f"roster endpoint unreachable ({type(exc).__name__})") from None
        if response.status_code == 401:
            forget_token(registration, [SCOPE_MEMBERSHIPS])
        if response.status_code != 200:
            raise ServiceError(f"roster endpoint answered {response.status_code}",
                               retryable=response.status_code >= 500 or response.status_code in (401, 429))
        try:
            members = response.json()["members"]
        except (ValueError, KeyError, TypeError):
            raise ServiceError("roster endpoint answered without members", retryable=False) from None
        yield members
        url = response.links.get("next", {}).get("url")
        if not url:
            return
    raise ServiceError("roster has more pages than we follow", retryable=False)


def scores_url(lineitem_url):
    """The line item's /scores endpoint (the query string, if any, stays at the end)."""
    base, _, query = lineitem_url.partition("?")
    return f"{base.rstrip('/')}/scores" + (f"?{query}" if query else "")


def activity_progress(submission):
    """AGS activityProgress from the student's side: submitted work is Completed; a grade given to work
    never submitted says where the student got to (InProgress once they started, else Initialized)."""
    if submission.last_submitted_at is not None:
        return "Completed"
    return "InProgress" if submission.started_at is not None else "Initialized"


def score_payload(passback):
    return {
        "userId": passback.lti_user_id,
        "scoreGiven": float(passback.score_given),
        "scoreMaximum": float(passback.score_maximum),
        "activityProgress": activity_progress(passback.submission),
        # Sent only once the teacher released the grade: grading is final from the LMS's view.
        "gradingProgress": "FullyGraded",
        "timestamp": passback.graded_at.isoformat(timespec="milliseconds"),
    }


def post_score(passback):
    registration = passback.resource_link.context.registration
    token = access_token(registration, [SCOPE_SCORE])
    try:
        url = _checked(scores_url(passback.resource_link.lineitem_url))
        response = requests.post(url, json=score_payload(passback), timeout=HTTP_TIMEOUT,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA_TYPE})
    except requests.RequestException as exc:
        raise ServiceError(f"score endpoint unreachable ({type(exc).__name__})") from None
    if response.status_code == 401:
        forget_token(registration, [SCOPE_SCORE])
    if response.status_code not in (200, 201, 202, 204):
        raise ServiceError(f"score endpoint answered {response.status_code}",
                           retryable=response.status_code >= 500 or response.status_code in (401, 408, 429))

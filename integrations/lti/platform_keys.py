"""Platform public keys (JWKS), cached per registration and refetched when a token names an unknown kid.

pylti1p3 refetches the platform's key set on every launch unless given a cache, and never refetches
on a kid it does not know (docs/lti.md). Here: the key set is cached for a day in the institution's
(schema-prefixed) cache; a token whose kid is not in it triggers one refetch, at most once every
REFETCH_AFTER_SECONDS per registration, so a stream of forged tokens with made-up kids cannot make
us hammer the platform.
"""

import time

import jwt
import requests
from django.core.cache import cache

from integrations.lti.outbound import UnsafeUrl, check_outbound_url

CACHE_SECONDS = 24 * 60 * 60
REFETCH_AFTER_SECONDS = 30
HTTP_TIMEOUT = 10


class PlatformKeyError(Exception):
    pass


def _now():
    return time.time()


def _cache_key(registration):
    return f"lti:jwks:{registration.pk}"


def _fetch(registration):
    try:
        check_outbound_url(registration.key_set_url)
    except UnsafeUrl as exc:
        raise PlatformKeyError(f"the key set URL is refused: {exc}") from None
    try:
        response = requests.get(registration.key_set_url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        keys = response.json()["keys"]
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise PlatformKeyError(f"the platform's key set could not be read ({type(exc).__name__})") from None
    if not isinstance(keys, list):
        raise PlatformKeyError("the platform's key set is not a list of keys")
    entry = {"keys": keys, "fetched_at": _now()}
    cache.set(_cache_key(registration), entry, CACHE_SECONDS)
    return entry


def _find(entry, kid):
    for jwk in entry["keys"]:
        if isinstance(jwk, dict) and jwk.get("kid") == kid and jwk.get("kty") == "RSA":
            return jwt.PyJWK.from_dict(jwk, algorithm="RS256").key
    return None


def platform_key(registration, kid):
    entry = cache.get(_cache_key(registration))
    if entry is None:
        entry = _fetch(registration)
    key = _find(entry, kid)
    if key is None and _now() - entry["fetched_at"] >= REFETCH_AFTER_SECONDS:
        entry = _fetch(registration)
        key = _find(entry, kid)
    if key is None:
        raise PlatformKeyError("no platform key has the token's kid")
    return key

"""OIDC client secrets are stored sealed (Fernet), never in clear in the institution's schema.

The key is derived (HKDF-SHA256) from Django's SECRET_KEY, so a database dump or backup alone
does not give away an institution's Google/Microsoft client secret. Rotating SECRET_KEY: put the
old key in SECRET_KEY_FALLBACKS and secrets still open; a secret that no key opens is treated as
missing (sign-in with that provider fails and the admin enters it again), and logged without it.
"""

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

logger = logging.getLogger("integrations.sso")
PREFIX = "fernet1:"


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"scribetree", info=b"integrations.sso client secret"
               ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal(plaintext: str) -> str:
    return PREFIX + _fernet(settings.SECRET_KEY).encrypt(plaintext.encode()).decode()


def unseal(stored: str) -> str:
    if not stored:
        return ""
    if not is_sealed(stored):
        raise ValueError("client secret is not sealed")
    token = stored[len(PREFIX):].encode()
    for secret_key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        try:
            return _fernet(secret_key).decrypt(token).decode()
        except InvalidToken:
            continue
    logger.warning("An OIDC client secret could not be opened with SECRET_KEY or its fallbacks; "
                   "the admin must enter it again.")
    return ""

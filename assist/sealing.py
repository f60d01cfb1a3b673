"""Seal provider API keys at rest (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

The sealing key is ASSIST_SEALING_KEY (or ASSIST_SEALING_KEY_FILE) when set, else derived from
SECRET_KEY with HKDF, so a key copied out of a database dump is useless without the server's
secret. Rotating the secret means re-entering the institutions' keys (documented in
docs/writing-support.md). A sealed key is never shown back: the admin says only whether one is set.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _fernet():
    secret = (settings.ASSIST_SEALING_KEY or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"scribetree-assist", info=b"provider-key").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value):
    return _fernet().encrypt(value.encode()) if value else b""


def unseal(sealed):
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(bytes(sealed)).decode()
    except InvalidToken:
        return ""  # sealed under another secret: treated as "no key" (the admin is told to re-enter it)

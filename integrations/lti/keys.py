"""The tool's own RSA keys: generation, encrypted storage, the published key set, signing.

The private key is stored encrypted with Fernet (AES-128-CBC + HMAC) under a key derived by HKDF
from LTI_KEY_SECRET (default: SECRET_KEY) and the institution's schema name, so a database dump
alone reveals no private key and one institution's ciphertext cannot be decrypted as another's.
Changing LTI_KEY_SECRET makes stored keys unreadable: rotate every institution's key afterwards
(platforms read the new public key from the JWKS URL by themselves).

Rotation keeps the previous key published (status PREVIOUS) so tokens a platform is still
verifying keep verifying; the one before that is retired and no longer published.
"""

import base64
import secrets

import jwt
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from integrations.lti.models import ToolKey


def _fernet():
    secret = getattr(settings, "LTI_KEY_SECRET", "") or settings.SECRET_KEY
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"scribetree-lti-tool-key",
                   info=connection.schema_name.encode()).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _new_key_row(status):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    kid = secrets.token_urlsafe(16)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk.update(kid=kid, alg="RS256", use="sig")
    return ToolKey(kid=kid, status=status, public_jwk=jwk, private_key_encrypted=_fernet().encrypt(pem))


@transaction.atomic
def rotate_tool_key():
    """Make a new active key; the active one becomes PREVIOUS, the previous one RETIRED."""
    now = timezone.now()
    ToolKey.objects.select_for_update().filter(status=ToolKey.Status.PREVIOUS).update(
        status=ToolKey.Status.RETIRED, retired_at=now)
    ToolKey.objects.filter(status=ToolKey.Status.ACTIVE).update(status=ToolKey.Status.PREVIOUS)
    key = _new_key_row(ToolKey.Status.ACTIVE)
    key.save()
    return key


def active_key():
    """The signing key, made on first use (an institution that never used LTI has none)."""
    key = ToolKey.objects.filter(status=ToolKey.Status.ACTIVE).first()
    if key is None:
        with transaction.atomic():
            ToolKey.objects.select_for_update().filter(status=ToolKey.Status.ACTIVE).first()
            key = ToolKey.objects.filter(status=ToolKey.Status.ACTIVE).first() or rotate_tool_key()
    return key


def public_key_set():
    if not ToolKey.objects.filter(status=ToolKey.Status.ACTIVE).exists():
        active_key()
    keys = ToolKey.objects.filter(status__in=[ToolKey.Status.ACTIVE, ToolKey.Status.PREVIOUS])
    return {"keys": [k.public_jwk for k in keys]}


def sign(claims):
    """A JWT signed with the active tool key (RS256, its kid in the header)."""
    key = active_key()
    private_pem = _fernet().decrypt(bytes(key.private_key_encrypted))
    # Skipping cryptography's RSA key validation (~60-90 ms per load here) is safe for this PEM only:
    # we generated it, and Fernet's HMAC proves it is the one we stored.
    private_key = serialization.load_pem_private_key(private_pem, password=None, unsafe_skip_rsa_key_validation=True)
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": key.kid})

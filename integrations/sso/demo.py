"""Demo single sign-on: Northside signs in through the local dev IdP (integrations/sso/dev_idp.py).

Called by seed_demo inside Northside's schema. Idempotent: creates the IdP row once, and only
refreshes its certificate when the dev IdP's key pair was made anew (e.g. `.data/` was deleted).
An admin's own changes to the row (attributes, roles, switches) are kept.
"""

from django.conf import settings

from integrations.sso.actions import apply_metadata, do_save_saml_provider
from integrations.sso.dev_idp import DEFAULT_PORT, DevIdP, KeyPair
from integrations.sso.models import SamlIdentityProvider


def demo_idp(port=DEFAULT_PORT):
    base = f"http://localhost:{port}"
    return DevIdP(f"{base}/metadata", f"{base}/sso", KeyPair.load_or_create(settings.DATA_DIR / "dev-idp"))


def ensure_demo_saml():
    idp = demo_idp()
    config = SamlIdentityProvider.objects.first()
    if config is not None and (config.entity_id != idp.entity_id or config.x509cert == idp.key_pair.cert_base64):
        return config  # someone configured another IdP, or nothing changed
    if config is None:
        config = SamlIdentityProvider(enabled=True, name="Northside account (dev IdP)", jit_provisioning=True)
    apply_metadata(config, idp.metadata_xml())
    return do_save_saml_provider(config, acting_user=None)

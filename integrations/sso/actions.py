"""Every change to an institution's single sign-on settings (admin, seeding) goes through here."""

from django.db import transaction
from django.utils import timezone

from integrations.sso.metadata import fetch_metadata, parse_metadata
from integrations.sso.models import OidcProvider, SamlIdentityProvider
from integrations.sso.secrets import is_sealed, seal
from scribetree.audit import acting_as


def apply_metadata(config: SamlIdentityProvider, xml) -> SamlIdentityProvider:
    """Fill the IdP's entity id, SSO URL and certificate from its metadata (not saved)."""
    parsed = parse_metadata(xml)
    config.metadata_xml = xml.decode() if isinstance(xml, bytes) else xml
    config.metadata_fetched_at = timezone.now()
    config.entity_id, config.sso_url, config.x509cert = parsed["entity_id"], parsed["sso_url"], parsed["x509cert"]
    return config


def fetch_and_apply_metadata(config: SamlIdentityProvider) -> SamlIdentityProvider:
    """Fetch `config.metadata_url` (SSRF-safe, integrations/sso/metadata.py) and apply it."""
    return apply_metadata(config, fetch_metadata(config.metadata_url))


@transaction.atomic
def do_save_saml_provider(config: SamlIdentityProvider, *, acting_user) -> SamlIdentityProvider:
    with acting_as(acting_user):
        config.full_clean()
        config.save()
    return config


@transaction.atomic
def do_save_oidc_provider(provider: OidcProvider, *, acting_user) -> OidcProvider:
    """Save a Google/Microsoft sign-in; a client secret given in clear is sealed first."""
    with acting_as(acting_user):
        provider.email_domains = ", ".join(provider.domains)
        if provider.client_secret and not is_sealed(provider.client_secret):
            provider.client_secret = seal(provider.client_secret)
        provider.full_clean()
        provider.save()
    return provider


@transaction.atomic
def do_refresh_saml_metadata(config: SamlIdentityProvider, *, acting_user) -> bool:
    """Fetch the IdP's metadata URL again; save (audited) only when something changed.

    A certificate rotated at the IdP is picked up here; on any MetadataError the stored
    configuration is kept as it was (sign-in goes on with the old certificate).
    """
    before = (config.entity_id, config.sso_url, config.x509cert)
    fetch_and_apply_metadata(config)
    if (config.entity_id, config.sso_url, config.x509cert) == before:
        SamlIdentityProvider.objects.filter(pk=config.pk).update(metadata_fetched_at=config.metadata_fetched_at)
        return False
    do_save_saml_provider(config, acting_user=acting_user)
    return True

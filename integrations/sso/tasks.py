"""Daily refresh of IdP metadata given by URL (an IdP's rotated certificate is picked up)."""

import logging

from django.db import connection

from integrations.sso.actions import do_refresh_saml_metadata
from integrations.sso.metadata import MetadataError
from integrations.sso.models import SamlIdentityProvider
from scribetree.celery import InstitutionTask, PlatformTask, app
from tenants.tasks import for_each_institution

logger = logging.getLogger("integrations.sso")


@app.task(base=InstitutionTask)
def refresh_saml_metadata():
    config = SamlIdentityProvider.objects.exclude(metadata_url="").first()
    if config is None:
        return
    try:
        changed = do_refresh_saml_metadata(config, acting_user=None)
    except MetadataError as exc:
        # The message is ours (metadata.py) and names no person; the admin sees the same on save.
        logger.warning("SAML metadata refresh failed: institution=%s reason=%s", connection.schema_name, exc)
        return
    if changed:
        logger.info("SAML metadata changed: institution=%s", connection.schema_name)


@app.task(base=PlatformTask)
def dispatch_refresh_saml_metadata():
    for_each_institution(refresh_saml_metadata)

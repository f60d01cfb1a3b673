"""The daily metadata refresh picks up a rotated IdP certificate and keeps the old one on errors.

The fetch itself (SSRF rules, HTTP) is tested in test_metadata.py; here it is replaced by
what the IdP would serve, to test what the task does with it.
"""

from unittest import mock

from auditlog.models import LogEntry
from django.db import connection

from integrations.sso.dev_idp import DevIdP, KeyPair
from integrations.sso.metadata import MetadataError
from integrations.sso.models import SamlIdentityProvider
from integrations.sso.tasks import dispatch_refresh_saml_metadata, refresh_saml_metadata
from tests.integrations.sso.base import SamlTestCase

FETCH = "integrations.sso.actions.fetch_metadata"


class MetadataRefreshTests(SamlTestCase):
    def setUp(self):
        super().setUp()
        SamlIdentityProvider.objects.update(metadata_url="https://idp.northside.example/metadata")

    def test_it_picks_up_a_rotated_certificate(self):
        rotated = DevIdP(self.idp.entity_id, self.idp.sso_url, KeyPair.generate())
        with mock.patch(FETCH, return_value=rotated.metadata_xml().encode()) as fetch:
            refresh_saml_metadata()
        fetch.assert_called_once_with("https://idp.northside.example/metadata")
        config = SamlIdentityProvider.objects.get()
        self.assertEqual(config.x509cert, rotated.key_pair.cert_base64)
        self.assertTrue(LogEntry.objects.get_for_object(config).filter(changes__icontains="x509cert").exists())

    def test_it_keeps_the_configuration_when_the_fetch_fails(self):
        with mock.patch(FETCH, side_effect=MetadataError("The metadata address answered with HTTP 500.")), \
                self.assertLogs("integrations.sso", "WARNING") as logs:
            refresh_saml_metadata()
        self.assertEqual(SamlIdentityProvider.objects.get().x509cert, self.idp.key_pair.cert_base64)
        self.assertIn("institution=inst_northside reason=The metadata address answered with HTTP 500.",
                      logs.output[0])

    def test_it_writes_no_audit_entry_when_nothing_changed(self):
        config = SamlIdentityProvider.objects.get()
        entries = LogEntry.objects.get_for_object(config).count()
        with mock.patch(FETCH, return_value=self.idp.metadata_xml().encode()):
            refresh_saml_metadata()
        self.assertEqual(LogEntry.objects.get_for_object(config).count(), entries)
        self.assertIsNotNone(SamlIdentityProvider.objects.get().metadata_fetched_at)

    def test_it_runs_once_per_institution_in_each_ones_own_schema(self):
        seen = []
        self.addCleanup(connection.set_tenant, self.northside)  # the dispatcher runs in public
        with mock.patch(FETCH, side_effect=lambda url: seen.append(url) or self.idp.metadata_xml().encode()):
            dispatch_refresh_saml_metadata.apply()
        # Riverside's IdP was typed in (no metadata URL): only Northside's is fetched.
        self.assertEqual(seen, ["https://idp.northside.example/metadata"])

"""The SAML stack imports and agrees with itself (PITFALLS: lxml and xmlsec share one libxml2)."""

from importlib.metadata import version
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[3]


class SamlStackTests(SimpleTestCase):
    def test_it_imports_xmlsec_against_the_same_libxml2_as_lxml(self):
        import xmlsec
        from lxml import etree

        self.assertEqual(xmlsec.get_libxml_version(), etree.LIBXML_VERSION)
        self.assertEqual(xmlsec.get_libxml_compiled_version(), etree.LIBXML_COMPILED_VERSION)
        self.assertEqual(etree.LIBXML_VERSION, etree.LIBXML_COMPILED_VERSION)

    def test_it_can_sign_and_verify_with_xmlsec(self):
        from onelogin.saml2.utils import OneLogin_Saml2_Utils

        from integrations.sso.dev_idp import DevIdP, KeyPair
        from tests.integrations.sso.base import NORTHSIDE_KEYS

        idp = DevIdP("https://idp.example/saml", "https://idp.example/sso", NORTHSIDE_KEYS)
        root = idp.response_xml(acs_url="https://sp.example/acs", audience="https://sp.example/",
                                name_id="a@b.example", attributes={}, sign_response=True)
        self.assertTrue(OneLogin_Saml2_Utils.validate_sign(root, NORTHSIDE_KEYS.cert_pem.decode(),
                                                           xpath=OneLogin_Saml2_Utils.RESPONSE_SIGNATURE_XPATH))
        other = KeyPair.generate().cert_pem.decode()
        self.assertFalse(OneLogin_Saml2_Utils.validate_sign(root, other,
                                                            xpath=OneLogin_Saml2_Utils.RESPONSE_SIGNATURE_XPATH))

    def test_it_runs_the_pinned_versions(self):
        pins = {}
        for line in (ROOT / "requirements.txt").read_text().splitlines():
            name, sep, pinned = line.partition("==")
            if sep:
                pins[name.strip().lower()] = pinned.split(";")[0].strip()
        for package in ["lxml", "xmlsec", "python3-saml"]:
            with self.subTest(package=package):
                self.assertEqual(version(package), pins[package])

"""A tiny SAML 2.0 identity provider for local development and tests. NOT FOR PRODUCTION.

    .venv/bin/python -m integrations.sso.dev_idp [--port 8009]

It answers any service provider that sends it an AuthnRequest (HTTP-Redirect binding) with a page
of demo people; picking one posts a signed Response to the SP's assertion consumer service. There
is no password, no consent, no session: anyone who can reach it can be anyone. It listens on
127.0.0.1 only. Its key pair lives in `<data dir>/dev-idp/` (made on first use), and
`python3 dev.py run` (seed_demo) configures Northside against it (integrations/sso/demo.py).

The tests use the same `DevIdP.response_xml()` to build real signed responses, and then bend
them (unsigned, wrong key, SHA-1, wrapped, expired, wrong audience...) to prove each check.

Why not pysaml2 as the IdP: pysaml2 signs by running the `xmlsec1` command-line program, which
is not a Python package (a Debian package on this machine class, absent on a fresh one), so the
suite and the demo would depend on a system install. This module builds the XML by hand and signs
it with python-xmlsec's own template API (`xmlsec.template` + `SignatureContext`), not with
python3-saml's signing helpers, so the code that signs is not the code that verifies.
"""

import argparse
import base64
import datetime as dt
import html
import os
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
URI_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
DEFAULT_PORT = 8009

# The demo people (Northside's seeded accounts and one who exists only here: JIT provisioning).
DEMO_PEOPLE = [
    {"email": "teacher1@northside.example", "given": "Margaret", "surname": "Holloway",
     "affiliation": ["faculty", "member"], "number": ""},
    {"email": "student01@northside.example", "given": "Amara", "surname": "Okafor",
     "affiliation": ["student", "member"], "number": "NO-2026-001"},
    {"email": "new.student@northside.example", "given": "Noor", "surname": "Haddad",
     "affiliation": ["student", "member"], "number": "NO-2026-101"},
    {"email": "visitor@northside.example", "given": "Val", "surname": "Visitor",
     "affiliation": ["affiliate"], "number": ""},
]


def _now():
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def saml_time(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id():
    return "_" + secrets.token_hex(20)


@dataclass(frozen=True)
class KeyPair:
    key_pem: bytes
    cert_pem: bytes

    @property
    def cert_base64(self):
        body = self.cert_pem.decode().replace("-----BEGIN CERTIFICATE-----", "")
        return "".join(body.replace("-----END CERTIFICATE-----", "").split())

    @classmethod
    def generate(cls, common_name="Scribe Tree dev IdP"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = _now()
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650)).sign(key, hashes.SHA256()))
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        return cls(key_pem, cert.public_bytes(serialization.Encoding.PEM))

    @classmethod
    def load_or_create(cls, directory: Path):
        key_path, cert_path = directory / "idp-key.pem", directory / "idp-cert.pem"
        if not key_path.exists():
            pair = cls.generate()
            directory.mkdir(parents=True, exist_ok=True)
            key_path.write_bytes(pair.key_pem)
            os.chmod(key_path, 0o600)
            cert_path.write_bytes(pair.cert_pem)
        return cls(key_path.read_bytes(), cert_path.read_bytes())


def sign(element, key_pair: KeyPair, *, algorithm="sha256"):
    """Enveloped XML signature of `element` (Response or Assertion), placed after its Issuer."""
    sig_method = {"sha256": xmlsec.Transform.RSA_SHA256, "sha1": xmlsec.Transform.RSA_SHA1}[algorithm]
    digest = {"sha256": xmlsec.Transform.SHA256, "sha1": xmlsec.Transform.SHA1}[algorithm]
    signature = xmlsec.template.create(element, xmlsec.Transform.EXCL_C14N, sig_method, ns="ds")
    element.find(f"{{{SAML}}}Issuer").addnext(signature)
    reference = xmlsec.template.add_reference(signature, digest, uri="#" + element.get("ID"))
    xmlsec.template.add_transform(reference, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(reference, xmlsec.Transform.EXCL_C14N)
    x509_data = xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    xmlsec.template.x509_data_add_certificate(x509_data)
    key = xmlsec.Key.from_memory(key_pair.key_pem, xmlsec.KeyFormat.PEM)
    key.load_cert_from_memory(key_pair.cert_pem, xmlsec.KeyFormat.CERT_PEM)
    context = xmlsec.SignatureContext()
    context.key = key
    context.register_id(element, "ID")
    context.sign(signature)
    return element


def parse_authn_request(saml_request: str) -> dict:
    """ID, ACS URL and issuer of an HTTP-Redirect AuthnRequest."""
    xml = zlib.decompress(base64.b64decode(saml_request), -15)
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    return {"id": root.get("ID"), "acs_url": root.get("AssertionConsumerServiceURL"),
            "issuer": root.findtext(f"{{{SAML}}}Issuer")}


def attributes_for(person) -> dict:
    return {
        "urn:oid:0.9.2342.19200300.100.1.3": [person["email"]],
        "urn:oid:2.5.4.42": [person["given"]],
        "urn:oid:2.5.4.4": [person["surname"]],
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": list(person["affiliation"]),
        **({"urn:oid:2.16.840.1.113730.3.1.3": [person["number"]]} if person["number"] else {}),
    }


class DevIdP:
    def __init__(self, entity_id, sso_url, key_pair: KeyPair | None = None):
        self.entity_id = entity_id
        self.sso_url = sso_url
        self.key_pair = key_pair or KeyPair.generate()

    def metadata_xml(self) -> str:
        return (
            f'<md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="{DS}" entityID="{html.escape(self.entity_id)}">'
            f'<md:IDPSSODescriptor WantAuthnRequestsSigned="false" '
            f'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
            f'{self.key_pair.cert_base64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
            f'<md:NameIDFormat>{EMAIL_FORMAT}</md:NameIDFormat>'
            f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            f'Location="{html.escape(self.sso_url)}"/>'
            f'</md:IDPSSODescriptor></md:EntityDescriptor>'
        )

    def response_xml(self, *, acs_url, audience, name_id, attributes, in_response_to=None,
                     destination=True, issuer=None, not_on_or_after=None, not_before=None,
                     assertion_id=None, sign_assertion=True, sign_response=False, algorithm="sha256",
                     key_pair=None, name_id_format=EMAIL_FORMAT, subject_expiry=True):
        """A Response document (lxml element), signed as asked. `destination`: True = the ACS URL."""
        now = _now()
        not_before = not_before or now - dt.timedelta(seconds=30)
        not_on_or_after = not_on_or_after or now + dt.timedelta(minutes=5)
        issuer = issuer or self.entity_id
        irt = f' InResponseTo="{html.escape(in_response_to)}"' if in_response_to else ""
        dest = acs_url if destination is True else destination
        dest_attr = f' Destination="{html.escape(dest)}"' if dest else ""
        scd_expiry = f'NotOnOrAfter="{saml_time(not_on_or_after)}" ' if subject_expiry else ""
        attrs = "".join(
            f'<saml:Attribute Name="{html.escape(name)}" NameFormat="{URI_FORMAT}">'
            + "".join(f"<saml:AttributeValue>{html.escape(v)}</saml:AttributeValue>" for v in values)
            + "</saml:Attribute>"
            for name, values in attributes.items()
        )
        xml = (
            f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{new_id()}" Version="2.0" '
            f'IssueInstant="{saml_time(now)}"{dest_attr}{irt}>'
            f"<saml:Issuer>{html.escape(issuer)}</saml:Issuer>"
            f'<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
            f'<saml:Assertion ID="{assertion_id or new_id()}" Version="2.0" IssueInstant="{saml_time(now)}">'
            f"<saml:Issuer>{html.escape(issuer)}</saml:Issuer>"
            f'<saml:Subject><saml:NameID Format="{name_id_format}">{html.escape(name_id)}</saml:NameID>'
            f'<saml:SubjectConfirmation Method="{BEARER}">'
            f'<saml:SubjectConfirmationData {scd_expiry}'
            f'Recipient="{html.escape(acs_url)}"{irt}/></saml:SubjectConfirmation></saml:Subject>'
            f'<saml:Conditions NotBefore="{saml_time(not_before)}" NotOnOrAfter="{saml_time(not_on_or_after)}">'
            f"<saml:AudienceRestriction><saml:Audience>{html.escape(audience)}</saml:Audience>"
            f"</saml:AudienceRestriction></saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{saml_time(now)}" SessionIndex="{new_id()}">'
            f"<saml:AuthnContext><saml:AuthnContextClassRef>"
            f"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            f"</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            f"<saml:AttributeStatement>{attrs}</saml:AttributeStatement>"
            f"</saml:Assertion></samlp:Response>"
        )
        root = etree.fromstring(xml.encode())
        key_pair = key_pair or self.key_pair
        if sign_assertion:
            sign(root.find(f"{{{SAML}}}Assertion"), key_pair, algorithm=algorithm)
        if sign_response:
            sign(root, key_pair, algorithm=algorithm)
        return root

    def encode(self, root) -> str:
        return base64.b64encode(etree.tostring(root)).decode()


# --- The web server (development only) -----------------------------------------------------------

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Dev IdP (not for production)</title>
<style>body{{font-family:system-ui;max-width:40rem;margin:2rem auto}} button{{margin:.3rem 0;padding:.5rem 1rem}}
.warn{{background:#fff3cd;padding:.5rem 1rem;border:1px solid #d39e00}}</style></head><body>
<p class="warn"><strong>Development identity provider.</strong> No passwords: never expose it.</p>
{body}</body></html>"""


def _page(body, status="200 OK"):
    return status, [("Content-Type", "text/html; charset=utf-8")], PAGE.format(body=body).encode()


class DevIdPApp:
    def __init__(self, idp: DevIdP):
        self.idp = idp

    def __call__(self, environ, start_response):
        status, headers, body = self.handle(environ)
        start_response(status, headers)
        return [body]

    def handle(self, environ):
        path = environ.get("PATH_INFO", "/")
        if path == "/metadata":
            return "200 OK", [("Content-Type", "application/samlmetadata+xml")], self.idp.metadata_xml().encode()
        if path == "/sso" and environ["REQUEST_METHOD"] == "GET":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            if "SAMLRequest" not in query:
                return _page("<p>Start from the school's sign-in page.</p>", "400 Bad Request")
            request = parse_authn_request(query["SAMLRequest"][0])
            hidden = {"id": request["id"], "acs": request["acs_url"], "audience": request["issuer"],
                      "relay": query.get("RelayState", [""])[0]}
            fields = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v or "")}">'
                             for k, v in hidden.items())
            people = "".join(
                f'<p><button name="person" value="{i}">{html.escape(p["given"])} {html.escape(p["surname"])}'
                f' — {html.escape(p["email"])} ({", ".join(p["affiliation"])})</button></p>'
                for i, p in enumerate(DEMO_PEOPLE))
            return _page(f'<h1>Sign in as…</h1><p>For {html.escape(request["issuer"] or "")}</p>'
                         f'<form method="post" action="/sso/answer">{fields}{people}</form>')
        if path == "/sso/answer" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(min(length, 100_000)).decode()).items()}
            person = DEMO_PEOPLE[int(form.get("person", "0")) % len(DEMO_PEOPLE)]
            root = self.idp.response_xml(acs_url=form["acs"], audience=form["audience"], name_id=person["email"],
                                         attributes=attributes_for(person), in_response_to=form.get("id"))
            return _page(
                f'<form method="post" action="{html.escape(form["acs"])}" id="f">'
                f'<input type="hidden" name="SAMLResponse" value="{self.idp.encode(root)}">'
                f'<input type="hidden" name="RelayState" value="{html.escape(form.get("relay", ""))}">'
                f'<noscript><button>Continue</button></noscript></form>'
                f'<script>document.getElementById("f").submit()</script>')
        return _page("<p>Not found.</p>", "404 Not Found")


def data_dir() -> Path:
    # The same place as settings.DATA_DIR / "dev-idp" (integrations/sso/demo.py), without Django.
    default = Path(__file__).resolve().parents[2] / ".data"
    return Path(os.environ.get("SCRIBETREE_DATA_DIR", default)) / "dev-idp"


def dev_idp(port=DEFAULT_PORT) -> DevIdP:
    base = f"http://localhost:{port}"
    return DevIdP(f"{base}/metadata", f"{base}/sso", KeyPair.load_or_create(data_dir()))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Development SAML IdP (never in production).")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    idp = dev_idp(args.port)
    print(f"Dev IdP (NOT FOR PRODUCTION) on http://localhost:{args.port}/  metadata: {idp.entity_id}")
    with make_server("127.0.0.1", args.port, DevIdPApp(idp)) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()

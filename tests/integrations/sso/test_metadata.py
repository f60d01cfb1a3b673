"""IdP metadata: parsing, and a fetch that cannot be pointed at private or local addresses."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test import SimpleTestCase

from integrations.sso.dev_idp import DevIdP
from integrations.sso.metadata import MetadataError, fetch_metadata, parse_metadata
from tests.integrations.sso.base import NORTHSIDE_KEYS

IDP = DevIdP("https://idp.northside.example/saml", "https://idp.northside.example/sso", NORTHSIDE_KEYS)


def resolver_for(*addresses):
    def resolve(host, port, type=0):  # noqa: A002 (socket.getaddrinfo's own keyword)
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [(family[6 if ":" in a else 4], socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]
    return resolve


class ParseTests(SimpleTestCase):
    def test_it_reads_entity_id_sign_on_url_and_certificate(self):
        parsed = parse_metadata(IDP.metadata_xml())
        self.assertEqual(parsed, {"entity_id": IDP.entity_id, "sso_url": IDP.sso_url,
                                  "x509cert": NORTHSIDE_KEYS.cert_base64})

    def test_it_refuses_what_is_not_idp_metadata(self):
        for text in ["not xml", "<a/>", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>']:
            with self.subTest(text=text[:20]), self.assertRaises(MetadataError):
                parse_metadata(text)


class AddressRuleTests(SimpleTestCase):
    """Refused before any connection is made (nothing here sends traffic)."""

    def test_it_refuses_plain_http_and_credentials(self):
        for url in ["http://idp.example/metadata", "ftp://idp.example/m", "https://user:pw@idp.example/m", "/m"]:
            with self.subTest(url=url), self.assertRaises(MetadataError):
                fetch_metadata(url, resolver=resolver_for("93.184.215.14"))

    def test_it_refuses_loopback_private_link_local_and_shared_addresses(self):
        for address in ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.10", "169.254.169.254", "100.64.0.1",
                        "0.0.0.0", "::1",  # noqa: S104 (an address refused, not bound)
                        "fd00::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                        "224.0.0.1", "192.0.2.10"]:
            with self.subTest(address=address), self.assertRaisesRegex(MetadataError, "private or local"):
                fetch_metadata("https://idp.example/metadata", resolver=resolver_for(address))

    def test_it_refuses_a_name_with_any_private_address_among_public_ones(self):
        with self.assertRaisesRegex(MetadataError, "private or local"):
            fetch_metadata("https://idp.example/metadata", resolver=resolver_for("93.184.215.14", "10.0.0.7"))

    def test_it_refuses_localhost_by_its_real_resolution(self):
        for url in ["https://localhost/metadata", "https://127.0.0.1:8443/metadata", "https://[::1]/metadata"]:
            with self.subTest(url=url), self.assertRaisesRegex(MetadataError, "private or local"):
                fetch_metadata(url)

    def test_it_refuses_a_name_that_does_not_resolve(self):
        def fail(*args, **kwargs):
            raise socket.gaierror("no such name")
        with self.assertRaisesRegex(MetadataError, "could not be found"):
            fetch_metadata("https://no-such-idp.invalid/metadata", resolver=fail)


class Handler(BaseHTTPRequestHandler):
    routes = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.seen_hosts.append(self.headers["Host"])
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class HttpHandlingTests(SimpleTestCase):
    """The HTTP side against a local server. Only here are the address rule and scheme swapped
    (for 127.0.0.1 and http); the host name is still resolved once and the checked address used."""

    def setUp(self):
        Handler.routes = {
            "/metadata": (200, {"Content-Type": "application/xml"}, IDP.metadata_xml().encode()),
            "/moved": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
            "/huge": (200, {}, b"<x>" + b"a" * 1_100_000 + b"</x>"),
            "/gone": (500, {}, b""),
        }
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.seen_hosts = []
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.port = self.server.server_address[1]

    def fetch(self, path):
        return fetch_metadata(f"http://metadata.test:{self.port}{path}", resolver=resolver_for("127.0.0.1"),
                              address_allowed=lambda ip: ip == "127.0.0.1", scheme="http")

    def test_it_connects_to_the_checked_address_with_the_real_host_name(self):
        self.assertEqual(parse_metadata(self.fetch("/metadata"))["entity_id"], IDP.entity_id)
        self.assertEqual(self.server.seen_hosts, [f"metadata.test:{self.port}"])

    def test_it_does_not_follow_redirects(self):
        with self.assertRaisesRegex(MetadataError, "redirects"):
            self.fetch("/moved")
        self.assertEqual(len(self.server.seen_hosts), 1)

    def test_it_stops_reading_past_the_size_cap(self):
        with self.assertRaisesRegex(MetadataError, "larger than 1 MB"):
            self.fetch("/huge")

    def test_it_reports_an_error_status(self):
        with self.assertRaisesRegex(MetadataError, "HTTP 500"):
            self.fetch("/gone")

    def test_it_refuses_a_disallowed_address_in_this_mode_too(self):
        with self.assertRaisesRegex(MetadataError, "private or local"):
            fetch_metadata(f"http://metadata.test:{self.port}/metadata", resolver=resolver_for("10.0.0.1"),
                           address_allowed=lambda ip: ip == "127.0.0.1", scheme="http")

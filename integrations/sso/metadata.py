"""Reading an IdP's SAML metadata: parsed with python3-saml, fetched without SSRF.

Hand-written fetch, on purpose: allauth's own metadata fetch (python3-saml's `parse_remote`)
follows redirects and connects wherever DNS points, so an admin form would let anyone with an
admin account make the server call its own network (cloud metadata at 169.254.169.254, Redis on
localhost, the school's intranet). Here:
- only https URLs; the host name is resolved once and EVERY address must be public
  (`ipaddress.is_global`, which excludes loopback, private, link-local, shared/CGNAT, reserved,
  multicast; IPv4-mapped IPv6 is unwrapped first);
- the connection goes to the address that was checked (urllib3 with the IP as host and the
  name for SNI and certificate checking), so DNS cannot answer differently a second time;
- no redirects (a 3xx is an error telling the admin to give the final address), a connect and
  read timeout, an overall deadline, and a size cap enforced while reading.
Login never fetches anything: the parsed entity id, SSO URL and certificate are stored on the
row when the admin saves, and allauth is given those (integrations/sso/saml.py).
"""

import ipaddress
import socket
import time
from urllib.parse import urlsplit

import certifi
import urllib3
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

MAX_METADATA_BYTES = 1_000_000  # large federation files are for federations, not one school's IdP
TIMEOUT_SECONDS = 5
DEADLINE_SECONDS = 10


class MetadataError(Exception):
    """A message for the admin, safe to show in the form."""


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve_public(host: str, port: int, *, resolver=socket.getaddrinfo) -> str:
    """The address to connect to, when every address of `host` is public; else MetadataError."""
    try:
        infos = resolver(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise MetadataError("The metadata address's host name could not be found.") from exc
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise MetadataError("The metadata address's host name could not be found.")
    if not all(address_is_public(a) for a in addresses):
        raise MetadataError("The metadata address points to a private or local network; give a public address.")
    return addresses[0]


def fetch_metadata(url: str, *, resolver=socket.getaddrinfo, address_allowed=address_is_public,
                   scheme="https") -> bytes:
    """GET the metadata at `url` (see the module docstring for the rules).

    `address_allowed` and `scheme` exist for tests of the HTTP handling against a local server;
    product code always uses the defaults.
    """
    parts = urlsplit(url)
    if parts.scheme != scheme or not parts.hostname:
        raise MetadataError("The metadata address must be a full https:// address.")
    if parts.username or parts.password:
        raise MetadataError("The metadata address must not contain a user name or password.")
    host = parts.hostname
    port = parts.port or (443 if scheme == "https" else 80)
    if address_allowed is address_is_public:
        ip = resolve_public(host, port, resolver=resolver)
    else:
        ip = sorted({info[4][0] for info in resolver(host, port, type=socket.SOCK_STREAM)})[0]
        if not address_allowed(ip):
            raise MetadataError("The metadata address points to a private or local network.")
    timeout = urllib3.Timeout(connect=TIMEOUT_SECONDS, read=TIMEOUT_SECONDS)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(ip, port, server_hostname=host, assert_hostname=host,
                                           cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
                                           timeout=timeout, retries=False, maxsize=1)
    else:
        pool = urllib3.HTTPConnectionPool(ip, port, timeout=timeout, retries=False, maxsize=1)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    try:
        response = pool.urlopen("GET", path, headers={"Host": host_header, "Accept": "application/xml"},
                                redirect=False, preload_content=False)
    except urllib3.exceptions.HTTPError as exc:
        raise MetadataError("The metadata could not be fetched (no answer, or the certificate is not valid).") from exc
    try:
        if 300 <= response.status < 400:
            raise MetadataError("The metadata address redirects elsewhere; give the final address instead.")
        if response.status != 200:
            raise MetadataError(f"The metadata address answered with HTTP {response.status}.")
        deadline = time.monotonic() + DEADLINE_SECONDS
        body = bytearray()
        for chunk in response.stream(64 * 1024):
            body.extend(chunk)
            if len(body) > MAX_METADATA_BYTES:
                raise MetadataError("The metadata is larger than 1 MB; give your IdP's own metadata, "
                                    "not a federation's.")
            if time.monotonic() > deadline:
                raise MetadataError("Fetching the metadata took too long.")
        return bytes(body)
    except urllib3.exceptions.HTTPError as exc:
        raise MetadataError("The metadata could not be read.") from exc
    finally:
        response.release_conn()
        pool.close()


def parse_metadata(xml) -> dict:
    """{"entity_id", "sso_url", "x509cert"} from IdP metadata, or MetadataError."""
    if isinstance(xml, str):
        xml = xml.encode()
    if len(xml) > MAX_METADATA_BYTES:
        raise MetadataError("The metadata is larger than 1 MB.")
    try:
        data = OneLogin_Saml2_IdPMetadataParser.parse(xml)
    except Exception as exc:  # python3-saml raises bare Exceptions and lxml errors alike
        raise MetadataError("This is not SAML identity provider metadata.") from exc
    idp = data.get("idp") or {}
    cert = idp.get("x509cert")
    if not cert:
        signing = (idp.get("x509certMulti") or {}).get("signing") or []
        cert = signing[0] if signing else ""
    sso_url = (idp.get("singleSignOnService") or {}).get("url", "")
    if not (idp.get("entityId") and sso_url and cert):
        raise MetadataError("The metadata has no entity ID, HTTP-Redirect sign-on address or signing certificate.")
    return {"entity_id": idp["entityId"], "sso_url": sso_url, "x509cert": cert}

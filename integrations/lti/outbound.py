"""Which URLs the tool will call: the platform's key set, token, roster and score endpoints.

Those URLs come from the institution's admin (registration) or from the platform's signed launch
(NRPS/AGS claims). To keep a mistaken or hostile value from turning the server into a proxy for
internal addresses (SSRF), outside DEBUG/tests a URL must be https and must not name an IP address
in a private, loopback, link-local or reserved range. Host names are not resolved here (a DNS name
pointing inside is still possible: run workers with egress limited to the internet; docs/lti.md).
"""

import ipaddress
from urllib.parse import urlparse

from django.conf import settings


class UnsafeUrl(ValueError):
    pass


def check_outbound_url(url):
    parts = urlparse(url or "")
    relaxed = settings.DEBUG or settings.TESTING
    if parts.scheme != "https" and not (relaxed and parts.scheme == "http"):
        raise UnsafeUrl("only https URLs are called")
    host = (parts.hostname or "").strip("[]")
    if not host:
        raise UnsafeUrl("no host")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" and not relaxed:
            raise UnsafeUrl("localhost is not called") from None
        return url
    if not address.is_global and not relaxed:
        raise UnsafeUrl("internal addresses are not called")
    return url

"""SAML sign-in cost on the service-provider side, against a running demo server.

    SCRIBETREE_DATA_DIR=<the server's data dir> .venv/bin/python bench/saml_login.py \
        [--base http://127.0.0.1:8000] [--host northside.localhost:8000] [--n 30]

Needs `python3 dev.py run` (or runserver + seed_demo) up: Northside configured against the dev
IdP, whose key pair is read from <data dir>/dev-idp/ to sign the responses here (the dev IdP's web
server itself is not needed). For each of --n demo students, one after another: GET the sign-in page, POST the sign-in
button (AuthnRequest built, state stashed), POST the signed Response to the ACS, GET the finish
URL (python3-saml validation, replay insert, login). Reported: p50/p95/max of the ACS+finish pair
and of the whole flow, and python3-saml's own validation cost in-process (schema + signature),
measured alone. Bounded: n x 4 requests on loopback, and 200 in-process validations.
"""

import argparse
import http.client
import os
import statistics
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from integrations.sso.dev_idp import DevIdP, KeyPair, attributes_for, data_dir, parse_authn_request  # noqa: E402


class Browser:
    def __init__(self, base, host):
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
        self.host = host
        self.cookies = {}

    def request(self, method, path, body=None):
        headers = {"Host": self.host, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            body = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--host", default="northside.localhost:8000")
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    idp = DevIdP("http://localhost:8009/metadata", "http://localhost:8009/sso", KeyPair.load_or_create(data_dir()))
    acs_times, flow_times = [], []
    for n in range(1, args.n + 1):
        browser = Browser(args.base, args.host)
        started = time.perf_counter()
        browser.request("GET", "/accounts/login/")  # the sign-in page sets the CSRF cookie
        token = browser.cookies.get("csrftoken", "")
        start = browser.request("POST", "/accounts/saml/northside/login/?process=login",
                                {"csrfmiddlewaretoken": token})
        if start.status != 302:
            sys.exit(f"sign-in start answered {start.status}: is the demo server up with SAML configured?")
        request = parse_authn_request(parse_qs(urlsplit(start.headers["Location"]).query)["SAMLRequest"][0])
        who = {"email": f"student{n:02d}@northside.example", "given": "S", "surname": f"{n}",
               "affiliation": ["student"], "number": ""}
        root = idp.response_xml(acs_url=request["acs_url"], audience=request["issuer"], name_id=who["email"],
                                attributes=attributes_for(who), in_response_to=request["id"])
        body = {"SAMLResponse": idp.encode(root), "RelayState": ""}
        acs_started = time.perf_counter()
        acs = browser.request("POST", "/accounts/saml/northside/acs/", body)
        finish = browser.request("GET", urlsplit(acs.headers["Location"]).path)
        done = time.perf_counter()
        if finish.status != 302 or finish.headers["Location"] != "/student/":
            sys.exit(f"sign-in {n} did not land on /student/ ({finish.status} {finish.headers.get('Location')})")
        acs_times.append((done - acs_started) * 1000)
        flow_times.append((done - started) * 1000)
    print(f"{args.n} SAML sign-ins, one after another, on {args.base} (Host {args.host})")
    for label, values in [("ACS POST + finish GET", acs_times), ("whole flow (4 requests)", flow_times)]:
        print(f"  {label}: p50 {statistics.median(values):.1f} ms, p95 {pct(values, 0.95):.1f} ms, "
              f"max {max(values):.1f} ms")
    in_process()


def in_process():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scribetree.settings")
    from onelogin.saml2.response import OneLogin_Saml2_Response
    from onelogin.saml2.settings import OneLogin_Saml2_Settings

    pair = KeyPair.generate()
    idp = DevIdP("https://idp.example/saml", "https://idp.example/sso", pair)
    acs, sp = "https://sp.example/acs/", "https://sp.example/metadata/"
    settings = OneLogin_Saml2_Settings({
        "strict": True,
        "sp": {"entityId": sp, "assertionConsumerService": {"url": acs}},
        "idp": {"entityId": idp.entity_id, "singleSignOnService": {"url": idp.sso_url}, "x509cert": pair.cert_base64},
        "security": {"wantAssertionsSigned": True, "rejectDeprecatedAlgorithm": True},
    })
    request_data = {"https": "on", "http_host": "sp.example", "script_name": "", "path_info": "/acs/"}
    times = []
    for _ in range(200):
        who = {"email": "a@b.example", "given": "A", "surname": "B", "affiliation": ["student"], "number": ""}
        encoded = idp.encode(idp.response_xml(acs_url=acs, audience=sp, name_id=who["email"],
                                              attributes=attributes_for(who)))
        started = time.perf_counter()
        response = OneLogin_Saml2_Response(settings, encoded)
        valid = response.is_valid(request_data, raise_exceptions=True)
        times.append((time.perf_counter() - started) * 1000)
        assert valid
    print(f"  python3-saml validation alone (schema + signature), 200 responses: p50 "
          f"{statistics.median(times):.2f} ms, p95 {pct(times, 0.95):.2f} ms")


if __name__ == "__main__":
    main()

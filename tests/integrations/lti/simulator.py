"""A simulated LMS (LTI 1.3 platform) speaking the real protocol over HTTP, mocked at `requests`.

It has its own RSA keys and serves, through `responses`: its JWKS, an OAuth 2 token endpoint that
verifies the tool's client assertion against the tool's published JWKS, NRPS membership pages linked
by `Link: <...>; rel="next"` headers (with mixed-case URLs, which pylti1p3 would lowercase), and AGS
score endpoints that record what they receive. It signs id_tokens the way Canvas or Moodle do.
"""

import json
import re
import secrets
import time
from urllib.parse import parse_qs, urlparse

import jwt
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def new_rsa():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Platform:
    def __init__(self, *, host="lms.northside.example", issuer=None, client_id="10000000000001",
                 deployment_id="1:abc", context_id="course-7"):
        self.host = host
        self.base = f"https://{host}"
        self.issuer = issuer or self.base
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.context_id = context_id
        self.keys = {"platform-key-1": new_rsa()}
        self.current_kid = "platform-key-1"
        self.auth_url = f"{self.base}/api/lti/authorize_redirect"
        self.token_url = f"{self.base}/login/oauth2/token"
        self.jwks_url = f"{self.base}/api/lti/security/jwks"
        self.memberships_url = f"{self.base}/api/lti/courses/7/Names_And_Roles"
        self.lineitems_url = f"{self.base}/api/lti/courses/7/line_items"
        self.jwks_fetches = 0
        self.tokens_issued = []
        self.token_requests = 0
        self.tool_jwks = None  # set by the test from the tool's /lti/jwks.json
        self.member_pages = []  # list of lists of members
        self.members_status = 200
        self.scores = []  # (url, payload, headers)
        self.score_failures = []  # status codes to answer before succeeding
        self.http = None

    # --- keys ---------------------------------------------------------------------------------------
    def rotate_key(self, kid):
        self.keys[kid] = new_rsa()
        self.current_kid = kid

    def jwks(self):
        result = []
        for kid, key in self.keys.items():
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
            jwk.update(kid=kid, alg="RS256", use="sig")
            result.append(jwk)
        return {"keys": result}

    # --- messages -----------------------------------------------------------------------------------
    def login_params(self, target_link_uri, **extra):
        return {"iss": self.issuer, "login_hint": "hint-123", "target_link_uri": target_link_uri,
                "client_id": self.client_id, "lti_deployment_id": self.deployment_id,
                "lti_message_hint": "msg-hint", **extra}

    @staticmethod
    def auth_request(location):
        """The query of the tool's OIDC authorisation request (the redirect to our auth URL)."""
        return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}

    def claims(self, *, nonce, sub="lms-user-1", roles=(ROLE_LEARNER,), message_type="LtiResourceLinkRequest",
               resource_link_id="link-1", email="", name="Lena Learner", lineitem=None, custom=None, **overrides):
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "iat": now, "exp": now + 300, "nonce": nonce,
            "name": name, "email": email,
            LTI + "message_type": message_type, LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "roles": list(roles),
            LTI + "context": {"id": self.context_id, "label": "ENG10", "title": "English 10 (LMS)"},
            LTI + "target_link_uri": "https://northside.localhost/lti/launch/",
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.memberships_url, "service_versions": ["2.0"]},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                          "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitems": self.lineitems_url,
                **({"lineitem": lineitem} if lineitem else {})},
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": resource_link_id, "title": "Persuasive essay (LMS)"}
        if message_type == "LtiDeepLinkingRequest":
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.base}/courses/7/deep_linking_response",
                "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": False, "data": "opaque-platform-data"}
        if nonce is None:
            del claims["nonce"]
        if custom:
            claims[LTI + "custom"] = custom
        for key, value in overrides.items():
            if value is None:
                claims.pop(key, None)
            else:
                claims[key] = value
        return claims

    def sign(self, claims, *, kid=None, private_key=None):
        """Signed with the key named by `kid` (else the current one), or with `private_key` if given."""
        kid = kid or self.current_kid
        key = private_key or self.keys.get(kid) or self.keys[self.current_kid]
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})

    def id_token(self, **claim_args):
        kid = claim_args.pop("kid", None)
        return self.sign(self.claims(**claim_args), kid=kid)

    # --- HTTP endpoints -----------------------------------------------------------------------------
    def start(self):
        self.http = responses.RequestsMock(assert_all_requests_are_fired=False)
        self.http.start()
        self.http.add_callback(responses.GET, self.jwks_url, callback=self._jwks)
        self.http.add_callback(responses.POST, self.token_url, callback=self._token)
        self.http.add_callback(responses.GET, re.compile(re.escape(self.memberships_url) + r".*"),
                               callback=self._members)
        self.http.add_callback(responses.POST, re.compile(re.escape(self.lineitems_url) + r"/.+/scores"),
                               callback=self._score)
        return self

    def stop(self):
        self.http.stop()
        self.http.reset()

    def _jwks(self, request):
        self.jwks_fetches += 1
        return 200, {"Content-Type": "application/json"}, json.dumps(self.jwks())

    def _token(self, request):
        self.token_requests += 1
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        assert form["grant_type"] == "client_credentials"
        assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        header = jwt.get_unverified_header(form["client_assertion"])
        jwk = next(k for k in self.tool_jwks["keys"] if k["kid"] == header["kid"])
        claims = jwt.decode(form["client_assertion"], jwt.PyJWK.from_dict(jwk).key, algorithms=["RS256"],
                            audience=self.token_url, options={"require": ["exp", "iat", "jti", "iss", "sub"]})
        assert claims["iss"] == claims["sub"] == self.client_id
        token = secrets.token_urlsafe(16)
        self.tokens_issued.append((token, form["scope"]))
        return 200, {"Content-Type": "application/json"}, json.dumps(
            {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": form["scope"]})

    def _authorised(self, request, scope_word):
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return any(token == bearer and scope_word in scope for token, scope in self.tokens_issued)

    def _members(self, request):
        if not self._authorised(request, "contextmembership"):
            return 401, {}, "{}"
        if self.members_status != 200:
            return self.members_status, {}, "{}"
        query = parse_qs(urlparse(request.url).query)
        page = int(query.get("Page", ["0"])[0])  # a capitalised parameter: must survive paging
        headers = {"Content-Type": "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"}
        if page + 1 < len(self.member_pages):
            headers["Link"] = f'<{self.memberships_url}?Page={page + 1}&Per_Page=2>; rel="next"'
        body = {"id": request.url, "context": {"id": self.context_id}, "members": self.member_pages[page]}
        return 200, headers, json.dumps(body)

    def _score(self, request):
        if not self._authorised(request, "scope/score"):
            return 401, {}, "{}"
        if self.score_failures:
            return self.score_failures.pop(0), {}, "{}"
        self.scores.append((request.url, json.loads(request.body), dict(request.headers)))
        return 200, {"Content-Type": "application/json"}, "{}"

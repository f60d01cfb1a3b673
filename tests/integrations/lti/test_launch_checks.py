"""Every launch check, each with a token the simulated platform signs itself (validation.py lists them)."""

import time
from datetime import timedelta
from unittest import mock

import jwt
import responses
from django.utils import timezone

from integrations.lti import platform_keys
from integrations.lti.models import LoginState
from tests.integrations.lti.base import LtiTestCase
from tests.integrations.lti.simulator import LTI, ROLE_INSTRUCTOR, new_rsa


class LaunchCheckTests(LtiTestCase):
    def setUp(self):
        super().setUp()
        self.client = self.browser()
        self.state, self.nonce, _ = self.start_login(self.client)

    def token(self, **claims):
        claims.setdefault("roles", (ROLE_INSTRUCTOR,))
        claims.setdefault("nonce", self.nonce)
        return self.platform.id_token(**claims)

    def refused(self, code, token=None, state="__default__", **claims):
        response = self.post_launch(self.client, self.state if state == "__default__" else state,
                                    token or self.token(**claims))
        self.assertRefused(response, code)
        self.assertSignedOut(self.client)
        return response

    def test_it_accepts_a_valid_launch(self):
        response = self.post_launch(self.client, self.state, self.token())
        self.assertEqual(response.status_code, 302)
        self.assertIn("_auth_user_id", self.client.session)

    def test_it_refuses_a_kid_the_platform_does_not_publish(self):
        self.refused("unknown_kid", kid="no-such-kid")
        self.assertEqual(self.platform.jwks_fetches, 1)

    def test_it_refetches_the_key_set_for_an_unknown_kid_after_the_platform_rotates(self):
        self.assertEqual(self.post_launch(self.client, self.state, self.token()).status_code, 302)
        self.platform.rotate_key("platform-key-2")
        later = time.time() + platform_keys.REFETCH_AFTER_SECONDS + 1
        client = self.browser()
        state, nonce, _ = self.start_login(client)
        with mock.patch.object(platform_keys, "_now", return_value=later):
            response = self.post_launch(client, state, self.platform.id_token(nonce=nonce, roles=(ROLE_INSTRUCTOR,)))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.platform.jwks_fetches, 2)

    def test_it_caches_the_key_set_and_does_not_refetch_for_unknown_kids_in_a_burst(self):
        self.assertEqual(self.post_launch(self.client, self.state, self.token()).status_code, 302)
        for _ in range(3):
            client = self.browser()
            state, nonce, _ = self.start_login(client)
            response = self.post_launch(client, state, self.platform.id_token(nonce=nonce, kid="made-up"))
            self.assertRefused(response, "unknown_kid")
        self.assertEqual(self.platform.jwks_fetches, 1)

    def test_it_refuses_a_bad_signature(self):
        # Signed with a key the platform does not publish, but naming the published kid.
        self.refused("bad_signature", token=self.platform.sign(self.platform.claims(nonce=self.nonce),
                                                              kid="platform-key-1", private_key=new_rsa()))

    def test_it_refuses_an_expired_token(self):
        now = int(time.time())
        self.refused("expired", iat=now - 600, exp=now - 120)

    def test_it_refuses_a_token_issued_in_the_future(self):
        now = int(time.time())
        self.refused("not_yet_valid", iat=now + 600, exp=now + 900)

    def test_it_requires_exp_iat_nonce_and_sub(self):
        for claim in ("exp", "iat", "nonce", "sub"):
            with self.subTest(claim):
                self.refused("missing_claim", **{claim: None})

    def test_it_refuses_a_wrong_issuer(self):
        self.refused("unknown_registration", iss="https://evil.example")

    def test_it_refuses_a_wrong_audience(self):
        self.refused("unknown_registration", aud="someone-elses-client")
        self.refused("wrong_aud", aud=[])

    def test_it_requires_azp_matching_our_client_when_there_are_several_audiences(self):
        cid = self.platform.client_id
        self.refused("azp", aud=[cid, "other-tool"])  # no azp
        self.refused("azp", aud=[cid, "other-tool"], azp="third-tool")
        self.refused("unknown_registration", aud=[cid, "other-tool"], azp="other-tool")
        self.refused("azp", aud=cid, azp="other-tool")

    def test_it_accepts_several_audiences_with_azp_naming_us(self):
        cid = self.platform.client_id
        response = self.post_launch(self.client, self.state, self.token(aud=[cid, "other-tool"], azp=cid))
        self.assertEqual(response.status_code, 302)

    def test_it_refuses_an_unregistered_deployment(self):
        self.refused("unknown_deployment", **{LTI + "deployment_id": "9:not-ours"})

    def test_it_refuses_a_replayed_launch(self):
        token = self.token()
        self.assertEqual(self.post_launch(self.client, self.state, token).status_code, 302)
        self.client.logout()
        self.refused("state_used", token=token)

    def test_it_refuses_a_replayed_nonce_under_a_fresh_state(self):
        token = self.token()
        self.assertEqual(self.post_launch(self.client, self.state, token).status_code, 302)
        attacker = self.browser()
        fresh_state, _, _ = self.start_login(attacker)
        response = self.post_launch(attacker, fresh_state, token)
        self.assertRefused(response, "nonce_mismatch")
        self.assertSignedOut(attacker)

    def test_it_refuses_a_missing_state(self):
        self.refused("missing_state", state=None)

    def test_it_refuses_a_state_it_never_issued(self):
        self.refused("unknown_state", state="made-up-state")

    def test_it_refuses_a_state_from_another_browser(self):
        """The launch (id_token and state) posted by a browser that did not start the login."""
        other = self.browser()
        response = self.post_launch(other, self.state, self.token())
        self.assertRefused(response, "browser_mismatch")
        self.assertSignedOut(other)

    def test_it_refuses_an_old_state(self):
        LoginState.objects.filter(state=self.state).update(created_at=timezone.now() - timedelta(minutes=11))
        self.refused("state_expired")

    def test_it_refuses_other_message_types_and_versions(self):
        self.refused("message_type", message_type="LtiSubmissionReviewRequest")
        self.refused("version", **{LTI + "version": "1.1"})

    def test_it_runs_the_claim_validation_of_the_message_type(self):
        self.refused("invalid_message", **{LTI + "resource_link": {"title": "no id"}})

    def test_it_refuses_unsigned_and_symmetric_tokens(self):
        claims = self.platform.claims(nonce=self.nonce)
        self.refused("bad_header", token=jwt.encode(claims, None, algorithm="none", headers={"kid": "platform-key-1"}))
        self.refused("bad_header", token=jwt.encode(claims, "x" * 32, algorithm="HS256",
                                                    headers={"kid": "platform-key-1"}))

    def test_it_refuses_garbage(self):
        self.refused("malformed", token="not.a.jwt")
        response = self.post_launch(self.client, self.state, "")
        self.assertRefused(response, "missing_token")

    def test_it_refuses_when_the_platform_key_set_cannot_be_read(self):
        self.platform.http.replace(responses.GET, self.platform.jwks_url, status=500)
        self.refused("unknown_kid")

    def test_it_does_not_show_internal_details_on_refusal(self):
        response = self.refused("expired", exp=int(time.time()) - 120)
        self.assertNotIn("Traceback", response.content.decode())
        self.assertNotIn(self.platform.client_id, response.content.decode())


class RefusedLaunchTests(LtiTestCase):
    def test_a_launch_refused_after_the_checks_still_spends_its_state(self):
        client = self.browser()
        state, nonce, _ = self.start_login(client)
        token = self.platform.id_token(nonce=nonce, sub="early-student")  # no course yet: refused
        self.assertEqual(self.post_launch(client, state, token).status_code, 403)
        self.launch_teacher()  # the reason is gone...
        self.assertRefused(self.post_launch(client, state, token), "state_used")  # ...the launch stays spent

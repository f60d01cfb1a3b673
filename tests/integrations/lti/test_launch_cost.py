"""What a launch costs: queries pinned; wall time measured on demand (LTI_BENCH=1, prints ms)."""

import os
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.integrations.lti.base import LtiTestCase
from tests.integrations.lti.simulator import ROLE_LEARNER


class LaunchCostTests(LtiTestCase):
    def test_a_returning_students_launch_makes_a_fixed_number_of_queries(self):
        self.launch_teacher()
        self.launch(sub="lms-student-1")  # first launch: creates the person and the enrolment
        client = self.browser()
        state, nonce, _ = self.start_login(client)
        token = self.platform.id_token(nonce=nonce, roles=(ROLE_LEARNER,), sub="lms-student-1")
        with CaptureQueriesContext(connection) as queries:
            response = self.post_launch(client, state, token)
        self.assertEqual(response.status_code, 302)
        statements = [q["sql"] for q in queries.captured_queries]
        # 1 registration, 2 deployment, 3 state (find), 4 state (lock), 5 state used; 6 identity + user,
        # 7 identity's last launch; 8 context, 9 enrolment (get_or_create); 10 resource link +
        # assignment; sign-in: 11 session key free?, 12 session insert, 13 user (login), 14 last_login,
        # 15 session update. Savepoints of the nested actions are not counted.
        self.assertEqual(len([s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))]), 15,
                         "\n".join(statements))
        self.assertEqual(self.platform.jwks_fetches, 1)  # keys cached across launches

    @pytest.mark.skipif(not os.environ.get("LTI_BENCH"), reason="a measurement: LTI_BENCH=1 -s prints it")
    def test_timing(self):
        """Server time of login initiation + launch for a returning student (keys cached), one browser."""
        self.launch_teacher()
        self.launch(sub="lms-student-1")
        client = self.browser()
        self.start_login(client)  # the test client loads its middleware on its first request
        runs, login_total, launch_total = 50, 0.0, 0.0
        for _ in range(runs):
            started = time.perf_counter()
            state, nonce, _ = self.start_login(client)
            login_total += time.perf_counter() - started
            token = self.platform.id_token(nonce=nonce, sub="lms-student-1")  # the LMS's work: not counted
            started = time.perf_counter()
            response = self.post_launch(client, state, token)
            launch_total += time.perf_counter() - started
            assert response.status_code == 302
        print(f"\nLTI returning-student launch, in-process, {runs} runs: login initiation "
              f"{login_total / runs * 1000:.1f} ms, launch {launch_total / runs * 1000:.1f} ms (mean)")

"""Our database backend: django-tenants' (a search_path per institution) with a cheaper health check.

Django's CONN_HEALTH_CHECKS sends `SELECT 1` before the first query of every request, so that a
connection the server dropped (a restart, an idle timeout) is replaced instead of failing the
request. On the autosave hot path that round trip cost ~1 ms of CPU of ~6 (bench/profile_request.py
--scenario autosave, with and without). A connection that answered a query a moment ago is all
but certainly alive, so here the check is made only when the connection has been idle for
HEALTH_CHECK_IDLE_SECONDS or more. What is given up: if the server restarts within that many
seconds of a worker's last query, that worker's next request fails once (Django then closes the
broken connection and the following request reconnects); the editor retries a failed autosave.
"""

import time

from django_tenants.postgresql_backend import base

HEALTH_CHECK_IDLE_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    _used_at = float("-inf")

    def _cursor(self, name=None):
        now = time.monotonic()
        if self.connection is not None and now - self._used_at < HEALTH_CHECK_IDLE_SECONDS:
            self.health_check_done = True  # in use moments ago: no `SELECT 1`
        self._used_at = now
        return super()._cursor(name)

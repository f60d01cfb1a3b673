"""A connection is health-checked (`SELECT 1`) at a request's first query only when it has been idle.

scribetree/postgresql/base.py: Django checks every request; a connection that answered a moment
ago needs no check, one idle for HEALTH_CHECK_IDLE_SECONDS may have been dropped by the server.
"""

from unittest import mock

from django.db import close_old_connections, connections
from django.test import SimpleTestCase

from scribetree.postgresql.base import HEALTH_CHECK_IDLE_SECONDS

connection = connections["default"]


def query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")


class HealthCheckTests(SimpleTestCase):
    databases = {"default"}  # reads only: no transaction, and nothing flushed afterwards

    def setUp(self):
        connection.ensure_connection()
        self.enabled = connection.health_check_enabled
        connection.health_check_enabled = True  # as in production (CONN_HEALTH_CHECKS)
        self.addCleanup(setattr, connection, "health_check_enabled", self.enabled)

    def next_request_queries(self, idle_seconds):
        close_old_connections()  # what Django does when a request starts
        connection._used_at -= idle_seconds
        with mock.patch.object(type(connection), "is_usable", autospec=True, return_value=True) as is_usable:
            query()
            query()
        return is_usable.call_count

    def test_a_connection_used_moments_ago_is_not_checked(self):
        query()
        self.assertEqual(self.next_request_queries(idle_seconds=0), 0)

    def test_a_connection_idle_for_a_while_is_checked_once(self):
        query()
        self.assertEqual(self.next_request_queries(idle_seconds=HEALTH_CHECK_IDLE_SECONDS + 1), 1)

    def test_a_dead_idle_connection_is_replaced_before_the_request_uses_it(self):
        query()
        old = connection.connection
        close_old_connections()
        connection._used_at -= HEALTH_CHECK_IDLE_SECONDS + 1
        with mock.patch.object(type(connection), "is_usable", autospec=True, return_value=False):
            query()
        self.assertIsNot(connection.connection, old)

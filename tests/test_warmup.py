"""A web process pays its one-off costs (URLconfs, templates) before serving, without the database."""

from django.db import connections
from django.test import SimpleTestCase

from scribetree.warmup import warm_up


class WarmUpTests(SimpleTestCase):
    def test_it_compiles_our_templates_and_builds_the_url_resolvers_without_touching_the_database(self):
        for connection in connections.all():
            connection.close()
        self.assertGreater(warm_up(), 80)
        self.assertTrue(all(connection.connection is None for connection in connections.all()))

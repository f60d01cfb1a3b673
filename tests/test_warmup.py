"""A web process pays its one-off costs (URLconfs, templates) before serving, without the database."""

import gc

from django.db import connections
from django.test import SimpleTestCase

from scribetree.warmup import freeze_heap, warm_up


class WarmUpTests(SimpleTestCase):
    def test_it_compiles_our_templates_and_builds_the_url_resolvers_without_touching_the_database(self):
        for connection in connections.all():
            connection.close()
        self.assertGreater(warm_up(), 80)
        self.assertTrue(all(connection.connection is None for connection in connections.all()))

    def test_it_takes_the_set_up_heap_out_of_the_garbage_collectors_walks(self):
        self.addCleanup(gc.unfreeze)
        frozen = freeze_heap()
        self.assertGreater(frozen, 10_000)
        gc.collect()
        self.assertEqual(gc.get_freeze_count(), frozen)  # a full collection leaves them frozen

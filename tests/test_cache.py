import redis
from django.test import SimpleTestCase

from scribetree.cache import ScribeRedisCache

REDIS_URL = "redis://127.0.0.1:6379/13"


def redis_answers():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


class RedisCacheTests(SimpleTestCase):
    """Production's cache (CACHE_URL): Django's Redis cache with one redis-py client per pool."""

    def setUp(self):
        if not redis_answers():
            self.skipTest("no Redis on 127.0.0.1:6379 (CI and the dev machine have one)")
        self.cache = ScribeRedisCache(REDIS_URL, {"KEY_PREFIX": "test-cache"})
        self.addCleanup(self.cache.clear)

    def test_it_stores_reads_and_deletes(self):
        self.cache.set("essay", {"words": 3000}, 30)
        self.assertEqual(self.cache.get("essay"), {"words": 3000})
        self.assertTrue(self.cache.add("other", 1, 30))
        self.assertFalse(self.cache.add("other", 2, 30))
        self.cache.delete("essay")
        self.assertIsNone(self.cache.get("essay"))

    def test_it_reuses_one_client_per_server(self):
        client = self.cache._cache.get_client()
        self.assertIs(self.cache._cache.get_client(write=True), client)
        self.assertIs(client.connection_pool, self.cache._cache._pools[0])

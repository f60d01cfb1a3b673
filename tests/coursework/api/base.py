"""The API's tests: English 10 and its peer review (tests/coursework/peer/base.py), JSON helpers."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.coursework.peer.base import PeerReviewTestCase


class ApiTestCase(PeerReviewTestCase):
    def api(self, key, institution=None):
        return self.signed_in_client(key, institution)

    def post(self, client, url, data=None):
        return client.post(url, data or {}, content_type="application/json")

    def assert_not_found(self, response):
        self.assertEqual(response.status_code, 404, response.content)

    def assert_not_found_for(self, keys, method, url, data=None):
        """Each person (key, or (key, institution)) gets a 404 from `method` on `url`."""
        for key in keys:
            key, institution = key if isinstance(key, tuple) else (key, None)
            with self.subTest(person=key, url=url):
                client = self.api(key, institution)
                response = client.get(url) if method == "get" else self.post(client, url, data)
                self.assert_not_found(response)

    def assert_list_queries(self, client, url, expected, rows):
        """GET `url` twice (the first warms the host directory and search_path) and pin the second."""
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(len(response.json()), rows)
        self.assertEqual(len(queries), expected, "\n".join(q["sql"] for q in queries.captured_queries))
        return response

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.directory import directory
from tenants.models import Domain
from tests.base import InstitutionClient, InstitutionTestCase


class HostDirectoryTests(InstitutionTestCase):
    def setUp(self):
        super().setUp()
        directory.invalidate()

    def test_it_resolves_a_host_from_memory_after_the_first_request(self):
        self.assertEqual(directory.lookup("northside.localhost"), self.northside)
        with CaptureQueriesContext(connection) as queries:
            for _ in range(10):
                self.assertEqual(directory.lookup("northside.localhost"), self.northside)
        self.assertEqual(len(queries), 0)

    def test_it_serves_a_db_free_page_without_a_single_query(self):
        self.client.get("/healthz")
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(queries), 0)

    def test_it_forgets_a_host_when_its_domain_changes(self):
        self.assertEqual(directory.lookup("northside.localhost"), self.northside)
        domain = Domain.objects.get(domain="northside.localhost")
        domain.domain = "write.northside.example"
        domain.save()
        self.assertIsNone(directory.lookup("northside.localhost"))
        self.assertEqual(directory.lookup("write.northside.example"), self.northside)

    def test_it_answers_an_unknown_host_with_404_and_no_institution_data(self):
        client = InstitutionClient(self.northside)
        response = client.get("/accounts/login/", HTTP_HOST="nowhere.localhost")
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Northside", status_code=404)

    def test_it_refuses_a_host_outside_allowed_hosts(self):
        with self.settings(ALLOWED_HOSTS=["northside.localhost"]):
            response = self.client.get("/accounts/login/", HTTP_HOST="evil.example")
        self.assertEqual(response.status_code, 400)

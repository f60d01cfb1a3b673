from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.base import InstitutionTestCase


class HomePageTests(InstitutionTestCase):
    def assert_home(self, key, path, expected_queries, text):
        client = self.signed_in_client(key)
        client.get(path)  # warm the host directory
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        self.assertContains(response, text)
        self.assertEqual(len(queries), expected_queries, "\n".join(q["sql"] for q in queries.captured_queries))

    # The student and teacher homes are coursework pages; their query counts are pinned in
    # tests/coursework/student/test_home.py and tests/coursework/teacher/test_teacher_home.py.

    def test_it_shows_the_privacy_office_home_in_three_queries(self):
        # 1 session row, 2 the signed-in person, 3 open privacy requests with their subjects (issue #4;
        # the page moved to privacy/views.py). The notice check is remembered in the session.
        self.assert_home("privacy_officer", "/privacy-office/", 3, "Data subject requests")

    def test_it_shows_the_institution_admin_home_in_three_queries(self):
        # 1 session row, 2 the signed-in person, 3 "has this admin enrolled TOTP?"
        self.assert_home("admin", "/manage/", 3, "Manage Northside Academy")

    def test_it_keeps_each_role_out_of_the_others_home_pages(self):
        client = self.signed_in_client("student")
        for path in ["/teacher/", "/privacy-office/", "/manage/"]:
            with self.subTest(path=path):
                self.assertEqual(client.get(path).status_code, 403)

    def test_it_sends_each_role_home_from_the_front_page(self):
        for key, home in [("student", "/student/"), ("teacher", "/teacher/"),
                          ("privacy_officer", "/privacy-office/"), ("admin", "/manage/")]:
            with self.subTest(key):
                self.assertRedirects(self.signed_in_client(key).get("/"), home, fetch_redirect_response=False)

    def test_it_sends_a_visitor_to_the_login_page(self):
        self.assertRedirects(self.client.get("/"), "/accounts/login/", fetch_redirect_response=False)

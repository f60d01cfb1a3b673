from tests.base import InstitutionTestCase


class LoginTests(InstitutionTestCase):
    def test_it_shows_the_institutions_login_page_with_its_name_and_colour(self):
        response = self.client.get("/accounts/login/")
        self.assertContains(response, "Sign in to Northside Academy")
        self.assertContains(response, "--brand: #1f5f8b")

    def test_it_lands_each_role_on_its_own_home_page(self):
        for key, home in [("student", "/student/"), ("teacher", "/teacher/"),
                          ("privacy_officer", "/privacy-office/")]:
            with self.subTest(role=key):
                client = self.client_for(self.northside)
                response = self.log_in_with_password(client, self.person(key).email)
                self.assertRedirects(response, home, fetch_redirect_response=False)
                self.assertEqual(client.get(home).status_code, 200)

    def test_it_refuses_a_wrong_password_with_a_clear_message(self):
        response = self.log_in_with_password(self.client, "sam@northside.example", "not it")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "not correct")
        self.assertNotIn("_auth_user_id", self.client.session)

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from accounts.actions import do_create_user
from accounts.models import Role
from tests.base import PASSWORD, InstitutionTestCase


def current_code(secret):
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


class TwoFactorTests(InstitutionTestCase):
    def test_it_lets_a_teacher_enrol_totp(self):
        client = self.client_for(self.northside)
        self.log_in_with_password(client, "tara@northside.example")
        response = client.get("/accounts/2fa/totp/activate/")
        self.assertRedirects(response, "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F",
                             fetch_redirect_response=False)  # enrolling asks for the password again
        client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        page = client.get("/accounts/2fa/totp/activate/")
        self.assertEqual(page.status_code, 200)
        secret = client.session[SECRET_SESSION_KEY]
        response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Authenticator.objects.filter(user=self.person("teacher"), type="totp").exists())

    def test_it_asks_an_enrolled_admin_for_a_code_at_sign_in(self):
        client = self.client_for(self.northside)
        response = self.log_in_with_password(client, "ada@northside.example")
        self.assertRedirects(response, "/accounts/2fa/authenticate/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", client.session)
        response = client.post("/accounts/2fa/authenticate/", {"code": current_code(self.admin_totp_secret)})
        self.assertRedirects(response, "/manage/", fetch_redirect_response=False)
        self.assertEqual(client.get("/manage/").status_code, 200)

    def test_it_makes_a_new_institution_admin_enrol_before_anything_else(self):
        do_create_user("new.admin@northside.example", "Nia New", Role.INSTITUTION_ADMIN, password=PASSWORD,
                       acting_user=self.person("admin"))
        client = self.client_for(self.northside)
        self.log_in_with_password(client, "new.admin@northside.example")
        for path in ["/manage/", "/admin/", "/admin/accounts/user/"]:
            with self.subTest(path=path):
                response = client.get(path)
                self.assertRedirects(response, "/accounts/2fa/totp/activate/?required=1",
                                     fetch_redirect_response=False)

    def test_it_does_not_force_teachers_or_students_to_enrol(self):
        for key, home in [("teacher", "/teacher/"), ("student", "/student/")]:
            with self.subTest(key):
                self.assertEqual(self.signed_in_client(key).get(home).status_code, 200)

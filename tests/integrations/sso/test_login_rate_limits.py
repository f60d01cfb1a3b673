"""Login and SSO rate limits: strict per account, generous per source (one NAT per school)."""

from django.core.cache import cache
from django.test import override_settings

from accounts.actions import do_create_user
from accounts.models import Role
from tests.base import PASSWORD
from tests.integrations.sso.base import SamlTestCase, person

SCHOOL_NAT = "203.0.113.7"


class PasswordLoginLimitTests(SamlTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()

    def post_login(self, email, password, client=None, ip=SCHOOL_NAT):
        client = client or self.client_for(self.northside)
        return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)

    def test_it_lets_a_whole_class_sign_in_from_one_address(self):
        # allauth's default per-IP login limit is 30/minute: a class of 35 behind the school's NAT
        # would have been turned away at the 31st. Each of them also mistypes once.
        students = [do_create_user(f"class{n:02d}@northside.example", f"Pupil {n}", Role.STUDENT,
                                   password=PASSWORD, acting_user=None) for n in range(35)]
        for student in students:
            self.assertEqual(self.post_login(student.email, "typo!").status_code, 200)
            response = self.post_login(student.email, PASSWORD)
            self.assertEqual(response.status_code, 302, student.email)

    def test_it_stops_guessing_one_account_with_a_429_page(self):
        for _ in range(5):
            self.assertEqual(self.post_login("sam@northside.example", "wrong guess").status_code, 200)
        response = self.post_login("sam@northside.example", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many attempts", status_code=429)
        self.assertContains(response, "wait a few minutes", status_code=429)

    def test_it_counts_an_account_across_addresses(self):
        for n in range(5):
            self.post_login("sam@northside.example", "wrong guess", ip=f"198.51.100.{n}")
        self.assertEqual(self.post_login("sam@northside.example", PASSWORD, ip="198.51.100.99").status_code, 429)

    def test_it_does_not_lock_classmates_out_when_one_account_is_limited(self):
        for _ in range(6):
            self.post_login("sam@northside.example", "wrong guess")
        self.assertEqual(self.post_login("cleo@northside.example", PASSWORD).status_code, 302)

    @override_settings(ACCOUNT_RATE_LIMITS={"login": "3/m/ip", "login_failed": "60/m/ip,5/5m/key"})
    def test_it_limits_a_flood_from_one_address_with_a_429_page(self):
        for _ in range(3):
            self.post_login("otto@northside.example", "wrong")
        response = self.post_login("cleo@northside.example", PASSWORD)
        self.assertContains(response, "Too many attempts", status_code=429)
        self.assertEqual(self.post_login("cleo@northside.example", PASSWORD, ip="198.51.100.1").status_code, 302)

    @override_settings(ACCOUNT_RATE_LIMITS={"login": "3/m/ip", "login_failed": "60/m/ip,5/5m/key"})
    def test_it_keeps_each_institutions_counters_apart(self):
        for _ in range(4):
            self.post_login("otto@northside.example", "wrong")
        riverside = self.client_for(self.riverside)
        response = self.post_login("rita@riverside.example", PASSWORD, client=riverside)
        self.assertEqual(response.status_code, 302)


class SsoLimitTests(SamlTestCase):
    @override_settings(ACCOUNT_RATE_LIMITS={"sso": "3/m/ip", "sso_account": "10/m/key"})
    def test_it_limits_sso_requests_per_source_with_a_429_page(self):
        for _ in range(3):
            self.assertEqual(self.client.get("/accounts/saml/northside/metadata/",
                                              REMOTE_ADDR=SCHOOL_NAT).status_code, 200)
        response = self.client.get("/accounts/saml/northside/metadata/", REMOTE_ADDR=SCHOOL_NAT)
        self.assertContains(response, "Too many attempts", status_code=429)
        other = self.client.get("/accounts/saml/northside/metadata/", REMOTE_ADDR="198.51.100.1")
        self.assertEqual(other.status_code, 200)

    @override_settings(ACCOUNT_RATE_LIMITS={"sso": "600/m/ip", "sso_account": "2/m/key"})
    def test_it_limits_sign_ins_per_sso_account(self):
        sam = person(self.person("student").email)
        for _ in range(2):
            client = self.client_for(self.northside)
            self.assertRedirects(self.sign_in(sam, client=client), "/student/", fetch_redirect_response=False)
        client = self.client_for(self.northside)
        response = self.sign_in(sam, client=client)
        self.assertContains(response, "Too many attempts", status_code=429)
        self.assertNotIn("_auth_user_id", client.session)
        cleo = person(self.person("classmate").email)
        self.assertRedirects(self.sign_in(cleo, client=self.client_for(self.northside)), "/student/",
                             fetch_redirect_response=False)

    def test_its_default_per_source_limit_lets_a_school_sign_in_together(self):
        students = [do_create_user(f"sso{n:02d}@northside.example", f"Pupil {n}", Role.STUDENT,
                                   acting_user=None) for n in range(40)]
        for student in students:
            client = self.client_for(self.northside)
            request = self.start_login(client)
            root = self.response_for(person(student.email), request)
            response = client.post("/accounts/saml/northside/acs/", {"SAMLResponse": self.idp.encode(root)},
                                   REMOTE_ADDR=SCHOOL_NAT)
            response = client.get(response["Location"], REMOTE_ADDR=SCHOOL_NAT)
            self.assertEqual(response.status_code, 302, student.email)
            self.assertEqual(response["Location"], "/student/")

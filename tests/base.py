"""The shared test case: Northside and its people, Riverside for cross-institution tests.

Both institutions are provisioned once in the template test database (tests/database.py);
each test runs inside a transaction on Northside's schema and is rolled back.
"""

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase
from django_tenants.utils import tenant_context

from accounts.actions import do_create_user
from accounts.models import Role, User
from tenants.models import Institution

PASSWORD = "correct horse battery staple"


class InstitutionClient(Client):
    """A browser pointed at one institution's domain.

    Requests go through the real tenant middleware, which switches this (shared, in-process)
    database connection to the institution of the Host header; afterwards the connection is put
    back where the test was, so test code never silently continues in another schema.
    """

    def __init__(self, institution, **defaults):
        self.institution = institution
        host = institution.domains.get(is_primary=True).domain if institution else "localhost"
        super().__init__(HTTP_HOST=host, **defaults)

    def request(self, **request):
        tenant_before = connection.tenant
        try:
            return super().request(**request)
        finally:
            if connection.schema_name != tenant_before.schema_name:
                connection.set_tenant(tenant_before)

    def _in_own_schema(self, method, *args, **kwargs):
        if self.institution is None:
            tenant_before = connection.tenant
            connection.set_schema_to_public()
            try:
                return method(*args, **kwargs)
            finally:
                connection.set_tenant(tenant_before)
        with tenant_context(self.institution):
            return method(*args, **kwargs)

    def force_login(self, user, backend=None):
        return self._in_own_schema(super().force_login, user, backend)

    def login(self, **credentials):
        return self._in_own_schema(super().login, **credentials)


class InstitutionTestCase(TestCase):
    """Northside's people, each with what they may access:

    - teacher (Tara Teacher): her own courses and their students' work; no admin.
    - student (Sam Student): only his own work, and what peer review allocates to him.
    - classmate (Cleo Classmate): Sam's classmate; her own work only (cross-object tests).
    - outsider (Otto Outsider): a Northside student in none of Tara's courses.
    - admin (Ada Admin): institution admin; Northside's people, roles and settings; has TOTP.
    - privacy_officer (Pat Privacy): privacy office; views people and the audit log.
    At Riverside:
    - riverside_teacher (Rita Rivers), riverside_student (Rory Rivers): must never reach Northside.
    """

    northside: Institution
    riverside: Institution

    @classmethod
    def setUpClass(cls):
        cls.northside = Institution.objects.get(slug="northside")
        cls.riverside = Institution.objects.get(slug="riverside")
        connection.set_tenant(cls.northside)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        connection.set_schema_to_public()

    @classmethod
    def setUpTestData(cls):
        cls.people = {}
        for key, email, name, role in [
            ("teacher", "tara@northside.example", "Tara Teacher", Role.TEACHER),
            ("student", "sam@northside.example", "Sam Student", Role.STUDENT),
            ("classmate", "cleo@northside.example", "Cleo Classmate", Role.STUDENT),
            ("outsider", "otto@northside.example", "Otto Outsider", Role.STUDENT),
            ("admin", "ada@northside.example", "Ada Admin", Role.INSTITUTION_ADMIN),
            ("privacy_officer", "pat@northside.example", "Pat Privacy", Role.PRIVACY_OFFICER),
        ]:
            cls.people[key] = do_create_user(email, name, role, password=PASSWORD, acting_user=None)
        cls.admin_totp_secret = generate_totp_secret()
        TOTP.activate(cls.people["admin"], cls.admin_totp_secret)
        with tenant_context(cls.riverside):
            cls.people["riverside_teacher"] = do_create_user(
                "rita@riverside.example", "Rita Rivers", Role.TEACHER, password=PASSWORD, acting_user=None)
            cls.people["riverside_student"] = do_create_user(
                "rory@riverside.example", "Rory Rivers", Role.STUDENT, password=PASSWORD, acting_user=None)

    def setUp(self):
        cache.clear()  # the database is rolled back after each test; cached pages must go with it
        self.client = InstitutionClient(self.northside)

    def person(self, key) -> User:
        return self.people[key]

    def client_for(self, institution):
        return InstitutionClient(institution)

    def signed_in_client(self, key, institution=None):
        client = InstitutionClient(institution or self.northside)
        client.force_login(self.person(key))
        return client

    def log_in_with_password(self, client, email, password=PASSWORD):
        return client.post("/accounts/login/", {"login": email, "password": password})

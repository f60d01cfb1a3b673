"""The account pages allauth serves under /accounts/ open for a signed-in person, and every template
the project can render compiles (a template library missing from INSTALLED_APPS, like `humanize`
for allauth's session list, once turned /accounts/sessions/ into a 500)."""

from pathlib import Path

from django.template import engines
from django.test import SimpleTestCase

from tests.base import InstitutionTestCase


class AccountPagesTests(InstitutionTestCase):
    def test_a_student_sees_their_open_sessions_and_two_factor_settings(self):
        client = self.signed_in_client("student")
        self.assertContains(client.get("/accounts/sessions/"), "IP Address")
        self.assertEqual(client.get("/accounts/2fa/").status_code, 200)


class TemplatesCompileTests(SimpleTestCase):
    def test_every_template_of_every_app_compiles(self):
        compiled = 0
        for engine in engines.all():
            for folder in engine.template_dirs:
                for path in Path(folder).rglob("*.html"):
                    name = path.relative_to(folder).as_posix()
                    with self.subTest(template=name, folder=str(folder)):
                        engine.get_template(name)
                        compiled += 1
        self.assertGreater(compiled, 250)

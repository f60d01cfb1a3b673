"""An institution admin uploads a OneRoster zip, reviews the dry run and confirms it (real browser)."""

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Role

pytestmark = pytest.mark.browser

PASSWORD = "a long demo password"


@pytest.fixture
def admin_with_totp(committed_person, django_db_blocker):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    person = committed_person("northside", "rosa.admin@northside.example", "Rosa Admin", Role.INSTITUTION_ADMIN,
                              PASSWORD)
    secret = generate_totp_secret()
    with django_db_blocker.unblock():
        from tenants.models import Institution
        with tenant_context(Institution.objects.get(slug="northside")):
            TOTP.activate(person, secret)
    return person, secret


@pytest.fixture
def roster_zip(tmp_path, django_db_blocker):
    from integrations.oneroster.samples.make_sample import build_zip, enrolment, user

    files = {
        "academicSessions": [{"sourcedId": "bt-term", "title": "Browser Term", "type": "term"}],
        "courses": [{"sourcedId": "bt-course", "title": "Browser Poetry", "courseCode": "BT-1"}],
        "classes": [{"sourcedId": "bt-class", "title": "Poetry Set A", "courseSourcedId": "bt-course",
                     "termSourcedIds": "bt-term"}],
        "users": [user("bt-u1", "Bea", "Browser", "bea.browser@northside.example")],
        "enrollments": [enrolment("bt-e1", "bt-class", "bt-u1")],
    }
    path = tmp_path / "browser-roster.zip"
    path.write_bytes(build_zip(files))
    yield path
    with django_db_blocker.unblock():
        from accounts.models import User
        from coursework.models import Course
        from integrations.oneroster.models import RosterImport, RosterLink
        from tenants.models import Institution
        with tenant_context(Institution.objects.get(slug="northside")):
            Course.objects.filter(code="BT-1").delete()
            User.objects.filter(email="bea.browser@northside.example").delete()
            RosterLink.objects.filter(sourced_id__startswith="bt-").delete()
            RosterImport.objects.filter(file_name="browser-roster.zip").delete()


def test_the_admin_imports_a_roster_after_reviewing_it(live_server_url, admin_with_totp, roster_zip, browser_page):
    from tests.accounts.test_two_factor import current_code

    person, secret = admin_with_totp
    page = browser_page
    base = live_server_url.format(host="northside.localhost")
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/2fa/authenticate/**")
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Sign In").click()

    page.goto(base + "/admin/integrations_oneroster/rosterimport/add/")
    page.get_by_label("OneRoster CSV zip").set_input_files(str(roster_zip))
    page.get_by_role("button", name="Save", exact=True).click()

    page.wait_for_url("**/rosterimport/*/change/")
    assert page.get_by_role("heading", name="What this import would change").is_visible()
    assert page.get_by_text("Ready for review", exact=True).is_visible()
    page.get_by_text("People create (1)").click()
    assert page.get_by_text("bea.browser@northside.example").is_visible()

    page.get_by_role("button", name="Confirm and apply").click()
    page.wait_for_url("**/rosterimport/*/change/")
    assert page.get_by_role("heading", name="What was applied").is_visible()
    assert page.get_by_text("Applied", exact=True).first.is_visible()
    assert page.get_by_role("button", name="Confirm and apply").count() == 0

"""A student asks for a copy of their data in a real browser: the privacy page, re-authentication,
the officer's approval in the institution's admin, and the download."""

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Role

pytestmark = pytest.mark.browser

PASSWORD = "a long demo password"


@pytest.fixture
def people(committed_person, django_db_blocker):
    """A student and a privacy officer, committed; their requests and export files removed after."""
    student = committed_person("northside", "lin.student@northside.example", "Lin Student", Role.STUDENT, PASSWORD)
    committed_person("northside", "pia.privacy@northside.example", "Pia Privacy", Role.PRIVACY_OFFICER, PASSWORD)
    yield student
    from django.core.files.storage import default_storage

    from privacy.models import PrivacyJob, PrivacyRequest
    from tenants.models import Institution

    with django_db_blocker.unblock(), tenant_context(Institution.objects.get(slug="northside")):
        for job in PrivacyJob.objects.filter(request__subject=student).exclude(file_name=""):
            default_storage.delete(job.file_name)
        PrivacyRequest.objects.filter(subject=student).delete()


def sign_in(page, base_url, email):
    page.goto(base_url + "/accounts/logout/")
    if page.get_by_role("button", name="Sign out").count():
        page.get_by_role("button", name="Sign out").first.click()
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_student_asks_for_a_copy_and_downloads_it(live_server_url, people, browser_page, tmp_path):
    import zipfile

    from playwright.sync_api import expect

    page = browser_page
    base_url = live_server_url.format(host="northside.localhost")

    sign_in(page, base_url, "lin.student@northside.example")
    page.wait_for_url("**/student/")
    page.get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", name="Your privacy")).to_be_visible()
    page.get_by_label("Access: a copy of my data").check()
    page.get_by_role("button", name="Send request").click()
    # The identity check: allauth asks for the password again, then sends the request on.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.get_by_placeholder("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/privacy/requests/**")
    expect(page.get_by_role("heading", name="Status: Awaiting approval")).to_be_visible()
    request_url = page.url

    sign_in(page, base_url, "pia.privacy@northside.example")
    page.wait_for_url("**/privacy-office/")
    page.get_by_role("link", name="Access request").first.click()
    page.get_by_label("Decision:").select_option("approve")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()

    sign_in(page, base_url, "lin.student@northside.example")
    page.goto(request_url)
    expect(page.get_by_role("heading", name="Status: Completed")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert "index.html" in archive.namelist()
        assert "Lin Student" in archive.read("index.html").decode()

"""Real-browser tests: Playwright (Python) driving Debian's Chromium against a live server.

Data for these tests is committed (the live server runs in another thread with its own
connection), so each fixture removes what it created.
"""

import os
from pathlib import Path

import pytest
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django_tenants.utils import tenant_context

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def chromium_path():
    if not os.path.exists(CHROMIUM):
        reason = os.environ.get("SCRIBETREE_BROWSER_MISSING") or f"Chromium is not installed at {CHROMIUM}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"Browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
def live_server_url(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        server = LiveServerThread("127.0.0.1", _StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            yield f"http://{{host}}:{server.port}"
        finally:
            server.terminate()


@pytest.fixture
def committed_person(django_db_setup, django_db_blocker):
    """Create people through the real action, committed; remove them afterwards."""
    from accounts.actions import do_create_user
    from accounts.models import User
    from tenants.models import Institution

    created = []

    def make(slug, email, name, role, password):
        with django_db_blocker.unblock():
            institution = Institution.objects.get(slug=slug)
            with tenant_context(institution):
                person = do_create_user(email, name, role, password=password, acting_user=None)
            created.append((institution, person.pk))
            return person

    yield make
    with django_db_blocker.unblock():
        for institution, pk in created:
            with tenant_context(institution):
                User.objects.filter(pk=pk).delete()


@pytest.fixture
def browser_page(chromium_path, request):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"],
        )
        page = browser.new_page()
        try:
            yield page
        finally:
            failed = getattr(request.node, "rep_call", None)
            if failed is not None and failed.failed:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report

"""The writing page in a real browser: a failed autosave is shown, retried, and nothing is lost."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role

pytestmark = pytest.mark.browser

PASSWORD = "a long demo password"
HOST = "northside.localhost"


@pytest.fixture
def essay(committed_person, django_db_blocker):
    """A published essay in a committed course with Bea enrolled; created before the browser starts
    (Playwright's event loop forbids ORM calls in its thread) and deleted afterwards."""
    from coursework.actions import do_create_assignment, do_create_course, do_enrol_student, do_publish_assignment
    from coursework.models import StageSubmission
    from tenants.models import Institution

    teacher = committed_person("northside", "tom.browser@northside.example", "Tom Teacher", Role.TEACHER, PASSWORD)
    student = committed_person("northside", "bea.browser@northside.example", "Bea Browser", Role.STUDENT, PASSWORD)
    with django_db_blocker.unblock():
        northside = Institution.objects.get(slug="northside")
        with tenant_context(northside):
            course = do_create_course("Browser English", "Autumn 2026", acting_user=teacher)
            do_enrol_student(course, student, acting_user=teacher)
            assignment = do_create_assignment(course, title="Sleep and school", prompt="Should school start later?",
                                              due_at=timezone.now() + timedelta(days=7), acting_user=teacher)
            do_publish_assignment(assignment, acting_user=teacher)
    yield assignment
    with django_db_blocker.unblock(), tenant_context(northside):
        # Submitted stages protect their revision, so they go first; the rest goes with the course.
        StageSubmission.objects.filter(submission__assignment__course=course).delete()
        course.delete()


def sign_in_and_open(page, base_url, assignment):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill("bea.browser@northside.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/student/")
    page.goto(f"{base_url}/write/{assignment.pk}/")


def test_it_shows_a_failed_save_retries_it_and_keeps_the_text(live_server_url, essay, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    base_url = live_server_url.format(host=HOST)
    sign_in_and_open(page, base_url, essay)

    attempts = []

    def fail_the_first_save(route):
        attempts.append(route.request.post_data)
        if len(attempts) == 1:
            route.abort("failed")  # as if the network dropped
        else:
            route.continue_()

    page.route("**/autosave", fail_the_first_save)
    text = "Teenagers sleep later than adults, so school should start later."
    editor = page.get_by_label("Your writing")
    editor.click()
    editor.press_sequentially(text)

    expect(page.get_by_text("Not saved yet — retrying…")).to_be_visible(timeout=10_000)
    expect(page.locator("#save-status")).to_contain_text("All changes saved · revision 1", timeout=15_000)
    assert "retrying" not in page.locator("#save-status").inner_text()

    # The retry carried the same text from the same base, with the writing figures counted in the page.
    assert len(attempts) >= 2
    assert attempts[1] == attempts[0]
    assert "base_revision=0" in attempts[1]
    assert f"typed_chars={len(text)}" in attempts[1]
    assert page.locator("#word-count").inner_text().startswith("10 words")

    page.reload()
    expect(page.get_by_label("Your writing")).to_have_value(text)
    assert page.evaluate("window.localStorage.length") == 0  # confirmed by the server, so no local copy left


def test_it_counts_pastes_and_saves_on_blur(live_server_url, essay, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    base_url = live_server_url.format(host=HOST)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    sign_in_and_open(page, base_url, essay)
    sent = []
    page.route("**/autosave", lambda route: (sent.append(route.request.post_data), route.continue_()))

    editor = page.get_by_label("Your writing")
    editor.click()
    editor.press_sequentially("Quote: ")
    page.evaluate("navigator.clipboard.writeText('Sleep matters.')")
    page.keyboard.press("Control+V")
    page.get_by_role("button", name="Save now").focus()  # leaving the editor saves at once

    expect(page.locator("#save-status")).to_contain_text("All changes saved · revision 1", timeout=5_000)
    assert len(sent) == 1
    assert "typed_chars=7" in sent[0]
    assert "pasted_chars=14" in sent[0]
    assert "paste_sizes=14" in sent[0]
    expect(editor).to_have_value("Quote: Sleep matters.")


def test_it_keeps_the_losing_tabs_text_and_offers_it_beside_the_latest(live_server_url, essay, browser_page):
    from playwright.sync_api import expect

    first = browser_page
    base_url = live_server_url.format(host=HOST)
    sign_in_and_open(first, base_url, essay)
    with first.expect_popup() as opened:  # the same student, the same page, in another tab
        first.evaluate("url => window.open(url)", f"{base_url}/write/{essay.pk}/")
    second = opened.value
    second.wait_for_load_state()

    first.get_by_label("Your writing").fill("The first tab's essay.")
    first.get_by_role("button", name="Save now").click()
    expect(first.locator("#save-status")).to_contain_text("revision 1")

    second.get_by_label("Your writing").fill("The second tab's essay.")
    second.get_by_role("button", name="Save now").click()
    expect(second.get_by_role("alert")).to_contain_text("changed in another window or tab")
    expect(second.get_by_label("Your writing")).to_have_value("The second tab's essay.")

    second.get_by_role("link", name="Load the latest version").click()
    expect(second.get_by_label("Your writing")).to_have_value("The first tab's essay.")
    expect(second.get_by_label("Your unsaved text")).to_have_value("The second tab's essay.")
    second.get_by_role("button", name="Use this text instead").click()
    expect(second.locator("#save-status")).to_contain_text("revision 2")
    expect(second.get_by_label("Your writing")).to_have_value("The second tab's essay.")


def test_it_puts_back_text_that_never_reached_the_server(live_server_url, essay, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    base_url = live_server_url.format(host=HOST)
    sign_in_and_open(page, base_url, essay)
    page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?"
    page.route("**/autosave", lambda route: route.abort("internetdisconnected"))

    page.get_by_label("Your writing").press_sequentially("Written offline.")
    expect(page.get_by_text("Not saved yet — retrying…")).to_be_visible(timeout=10_000)
    page.unroute("**/autosave")
    page.reload()

    expect(page.get_by_label("Your writing")).to_have_value("Written offline.")
    expect(page.locator("#save-status")).to_contain_text("All changes saved · revision 1", timeout=5_000)

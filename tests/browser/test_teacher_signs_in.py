import pytest

from accounts.models import Role

pytestmark = pytest.mark.browser

PASSWORD = "a long demo password"


@pytest.fixture
def tess(committed_person):
    # Created before the browser starts: Playwright's event loop forbids ORM calls in its thread.
    return committed_person("northside", "tess@northside.example", "Tess Teacher", Role.TEACHER, PASSWORD)


def sign_in(page, email, password):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_it_signs_a_teacher_in_on_northside_and_shows_the_teacher_home(live_server_url, tess, browser_page):
    page = browser_page
    page.goto(live_server_url.format(host="northside.localhost") + "/")

    assert page.get_by_role("heading", name="Sign in to Northside Academy").is_visible()
    sign_in(page, "tess@northside.example", PASSWORD)

    page.wait_for_url("**/teacher/")
    assert page.get_by_role("heading", name="Teaching at Northside Academy").is_visible()
    assert page.get_by_role("banner").get_by_text("Northside Academy").is_visible()


def test_it_does_not_let_a_northside_teacher_in_on_riverside(live_server_url, tess, browser_page):
    page = browser_page
    page.goto(live_server_url.format(host="riverside.localhost") + "/accounts/login/")

    assert page.get_by_role("heading", name="Sign in to Riverside High School").is_visible()
    sign_in(page, "tess@northside.example", PASSWORD)

    assert page.get_by_role("alert").get_by_text("not correct").is_visible()
    assert "/accounts/login/" in page.url

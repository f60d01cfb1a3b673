"""The whole journey in a real browser: a student writes (autosave), reloads, submits; the teacher
comments on a passage, scores the rubric, grades and releases; the student reads it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role

pytestmark = pytest.mark.browser

PASSWORD = "a long demo password"
ESSAY = "Schools should start later because teenagers sleep later. Rested students learn more."


@pytest.fixture
def course(committed_person, django_db_blocker):
    """A published assignment with a rubric, committed before the browser starts; removed after."""
    from coursework.actions import (
        do_create_assignment,
        do_create_course,
        do_create_rubric,
        do_enrol_student,
        do_publish_assignment,
    )
    from tenants.models import Institution

    teacher = committed_person("northside", "jo.teacher@northside.example", "Jo Teacher", Role.TEACHER, PASSWORD)
    student = committed_person("northside", "kit.student@northside.example", "Kit Student", Role.STUDENT, PASSWORD)
    with django_db_blocker.unblock():
        northside = Institution.objects.get(slug="northside")
        with tenant_context(northside):
            course = do_create_course("Journey English", "Autumn 2026", acting_user=teacher)
            do_enrol_student(course, student, acting_user=teacher)
            rubric = do_create_rubric("Journey rubric", [
                {"title": "Thesis", "levels": [{"title": "Unclear", "points": 1}, {"title": "Clear", "points": 3}]},
            ], acting_user=teacher)
            assignment = do_create_assignment(course, title="Start times", prompt="Should school start later?",
                                              due_at=timezone.now() + timedelta(days=7), rubric=rubric,
                                              max_points=10, acting_user=teacher)
            do_publish_assignment(assignment, acting_user=teacher)
    yield assignment
    with django_db_blocker.unblock(), tenant_context(northside):
        course.delete()
        rubric.delete()


def sign_in(page, base_url, email):
    page.goto(base_url + "/accounts/logout/")
    if page.get_by_role("button", name="Sign out").count():
        page.get_by_role("button", name="Sign out").first.click()
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_it_carries_an_essay_from_first_word_to_released_feedback(live_server_url, course, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    base_url = live_server_url.format(host="northside.localhost")

    # The student writes; autosave keeps it; a reload shows it; they submit.
    sign_in(page, base_url, "kit.student@northside.example")
    page.wait_for_url("**/student/")
    page.get_by_role("link", name="Start times").click()
    page.wait_for_url("**/write/**")
    page.wait_for_load_state("load")  # the editor script starts on load; a person types after that
    page.get_by_label("Your writing").press_sequentially(ESSAY[:20])
    page.get_by_label("Your writing").fill(ESSAY)
    expect(page.locator("#save-status")).to_contain_text("All changes saved", timeout=15_000)
    page.reload()
    expect(page.get_by_label("Your writing")).to_have_value(ESSAY)
    page.get_by_role("button", name="Submit final stage").click()
    expect(page.get_by_text("Submitted").first).to_be_visible()

    # The teacher reviews it from the course dashboard.
    sign_in(page, base_url, "jo.teacher@northside.example")
    page.wait_for_url("**/teacher/")
    page.get_by_role("link", name="Journey English").first.click()
    page.get_by_role("link", name="Review Kit Student's work").click()
    page.wait_for_url("**/teach/submissions/**")
    page.wait_for_load_state("load")
    page.evaluate("""() => {
        const node = document.getElementById("revision-text").firstChild;
        const at = node.data.indexOf("teenagers sleep later");
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + "teenagers sleep later".length);
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
        document.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
    }""")
    page.get_by_label("Comment", exact=True).fill("Cite the study you mean here.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("mark.anchor")).to_have_text("teenagers sleep later")
    page.get_by_role("radio", name="Clear (3 points)").check()
    page.get_by_role("button", name="Save rubric scores").click()
    expect(page.locator("#feedback [role=status]")).to_have_text("Rubric scores saved.")  # swapped in
    expect(page.get_by_text("Rubric total: 3 of 3")).to_be_visible()
    page.get_by_label("Grade").fill("9")
    page.get_by_role("button", name="Save grade and comment").click()
    expect(page.locator("#feedback [role=status]")).to_have_text("Grade and comment saved.")
    page.get_by_role("button", name="Release feedback to Kit Student").click()
    expect(page.locator("#feedback .notice").first).to_contain_text("Released on")

    # The student reads the feedback, anchored to the passage.
    sign_in(page, base_url, "kit.student@northside.example")
    page.wait_for_url("**/student/")
    page.get_by_role("link", name="Read your feedback on Start times").click()
    expect(page.locator("mark").filter(has_text="teenagers sleep later")).to_be_visible()
    expect(page.get_by_text("Cite the study you mean here.")).to_be_visible()
    expect(page.locator("table.rubric-scores")).to_contain_text("Clear")
    expect(page.locator("p.grade")).to_contain_text("9")
    expect(page.locator("p.grade")).to_contain_text("out of 10")

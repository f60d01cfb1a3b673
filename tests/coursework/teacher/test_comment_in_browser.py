"""The review page in a real browser: selecting a passage fills in its offsets, and the comment
is added in place (htmx) with its passage highlighted."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role

pytestmark = pytest.mark.browser

PASSWORD = "a long demo password"
HOST = "northside.localhost"
# A Windows line break and an emoji before the passage: offsets must count like Python does.
TEXT = "First line.\r\nEmoji \N{GRINNING FACE} here. Then the claim: school should start later."


@pytest.fixture
def submitted_work(committed_person, django_db_blocker):
    """Submitted work in a committed course; made before the browser starts (Playwright's event
    loop forbids ORM calls in its thread) and deleted afterwards."""
    from coursework.actions import (
        do_create_assignment,
        do_create_course,
        do_enrol_student,
        do_publish_assignment,
        do_save_draft,
        do_submit_stage,
        get_or_start_submission,
    )
    from tenants.models import Institution

    teacher = committed_person("northside", "tim.browser@northside.example", "Tim Teacher", Role.TEACHER, PASSWORD)
    student = committed_person("northside", "sol.browser@northside.example", "Sol Student", Role.STUDENT, PASSWORD)
    with django_db_blocker.unblock():
        northside = Institution.objects.get(slug="northside")
        with tenant_context(northside):
            course = do_create_course("Browser Review", "Autumn 2026", acting_user=teacher)
            do_enrol_student(course, student, acting_user=teacher)
            assignment = do_create_assignment(course, title="Start times", prompt="Argue.",
                                              due_at=timezone.now() + timedelta(days=7), acting_user=teacher)
            do_publish_assignment(assignment, acting_user=teacher)
            submission, _ = do_save_draft(get_or_start_submission(assignment, student), TEXT, base_revision=0,
                                          acting_user=student)
            submission = do_submit_stage(submission, acting_user=student)
    yield submission
    with django_db_blocker.unblock(), tenant_context(northside):
        from coursework.models import StageSubmission

        StageSubmission.objects.filter(submission=submission).delete()  # it protects the submitted revision
        course.delete()


def test_it_turns_a_selection_into_a_comment_on_that_passage(live_server_url, submitted_work, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    base_url = live_server_url.format(host=HOST)
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill("tim.browser@northside.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/teacher/")
    page.goto(f"{base_url}/teach/submissions/{submitted_work.pk}/")

    # Select "the claim" in the displayed text, as a teacher's drag would, then let go of the mouse.
    page.evaluate("""() => {
        const node = document.getElementById("revision-text").firstChild;
        const at = node.data.indexOf("the claim");
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + "the claim".length);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        document.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
    }""")
    form = page.locator("#comment-form")
    expect(form.locator("input[name=start]")).to_have_value(str(TEXT.index("the claim")))
    expect(form.locator("input[name=end]")).to_have_value(str(TEXT.index("the claim") + 9))
    expect(page.get_by_label("Passage")).to_have_value("the claim")
    expect(page.locator("#selection-status")).to_have_text("Selected 2 words. Write your comment below.")

    page.get_by_label("Comment", exact=True).fill("Which claim? Say it in your own words.")
    page.get_by_role("button", name="Add comment").click()

    expect(page.locator("mark.anchor")).to_have_text("the claim")
    expect(page.locator("#comments")).to_contain_text("Which claim? Say it in your own words.")
    expect(page.locator("#annotated .notice")).to_have_text("Comment added.")
    assert page.url.endswith(f"/teach/submissions/{submitted_work.pk}/")  # swapped in place, no reload

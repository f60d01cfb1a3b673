from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone

from coursework.actions import do_release_feedback, do_submit_stage, do_unenrol_student, do_update_assignment
from coursework.models import Assignment, StageSubmission, Submission
from coursework.templatetags.coursework_tags import assignment_brief
from tests.coursework.student.base import StudentPagesTestCase


class WritingPageTests(StudentPagesTestCase):
    def url(self, assignment=None):
        return f"/write/{(assignment or self.essay).pk}/"

    def test_it_starts_the_students_work_when_first_opened(self):
        self.assertFalse(Submission.objects.filter(student=self.sam).exists())
        response = self.client.get(self.url())
        submission = Submission.objects.get(student=self.sam, assignment=self.essay)
        self.assertEqual(submission.status, Submission.Status.NOT_STARTED)
        self.assertContains(response, f'hx-post="/write/{submission.pk}/autosave"')
        self.client.get(self.url())
        self.assertEqual(Submission.objects.filter(student=self.sam).count(), 1)

    def test_it_shows_the_prompt_stage_due_date_and_word_range(self):
        homework = self.assignment("Sleep essay", instructions="Use two sources.", min_words=300, max_words=1200)
        response = self.client.get(self.url(homework))
        self.assertContains(response, "<h1>Sleep essay</h1>", html=True)
        self.assertContains(response, "Write about Sleep essay.")
        self.assertContains(response, "Use two sources.")
        self.assertContains(response, "Length: 300–1,200 words.")
        self.assertContains(response, 'aria-current="step"')
        self.assertContains(response, '<label for="id_text">Your writing</label>', html=True)

    def test_it_puts_the_saved_text_and_revision_in_the_editor(self):
        submission = self.save(self.start(), "\nIndented start.", "\nIndented start, then more.\n")
        response = self.client.get(self.url())
        # The newline after <textarea> is eaten by HTML parsers, so a text starting with one survives.
        self.assertContains(response, 'id="id_text"')
        self.assertIn(">\n\nIndented start, then more.\n</textarea>", response.content.decode())
        self.assertContains(response, '<input type="hidden" name="base_revision" value="2">', html=True)
        self.assertContains(response, "All changes saved · revision 2")
        self.assertContains(response, f'href="/write/{submission.pk}/history/"')
        self.assertContains(response, 'aria-live="polite"')
        self.assertContains(response, "js/editor.js")

    def test_it_offers_the_next_stage_after_the_first_is_submitted(self):
        do_submit_stage(self.save(self.start(), "My draft."), acting_user=self.sam)
        response = self.client.get(self.url())
        self.assertContains(response, "Submit the final stage")
        self.assertContains(response, '<span class="tag tag-done">Submitted</span>', html=True)

    def test_it_lists_each_submission_of_a_stage_with_its_time_attempt_and_lateness(self):
        homework = self.assignment("Two goes", due_in=timedelta(hours=-1))
        submission = do_submit_stage(self.save(self.start(assignment=homework), "First try."), acting_user=self.sam)
        do_release_feedback(submission, acting_user=self.tara)
        do_submit_stage(self.save(Submission.objects.get(pk=submission.pk), "Second try."), acting_user=self.sam)
        response = self.client.get(self.url(homework))
        page = response.content.decode()
        self.assertEqual(page.count('<span class="tag tag-done">Submitted</span>'), 2)
        rows = StageSubmission.objects.filter(submission=submission).order_by("attempt")
        with timezone.override(self.northside.time_zone):  # as the page shows times: the institution's zone
            shown = [dateformat.format(timezone.localtime(row.submitted_at), "D j M, H:i") for row in rows]
        self.assertIn(f"Submitted</span> {shown[0]} — <strong>late</strong>", page)
        self.assertIn(f"Submitted</span> {shown[1]} (attempt 2) — <strong>late</strong>", page)

    def test_an_edited_prompt_shows_at_once(self):
        homework = self.assignment("Sleep essay", min_words=300)
        self.assertContains(self.client.get(self.url(homework)), "Write about Sleep essay.")
        do_update_assignment(homework, prompt="Write about dreams.", max_words=900, acting_user=self.tara)
        response = self.client.get(self.url(homework))
        self.assertContains(response, "Write about dreams.")
        self.assertNotContains(response, "Write about Sleep essay.")
        self.assertContains(response, "Length: 300–900 words.")

    def test_the_brief_kept_in_memory_is_keyed_by_its_content_not_by_id(self):
        # Ids are per schema: Northside's assignment 1 and Riverside's assignment 1 must never share a brief.
        ours = Assignment(pk=1, prompt="Northside's prompt.", instructions="", min_words=None, max_words=None)
        theirs = Assignment(pk=1, prompt="Riverside's prompt.", instructions="", min_words=None, max_words=None)
        self.assertIn("Northside&#x27;s prompt.", assignment_brief(ours))
        self.assertIn("Riverside&#x27;s prompt.", assignment_brief(theirs))
        self.assertNotIn("Northside", assignment_brief(theirs))

    def test_it_locks_the_text_when_nothing_more_can_be_submitted(self):
        once = self.assignment("One go", allow_resubmission=False)
        do_submit_stage(self.save(self.start(assignment=once), "Final words."), acting_user=self.sam)
        response = self.client.get(self.url(once))
        self.assertContains(response, "your work can no longer be changed")
        self.assertContains(response, "Final words.")
        self.assertNotContains(response, "js/editor.js")
        self.assertNotContains(response, "<textarea")

    def test_it_offers_resubmission_only_after_feedback(self):
        homework = self.assignment("Two goes")
        submission = self.save(self.start(assignment=homework), "First try.")
        do_submit_stage(submission, acting_user=self.sam)
        response = self.client.get(self.url(homework))
        self.assertContains(response, "You can resubmit after your teacher releases feedback.")
        self.assertNotContains(response, "data-submit")
        do_release_feedback(submission, acting_user=self.tara)
        response = self.client.get(self.url(homework))
        self.assertContains(response, "Resubmit the final stage")
        self.assertContains(response, "data-submit")

    def test_it_says_when_late_work_is_refused(self):
        closed = self.assignment("Closed", due_in=timedelta(hours=-1), late_policy=Assignment.LatePolicy.REFUSE)
        response = self.client.get(self.url(closed))
        self.assertContains(response, "does not accept late work")
        self.assertNotContains(response, "data-submit")

    def test_it_shows_the_writing_page_in_constant_queries(self):
        # When the student's home rows are cached (they are after any student page, until something
        # they show changes): 1 session, 2 the signed-in person, 3 the student's submission. The
        # assignment, its course and stages and the stage submissions come from those rows.
        submission = self.save(self.start(), "One.")
        response, queries = self.count_queries(self.client, self.url())
        self.assertContains(response, "revision 1")
        self.assertQueries(queries, 3)

        text = "One."
        for n in range(60):  # past a keyframe; saves change nothing the cached rows hold
            text += f" word{n}"
            submission = self.save(submission, text)
        response, queries = self.count_queries(self.client, self.url())
        self.assertContains(response, "revision 61")
        self.assertQueries(queries, 3)

        # Rebuilt: 1 session, 2 the person, 3-7 the home rows (courses, their published assignments,
        # the stages, the student's submissions, their stage submissions), 8 the submission.
        do_submit_stage(submission, acting_user=self.sam)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.url())
        self.assertContains(response, "Submitted</span>")
        self.assertQueries(queries, 8)

    def test_a_cached_writing_page_shows_a_submission_made_meanwhile(self):
        submission = self.save(self.start(), "One.")
        self.client.get(self.url())  # the home rows are now cached
        do_submit_stage(submission, acting_user=self.sam)
        self.assertContains(self.client.get(self.url()), "Submitted</span>")

    def test_a_student_removed_from_the_course_loses_the_cached_writing_page(self):
        self.save(self.start(), "One.")
        self.assertEqual(self.client.get(self.url()).status_code, 200)  # cached
        do_unenrol_student(self.essay.course, self.sam, acting_user=self.tara)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_the_reflection_field_is_the_forms_own_and_a_refused_post_keeps_what_was_written(self):
        response = self.client.get(self.url())
        self.assertInHTML('<textarea name="reflection" cols="40" rows="4" maxlength="5000" '
                          'aria-describedby="id_reflection_helptext" id="id_reflection"></textarea>',
                          response.content.decode())
        self.assertContains(response, "Reflection (optional)")
        submission = Submission.objects.get(student=self.sam, assignment=self.essay)
        refused = self.client.post(f"/write/{submission.pk}/submit", {"text": " ", "base_revision": 0,
                                                                       "reflection": "My notes."})
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "My notes.</textarea>", status_code=400)

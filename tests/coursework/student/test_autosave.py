from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursework.models import Revision, Submission
from tests.coursework.student.base import StudentPagesTestCase


class AutosaveTests(StudentPagesTestCase):
    def setUp(self):
        super().setUp()
        self.submission = self.start()
        self.url = f"/write/{self.submission.pk}/autosave"

    def autosave(self, text, base, client=None, **figures):
        return (client or self.client).post(self.url, {"text": text, "base_revision": base, **figures},
                                            HTTP_HX_REQUEST="true")

    def test_it_saves_and_returns_the_new_revision(self):
        response = self.autosave("Schools should start later.", 0)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Revision-Number"], "1")
        self.assertContains(response, "All changes saved · revision 1")
        self.submission.refresh_from_db()
        self.assertEqual((self.submission.text, self.submission.revision_number), ("Schools should start later.", 1))

        response = self.autosave("Schools should start later, at nine.", 1)
        self.assertEqual(response["X-Revision-Number"], "2")

    def test_it_records_the_writing_process_figures(self):
        self.autosave("Typed, then pasted a quote.", 0, active_seconds=42, typed_chars=7, pasted_chars=20,
                      paste_sizes="12,8")
        process = Revision.objects.get(submission=self.submission).process
        self.assertEqual((process.active_seconds, process.typed_chars, process.pasted_chars, process.paste_sizes),
                         (42, 7, 20, [12, 8]))

    def test_it_refuses_nonsense_figures_without_losing_anything(self):
        response = self.autosave("Text", 0, typed_chars=-5, paste_sizes="12,lots")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Not saved", status_code=400)
        self.assertContains(response, "Your text is still in the editor.", status_code=400)
        self.assertEqual(self.submission.revisions.count(), 0)

    def test_it_keeps_the_text_exactly_but_with_unix_line_breaks(self):
        self.autosave("  Indented.\r\n\r\nSecond paragraph.  \n", 0)
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.text, "  Indented.\n\nSecond paragraph.  \n")

    def test_it_tells_the_second_tab_it_lost_and_keeps_the_first_tabs_text(self):
        self.autosave("Opened in two tabs.", 0)
        first_tab, second_tab = self.client, self.signed_in_client("student")
        # Both tabs loaded revision 1; the first saves, then the second saves from the same base.
        self.assertEqual(self.autosave("First tab's version.", 1, client=first_tab).status_code, 200)
        response = self.autosave("Second tab's version.", 1, client=second_tab)

        self.assertEqual(response.status_code, 409)
        self.assertEqual(response["X-Revision-Number"], "2")
        self.assertContains(response, "changed in another window or tab", status_code=409)
        self.assertContains(response, "Load the latest version", status_code=409)
        self.assertContains(response, 'role="alert"', status_code=409)
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.text, "First tab's version.")
        self.assertEqual(self.submission.revision_number, 2)

    def test_it_treats_a_retry_of_a_save_that_landed_as_saved(self):
        # The response to the first save was lost; the editor resends the same text from the same base.
        self.autosave("Sent once, answered never.", 0)
        response = self.autosave("Sent once, answered never.", 0)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Revision-Number"], "1")
        self.assertEqual(self.submission.revisions.count(), 1)

    def test_it_saves_a_plain_form_post_and_returns_to_the_page(self):
        response = self.client.post(self.url, {"text": "No JavaScript here.", "base_revision": 0})
        self.assertRedirects(response, f"/write/{self.essay.pk}/", fetch_redirect_response=False)
        self.assertContains(self.client.get(f"/write/{self.essay.pk}/"), "Your work is saved.")

    def test_it_shows_a_plain_form_post_conflict_with_the_unsaved_text(self):
        self.autosave("Saved elsewhere.", 0)
        response = self.client.post(self.url, {"text": "Typed here without JavaScript.", "base_revision": 0,
                                               "reflection": "Notes for my teacher."})
        self.assertContains(response, "Typed here without JavaScript.", status_code=409)
        self.assertContains(response, "Notes for my teacher.", status_code=409)
        self.assertContains(response, "changed in another window or tab", status_code=409)
        self.assertContains(response, 'data-conflict="true"', status_code=409)

    def test_it_only_accepts_posts(self):
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_it_saves_only_the_students_own_work(self):
        cleos = self.start("classmate")
        response = self.client.post(f"/write/{cleos.pk}/autosave", {"text": "Sam was here", "base_revision": 0},
                                    HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Submission.objects.get(pk=cleos.pk).text, "")


class AutosaveQueryTests(StudentPagesTestCase):
    def test_it_saves_in_a_fixed_number_of_queries(self):
        submission = self.start()
        url = f"/write/{submission.pk}/autosave"
        self.client.post(url, {"text": "First words.", "base_revision": 0}, HTTP_HX_REQUEST="true")
        with CaptureQueriesContext(connection) as queries:
            response = self.client.post(url, {"text": "First words, and more.", "base_revision": 1,
                                              "active_seconds": 5, "typed_chars": 10, "pasted_chars": 0,
                                              "paste_sizes": ""}, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        # session, user, the submission (checked to be this student's), then one statement that
        # updates it if it is still at revision 1 and inserts the revision and its process event
        # (the editor sends figures with every save); no transaction, no row lock
        self.assertQueries(queries, 4)

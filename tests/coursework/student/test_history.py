from coursework.actions import do_submit_stage
from tests.coursework.student.base import StudentPagesTestCase


class RevisionHistoryTests(StudentPagesTestCase):
    def setUp(self):
        super().setUp()
        self.submission = self.save(self.start(), "Schools start early.", "Schools should start later.",
                                    "Most schools should start later, at nine.")
        self.url = f"/write/{self.submission.pk}/history/"

    def test_it_lists_revisions_newest_first_with_time_and_words(self):
        response = self.client.get(self.url)
        body = response.content.decode()
        self.assertLess(body.index(f"/write/{self.submission.pk}/history/3/"),
                        body.index(f"/write/{self.submission.pk}/history/1/"))
        self.assertContains(response, "<td>7</td>", html=True)  # words in revision 3
        self.assertContains(response, "<time datetime=")
        self.assertContains(response, f"/write/{self.submission.pk}/history/compare/?old=2&amp;new=3")

    def test_it_marks_the_submitted_revision(self):
        do_submit_stage(self.submission, acting_user=self.sam)
        self.assertContains(self.client.get(self.url), "Submitted: Draft")

    def test_it_pages_a_long_history_in_constant_queries(self):
        # 1 session, 2 the signed-in person, 3 the submission, 4 count of revisions, 5 this page of
        # revisions (without their text), 6 the stage submissions (to mark submitted revisions).
        response, queries = self.count_queries(self.client, self.url)
        self.assertContains(response, "Revision history")
        self.assertQueries(queries, 6)

        text = self.submission.text
        for n in range(60):
            text += f" more{n}"
            self.submission = self.save(self.submission, text)
        response, queries = self.count_queries(self.client, self.url)
        self.assertQueries(queries, 6)
        self.assertContains(response, "(page 1 of 2)")
        self.assertContains(response, 'href="?page=2"')
        self.assertNotContains(response, f"/write/{self.submission.pk}/history/1/")
        self.assertContains(self.client.get(self.url + "?page=2"), f"/write/{self.submission.pk}/history/1/")

    def test_it_shows_any_revisions_full_text(self):
        response = self.client.get(f"/write/{self.submission.pk}/history/2/")
        self.assertContains(response, "<h1>Revision 2</h1>", html=True)
        self.assertContains(response, "Schools should start later.")
        self.assertNotContains(response, "at nine")
        self.assertEqual(self.client.get(f"/write/{self.submission.pk}/history/4/").status_code, 404)
        self.assertEqual(self.client.get(f"/write/{self.submission.pk}/history/0/").status_code, 404)

    def test_it_marks_additions_and_removals_in_words_not_just_colour(self):
        response = self.client.get(f"/write/{self.submission.pk}/history/compare/?old=1&new=2")
        self.assertContains(response, "Changes from revision 1 to 2")
        self.assertContains(response, '<del class="diff-removed"><span class="visually-hidden">[removed: </span>'
                                      'early.<span class="visually-hidden">]</span></del>')
        self.assertContains(response, '<ins class="diff-added"><span class="visually-hidden">[added: </span>'
                                      ' should<span class="visually-hidden">]</span></ins>')

    def test_it_compares_in_either_order(self):
        response = self.client.get(f"/write/{self.submission.pk}/history/compare/?old=3&new=1")
        self.assertContains(response, "Changes from revision 1 to 3")

    def test_it_shows_compare_errors_next_to_the_fields(self):
        response = self.client.get(f"/write/{self.submission.pk}/history/compare/?old=2&new=9")
        self.assertContains(response, '<p class="field-error" id="id_new-error">There are only 3 revisions.</p>',
                            status_code=400, html=True)
        self.assertContains(response, 'aria-invalid="true"', status_code=400)
        response = self.client.get(f"/write/{self.submission.pk}/history/compare/?old=2&new=2")
        self.assertContains(response, "Choose two different revisions.", status_code=400)
        response = self.client.get(f"/write/{self.submission.pk}/history/compare/?old=two")
        self.assertContains(response, "Enter a whole number.", status_code=400)

    def test_it_says_when_nothing_is_saved_yet(self):
        homework = self.assignment("Empty")
        submission = self.start(assignment=homework)
        self.assertContains(self.client.get(f"/write/{submission.pk}/history/"), "Nothing has been saved yet.")

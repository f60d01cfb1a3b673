from tests.coursework.teacher.base import TeacherTestCase


class ReviewSubmissionTests(TeacherTestCase):
    def setUp(self):
        super().setUp()
        self.submission = self.submit(self.write(
            self.person("student"), "Schools start early.", "Schools should start later.",
            "Most schools should start later in the morning."))
        self.path = f"/teach/submissions/{self.submission.pk}/"

    def test_it_shows_the_latest_revision_by_default(self):
        response = self.tara.get(self.path)
        self.assertContains(response, "Revision 3 of 3 (latest)")
        self.assertContains(response, "Most schools should start later in the morning.")
        self.assertContains(response, "Not released.")

    def test_it_shows_an_older_revision(self):
        response = self.tara.get(self.path + "?revision=1")
        self.assertContains(response, "Revision 1 of 3")
        self.assertContains(response, ">Schools start early.</div>")

    def test_it_falls_back_to_the_latest_for_a_revision_that_does_not_exist(self):
        for value in ("99", "0", "abc"):
            with self.subTest(value):
                self.assertContains(self.tara.get(f"{self.path}?revision={value}"), "Revision 3 of 3 (latest)")

    def test_it_shows_the_words_changed_between_two_revisions(self):
        response = self.tara.get(self.path + "?revision=3&compare=2")
        self.assertContains(response, "Changes from revision 2 to 3")
        self.assertContains(response, "<ins>Most schools</ins>", html=True)
        self.assertContains(response, "<del>Schools</del>", html=True)
        self.assertContains(response, "<del>later.</del><ins>later in the morning.</ins>", html=True)

    def test_it_lists_the_history_and_what_was_submitted(self):
        response = self.tara.get(self.path)
        self.assertContains(response, "Revision history")
        self.assertContains(response, f'<a href="{self.path}?revision=2&amp;compare=1">Changes<span '
                                      f'class="visually-hidden"> in revision 2</span></a>', html=True)
        self.assertContains(response, f'Draft: revision <a href="{self.path}?revision=3">3</a>')

    def test_it_keeps_its_links_on_the_review_page_when_shown_after_a_refused_form(self):
        response = self.tara.post(f"{self.path}grade/", {"grade": "500"})
        self.assertContains(response, "The grade is out of 100.")
        self.assertContains(response, f'action="{self.path}"')
        self.assertNotContains(response, 'href="?')

    def test_it_says_when_the_student_has_not_started(self):
        from coursework.actions import get_or_start_submission

        submission = get_or_start_submission(self.essay, self.person("classmate"))
        response = self.tara.get(f"/teach/submissions/{submission.pk}/")
        self.assertContains(response, "Cleo Classmate has not started writing yet.")
        self.assertContains(response, "feedback can be released once Cleo Classmate submits")

    def test_it_escapes_the_students_text_and_keeps_its_carriage_returns(self):
        submission = self.write(self.person("classmate"), "<script>alert(1)</script>\r\nSecond line")
        response = self.tara.get(f"/teach/submissions/{submission.pk}/")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;&#13;\nSecond line")

    def test_it_does_not_grow_its_queries_with_comments_or_revisions(self):
        # 1 session, 2 the teacher, 3 the submission with its assignment, course, rubric, student and
        # stage (access check), 4-5 rebuilding revision 2 (its keyframe, then the rows from it),
        # 6 comments with authors, 7 the lengths of the revisions comments are followed through,
        # 8 stage submissions, 9 the history, 10-11 the rubric's criteria and levels, 12 its scores,
        # 13 the access-log row (a teacher opening a student's work is recorded, privacy/audit.py),
        # 14 similarity matches, 15 integrity observations, 16 the writing assistant's log (writing support;
        # the teacher's courses among the matches' only when there are matches)
        from coursework.actions import do_add_comment

        tara = self.person("teacher")
        do_add_comment(self.submission, revision_number=1, start=0, end=7, body="Hm.", acting_user=tara)
        queries, _, sql = self.count_queries(self.tara, self.path + "?revision=2")
        self.assertEqual(queries, 16, sql)
        for number in (1, 2, 3):
            do_add_comment(self.submission, revision_number=number, start=0, end=7, body="Hm.", acting_user=tara)
        self.write(self.person("student"), *[f"Most schools should start later, take {n}." for n in range(5)])
        more, response, sql = self.count_queries(self.tara, self.path + "?revision=2")
        self.assertEqual(more, queries, sql)
        self.assertEqual(len(response.context["anchored"]) + len(response.context["outdated"]), 4)

from decimal import Decimal

from coursework.actions import (
    do_add_comment,
    do_grade_submission,
    do_release_feedback,
    do_score_rubric,
    do_submit_stage,
)
from coursework.revisions import KEYFRAME_EVERY
from tests.coursework.student.base import StudentPagesTestCase

ESSAY = "Schools should start later. Teenagers sleep late. Buses would cost more."


class FeedbackTests(StudentPagesTestCase):
    def setUp(self):
        super().setUp()
        self.submission = self.save(self.start(), ESSAY)
        do_submit_stage(self.submission, acting_user=self.sam)
        self.url = f"/write/{self.submission.pk}/feedback/"

    def comment(self, quote, body, revision_number=1):
        start = ESSAY.index(quote)
        return do_add_comment(self.submission, revision_number=revision_number, start=start, end=start + len(quote),
                              body=body, acting_user=self.tara)

    def give_feedback(self):
        self.comment("Teenagers sleep late.", "Cite a study here.")
        self.comment("Buses would cost more.", "Good counter-argument.")
        levels = {level.title: level for criterion in self.rubric.criteria.all() for level in criterion.levels.all()}
        do_score_rubric(self.submission, levels["Clear"], acting_user=self.tara)
        do_score_rubric(self.submission, levels["Thin"], comment="One source only.", acting_user=self.tara)
        do_grade_submission(self.submission, grade=Decimal("72.5"), general_comment="A promising start.",
                            acting_user=self.tara)

    def release(self):
        do_release_feedback(self.submission, acting_user=self.tara)

    def test_it_shows_nothing_of_the_feedback_before_release(self):
        self.give_feedback()
        for url in (self.url, f"/write/{self.essay.pk}/", "/student/"):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                for secret in ("Cite a study here.", "Good counter-argument.", "A promising start.", "72.5",
                               "One source only.", "Thin"):
                    self.assertNotContains(response, secret)
        self.assertContains(self.client.get(self.url), "Your teacher has not released feedback yet")

    def test_it_shows_the_grade_general_comment_and_rubric_after_release(self):
        self.give_feedback()
        self.release()
        response = self.client.get(self.url)
        self.assertContains(response, "<strong>72.5</strong> out of 100", html=True)
        self.assertContains(response, "A promising start.")
        self.assertContains(response, '<tr><th scope="row">Thesis</th><td>Clear</td><td>3</td></tr>', html=True)
        self.assertContains(response, "One source only.")
        self.assertContains(response, "<td>4</td>", html=True)  # total points

    def test_it_shows_each_comment_at_its_passage(self):
        self.give_feedback()
        self.release()
        response = self.client.get(self.url)
        self.assertContains(response, "<mark>Teenagers sleep late.</mark>")
        self.assertContains(response, '<a href="#comment-1" class="comment-ref">')
        self.assertContains(response, '<li id="comment-1" value="1">')
        self.assertContains(response, "Cite a study here.")
        self.assertContains(response, '<a href="#passage-2">')

    def test_it_follows_passages_through_later_edits(self):
        self.comment("Buses would cost more.", "Good counter-argument.")
        self.release()
        edited = "In my view, schools should start later. Teenagers sleep late. Buses would cost more."
        self.submission = self.save(self.submission, edited)
        response = self.client.get(self.url)
        self.assertContains(response, '<div class="essay-text annotated">In my view, schools should start later.')
        self.assertContains(response, "<mark>Buses would cost more.</mark>")

    def test_it_maps_a_repeated_passage_to_the_right_occurrence(self):
        homework = self.assignment("Repetition")
        submission = self.save(self.start(assignment=homework), "A cat. A cat.")
        do_submit_stage(submission, acting_user=self.sam)
        do_add_comment(submission, revision_number=1, start=7, end=13, body="The second cat.", acting_user=self.tara)
        do_release_feedback(submission, acting_user=self.tara)
        # Found again by its quote, the nearest "A cat." to the old place would be the first one.
        self.save(submission, "Two cats: A cat. A cat.")
        response = self.client.get(f"/write/{submission.pk}/feedback/")
        self.assertContains(response, 'Two cats: A cat. <span id="passage-1" class="visually-hidden">'
                                      "(comment 1 begins)</span><mark>A cat.</mark>")

    def test_it_finds_passages_again_by_their_quote_across_a_keyframe(self):
        self.comment("Buses would cost more.", "Good counter-argument.")
        self.release()
        text = ESSAY
        for n in range(KEYFRAME_EVERY + 2):
            text = f"Intro {n}. " + ESSAY
            self.submission = self.save(self.submission, text)
        response = self.client.get(self.url)
        self.assertContains(response, "<mark>Buses would cost more.</mark>")
        self.assertNotContains(response, "Outdated")

    def test_it_lists_comments_whose_passage_is_gone_as_outdated(self):
        self.comment("Teenagers sleep late.", "Cite a study here.")
        self.release()
        self.submission = self.save(self.submission, "Schools should start later. Teens are tired. Buses cost more.")
        response = self.client.get(self.url)
        self.assertContains(response, '<span class="tag">Outdated</span>', html=True)
        self.assertContains(response, '<blockquote class="quote">Teenagers sleep late.</blockquote>', html=True)
        self.assertContains(response, "Cite a study here.")
        self.assertNotContains(response, "<mark>")

    def test_it_shows_the_feedback_page_in_constant_queries(self):
        # 1 session, 2 the signed-in person, 3 the submission, 4 comments (with their revision's
        # number), 5 the revision rows since the oldest commented one (no text), 6 rubric scores
        # with their criteria and levels.
        self.give_feedback()
        self.release()
        response, queries = self.count_queries(self.client, self.url)
        self.assertContains(response, "Cite a study here.")
        self.assertQueries(queries, 6)

        text = ESSAY
        for n in range(KEYFRAME_EVERY + 5):
            text += f" Point {n}."
            self.submission = self.save(self.submission, text)
            if n % 10 == 0:
                do_add_comment(self.submission, revision_number=self.submission.revision_number, start=0, end=7,
                               body=f"Note {n}", acting_user=self.tara)
        response, queries = self.count_queries(self.client, self.url)
        self.assertContains(response, "Note 50")
        self.assertQueries(queries, 6)

from auditlog.models import LogEntry

from coursework.models import Comment
from tests.coursework.teacher.base import TeacherTestCase

ESSAY = "Teenagers need sleep. Schools should start later. Later starts help grades."


class CommentTests(TeacherTestCase):
    def setUp(self):
        super().setUp()
        self.submission = self.submit(self.write(self.person("student"), ESSAY))
        self.path = f"/teach/submissions/{self.submission.pk}/"

    def comment(self, body="Good point.", revision=1, **fields):
        return self.tara.post(f"{self.path}comments/", {"revision": revision, "body": body, **fields})

    def test_it_anchors_a_comment_at_the_selected_offsets(self):
        start = ESSAY.index("Schools should")
        response = self.comment(start=start, end=start + 26, quote="Schools should start later")
        self.assertRedirects(response, f"{self.path}?revision=1#comments")
        comment = Comment.objects.get()
        self.assertEqual((comment.anchor_start, comment.anchor_end, comment.quote, comment.author),
                         (start, start + 26, "Schools should start later", self.person("teacher")))
        page = self.tara.get(self.path)
        self.assertContains(page, f'<span id="passage-{comment.pk}"></span><mark class="anchor" '
                                  f'data-comments="{comment.pk}">Schools should start later</mark>')

    def test_it_finds_a_passage_typed_in_without_javascript(self):
        self.comment(quote="  help grades ")
        comment = Comment.objects.get()
        self.assertEqual(ESSAY[comment.anchor_start:comment.anchor_end], "help grades")

    def test_it_trusts_the_quote_over_offsets_that_do_not_match_it(self):
        self.comment(start=0, end=9, quote="need sleep")
        comment = Comment.objects.get()
        self.assertEqual(comment.quote, "need sleep")

    def test_it_asks_for_more_words_when_the_passage_appears_twice(self):
        response = self.comment(quote="start")
        self.assertContains(response, "That passage appears 2 times; include a few more words")
        self.assertContains(response, "Good point.")  # the comment typed is kept
        self.assertFalse(Comment.objects.exists())

    def test_it_says_when_the_passage_is_not_in_the_text(self):
        response = self.comment(quote="Homework is bad")
        self.assertContains(response, "That passage is not in this revision of the text.")

    def test_it_needs_a_comment_and_a_passage(self):
        response = self.comment(body="", quote="")
        self.assertContains(response, 'id="id_body_error"')
        self.assertContains(response, "Choose the passage you are commenting on.")

    def test_it_follows_a_comment_into_later_revisions(self):
        self.comment(quote="Later starts help grades.", body="Evidence?")
        self.write(self.person("student"), "Every teenager needs sleep. " + ESSAY[len("Teenagers need sleep. "):])
        page = self.tara.get(self.path)
        comment = Comment.objects.get()
        self.assertEqual([p.comment for p in page.context["anchored"]], [comment])
        self.assertContains(page, f'data-comments="{comment.pk}">Later starts help grades.</mark>')
        self.assertContains(page, "on revision 1 (found in this one)")

    def test_it_marks_a_comment_outdated_once_its_passage_is_rewritten(self):
        self.comment(quote="Teenagers need sleep.", body="Cite a study.")
        self.write(self.person("student"), "Adolescents are tired. " + ESSAY[len("Teenagers need sleep. "):])
        page = self.tara.get(self.path)
        self.assertEqual(page.context["anchored"], [])
        self.assertEqual([p.comment.body for p in page.context["outdated"]], ["Cite a study."])
        self.assertContains(page, "Outdated in this revision")
        # On the revision it was written on, it is still in place.
        self.assertEqual(len(self.tara.get(self.path + "?revision=1").context["anchored"]), 1)

    def test_it_deletes_a_comment_and_logs_who_did(self):
        self.comment(quote="need sleep")
        comment = Comment.objects.get()
        response = self.tara.post(f"{self.path}comments/{comment.pk}/delete/", {"revision": 1})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Comment.objects.exists())
        deleted = LogEntry.objects.get(content_type__model="comment", object_pk=str(comment.pk),
                                       action=LogEntry.Action.DELETE)
        self.assertEqual(deleted.actor, self.person("teacher"))

    def test_it_logs_the_teacher_as_the_author_of_a_new_comment(self):
        self.comment(quote="need sleep")
        entry = LogEntry.objects.get_for_object(Comment.objects.get()).get(action=LogEntry.Action.CREATE)
        self.assertEqual(entry.actor, self.person("teacher"))

    def test_it_answers_htmx_with_just_the_text_and_comments(self):
        response = self.tara.post(f"{self.path}comments/", {"revision": 1, "body": "Yes", "quote": "need sleep"},
                                  HTTP_HX_REQUEST="true")
        self.assertTemplateUsed(response, "coursework/teacher/_annotated.html")
        self.assertTemplateNotUsed(response, "coursework/teacher/review.html")
        self.assertContains(response, "Comment added.")

    def test_it_counts_offsets_in_characters_like_python(self):
        text = "Emoji 😀 first. Then the claim."
        submission = self.submit(self.write(self.person("classmate"), text))
        start = text.index("Then")
        self.tara.post(f"/teach/submissions/{submission.pk}/comments/",
                       {"revision": 1, "body": "ok", "start": start, "end": start + 9, "quote": "Then the "})
        self.assertEqual(Comment.objects.get().anchor_start, start)

    def test_it_cannot_delete_a_comment_through_another_submission(self):
        self.comment(quote="need sleep")
        other = self.submit(self.write(self.person("classmate"), "Cleo's essay."))
        response = self.tara.post(f"/teach/submissions/{other.pk}/comments/{Comment.objects.get().pk}/delete/")
        self.assertEqual(response.status_code, 404)
        self.assertTrue(Comment.objects.exists())

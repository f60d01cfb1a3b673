import pytest

from coursework.actions import SaveConflict, do_save_draft, get_or_start_submission, revision_text
from coursework.models import ProcessEvent, Revision, Submission
from coursework.revisions import KEYFRAME_EVERY
from tests.coursework.base import CourseworkTestCase


class SaveDraftTests(CourseworkTestCase):
    def setUp(self):
        super().setUp()
        self.sam = self.person("student")
        self.submission = get_or_start_submission(self.essay, self.sam)

    def save(self, text, base=None, **process):
        base = self.submission.revision_number if base is None else base
        self.submission, revision = do_save_draft(self.submission, text, base_revision=base, acting_user=self.sam,
                                                  process=process)
        return revision

    def test_it_starts_drafting_on_the_first_save(self):
        self.save("Schools should start later.")
        self.assertEqual(self.submission.status, Submission.Status.DRAFTING)
        self.assertEqual(self.submission.word_count, 4)
        self.assertEqual(self.submission.current_stage.kind, "draft")

    def test_it_keeps_every_save_as_a_revision_that_can_be_rebuilt(self):
        texts = ["Schools", "Schools should", "Schools should start later.", "Most schools should start later."]
        for text in texts:
            self.save(text)
        for number, text in enumerate(texts, start=1):
            self.assertEqual(revision_text(self.submission, number), text)

    def test_it_rebuilds_across_keyframes(self):
        text = ""
        for i in range(KEYFRAME_EVERY + 7):
            text += f" word{i}"
            self.save(text)
        self.assertEqual(revision_text(self.submission, KEYFRAME_EVERY + 7), text)
        self.assertEqual(revision_text(self.submission, 3), " word0 word1 word2")
        self.assertEqual(Revision.objects.filter(submission=self.submission, keyframe=True).count(), 2)

    def test_it_stores_a_small_edit_in_a_few_bytes(self):
        essay = "word " * 3000
        self.save(essay)
        revision = self.save(essay + "and one more")
        self.assertFalse(revision.keyframe)
        self.assertLess(len(bytes(revision.data)), 20)

    def test_it_tells_the_second_tab_it_lost(self):
        self.save("First tab's text")
        stale_base = self.submission.revision_number
        self.save("First tab's text, edited")
        with pytest.raises(SaveConflict) as conflict:
            self.save("Second tab's text", base=stale_base)
        self.assertEqual(conflict.value.current_revision, stale_base + 1)
        self.submission.refresh_from_db()
        self.assertEqual(self.submission.text, "First tab's text, edited")

    def test_a_save_racing_another_loses_even_when_it_read_the_submission_first(self):
        # Both tabs read revision 1; the first one's save lands between the second one's read and its
        # write. The database's check at write time turns the second save away: nothing half-written.
        self.save("Both tabs start here")
        read_by_second_tab = Submission.objects.get(pk=self.submission.pk)
        self.save("The first tab's words")
        with pytest.raises(SaveConflict) as conflict:
            do_save_draft(read_by_second_tab, "The second tab's words", base_revision=1, acting_user=self.sam,
                          process={"typed_chars": 5})
        self.assertEqual(conflict.value.current_revision, 2)
        self.assertEqual(Submission.objects.get(pk=self.submission.pk).text, "The first tab's words")
        self.assertEqual(Revision.objects.filter(submission=self.submission).count(), 2)
        self.assertFalse(ProcessEvent.objects.filter(revision__submission=self.submission,
                                                     revision__number=3).exists())

    def test_a_later_save_writes_the_text_the_revision_and_its_figures_together(self):
        self.save("Schools should start later.")
        revision = self.save("Schools should start later, at nine.", active_seconds=4, typed_chars=9,
                             paste_sizes=[3])
        stored = Submission.objects.get(pk=self.submission.pk)
        self.assertEqual((stored.text, stored.revision_number, stored.word_count),
                         ("Schools should start later, at nine.", 2, 6))
        self.assertEqual(Revision.objects.get(pk=revision.pk).number, 2)
        self.assertEqual(revision_text(stored, 2), "Schools should start later, at nine.")
        event = ProcessEvent.objects.get(revision=revision)
        self.assertEqual((event.active_seconds, event.typed_chars, event.paste_sizes), (4, 9, [3]))
        self.assertEqual(event.created_at, Revision.objects.get(pk=revision.pk).created_at)

    def test_it_makes_no_revision_for_unchanged_text(self):
        self.save("Same")
        self.assertIsNone(self.save("Same"))
        self.assertEqual(self.submission.revisions.count(), 1)

    def test_it_records_the_writing_process_compactly(self):
        revision = self.save("Pasted text here", active_seconds=12, typed_chars=4, pasted_chars=12, paste_sizes=[12])
        process = revision.process
        self.assertEqual((process.active_seconds, process.typed_chars, process.pasted_chars, process.paste_sizes),
                         (12, 4, 12, [12]))
        self.assertEqual(process.created_at, revision.created_at)

    def test_a_save_without_figures_stores_no_process_event(self):
        revision = self.save("Sent by a client that records no figures")
        self.assertFalse(ProcessEvent.objects.filter(revision=revision).exists())

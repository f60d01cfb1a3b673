"""Students' writing with process figures, submitted through the real actions, and the check run inline."""

from coursework.actions import do_save_draft, do_submit_stage, get_or_start_submission
from integrity.models import IntegrityJob
from tests.coursework.teacher.base import TeacherTestCase

ESSAY = (
    "Schools should start later because teenagers need more sleep to learn well. Research on adolescent "
    "sleep shows that their body clocks shift later during puberty, so an early bell means tired students.\n\n"
    "When the first class begins at half past seven, many students are still half asleep and remember little "
    "of what they hear. Attendance in first period is also lower, and grades in morning classes suffer.\n\n"
    "Some people worry about buses, sports practice and after-school jobs. These problems are real, but "
    "districts that moved the start time found ways to solve them within a year.\n\n"
    "In conclusion, a later start is a cheap way to help students learn, and the evidence supports it."
)


def words(n, seed=0):
    vocab = ["garden", "river", "window", "market", "lesson", "winter", "summer", "teacher", "planet", "forest",
             "bridge", "castle", "music", "doctor", "engine", "island", "letter", "mirror", "pencil", "rocket",
             "silver", "theatre", "valley", "wonder", "yellow"]
    return " ".join(vocab[(i * 7 + seed) % len(vocab)] + ("." if i % 12 == 11 else "") for i in range(n))


class IntegrityTestCase(TeacherTestCase):
    def save(self, student, texts, *, assignment=None, **process):
        """Each text saved in turn with the given process figures per save."""
        submission = get_or_start_submission(assignment or self.essay, student)
        for text in texts:
            submission, _ = do_save_draft(submission, text, base_revision=submission.revision_number,
                                          acting_user=student, process=process)
        return submission

    def submit_and_check(self, submission):
        with self.captureOnCommitCallbacks(execute=True):
            submission = do_submit_stage(submission, acting_user=submission.student)
        return submission

    def typed(self, student, text, *, assignment=None, saves=6):
        """A steady writer: the text grows over several saves, all typed, about 15 words a minute."""
        parts = text.split(" ")
        step = max(1, len(parts) // saves)
        texts = [" ".join(parts[:i]) for i in range(step, len(parts), step)] + [text]
        submission = get_or_start_submission(assignment or self.essay, student)
        for chunk in texts:
            grown = len(chunk) - len(submission.text)
            submission, _ = do_save_draft(submission, chunk, base_revision=submission.revision_number,
                                          acting_user=student,
                                          process={"active_seconds": max(60, grown // 5 * 4), "typed_chars": grown})
        return submission

    def job_of(self, submission):
        return IntegrityJob.objects.get(submission=submission, revision_number=submission.revision_number)

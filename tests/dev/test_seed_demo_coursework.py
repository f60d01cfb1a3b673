"""seed_demo's coursework (coursework/demo.py): teacher1's course at both institutions with work in
every state a new user meets, made through the actions, and left alone by a second run."""

from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import tenant_context

from coursework.actions import revision_text
from coursework.demo import COURSE_TITLE, essay_revisions
from coursework.models import (
    Comment,
    Course,
    PeerReview,
    PeerReviewAllocation,
    Revision,
    RubricScore,
    StageSubmission,
    Submission,
)
from tests.base import InstitutionTestCase


def test_it_writes_the_same_essays_from_the_same_seed():
    import random

    first = [essay_revisions("op-ed", i, random.Random(7), "Northside Academy") for i in range(6)]
    again = [essay_revisions("op-ed", i, random.Random(7), "Northside Academy") for i in range(6)]
    assert first == again
    steps, final = first[0]
    assert all(len(a) < len(b) for a, b in zip(steps, steps[1:], strict=False))  # each revision adds to the last
    assert final != steps[-1] and "{school}" not in final


def row_counts():
    """Rows of every coursework table, the audit log and the users, in the current schema."""
    counts = {model._meta.label: model.objects.count() for model in apps.get_app_config("coursework").get_models()}
    counts["auditlog"] = LogEntry.objects.count()
    counts["users"] = apps.get_model("accounts", "User").objects.count()
    return counts


class SeedDemoCourseworkTests(InstitutionTestCase):
    def seed(self):
        # The command ends in public; later tests of this class expect Northside, even after a failure.
        self.addCleanup(connection.set_tenant, self.northside)
        call_command("seed_demo", verbosity=0)
        connection.set_tenant(self.northside)

    def test_it_makes_every_state_once_at_both_institutions(self):
        self.seed()
        before = {}
        for institution in (self.northside, self.riverside):
            with tenant_context(institution):
                self.assert_demo_course(institution.slug)
                before[institution.slug] = row_counts()
        self.seed()
        for institution in (self.northside, self.riverside):
            with tenant_context(institution):
                self.assertEqual(row_counts(), before[institution.slug], institution.slug)

    def assert_demo_course(self, slug):
        now = timezone.now()
        course = Course.objects.get(title=COURSE_TITLE)
        self.assertEqual([t.email for t in course.teachers.all()], [f"teacher1@{slug}.example"])
        self.assertEqual(course.term, "Autumn 2026")
        self.assertEqual([s.name for s in course.sections.all()], ["A", "B"])
        self.assertEqual(course.enrolments.count(), 30)
        self.assertEqual(course.enrolments.filter(section__isnull=True).count(), 0)
        assignments = {a.title.split(":")[0]: a for a in course.assignments.all()}
        rubric = assignments["Op-ed"].rubric
        self.assertTrue(3 <= rubric.criteria.count() <= 4)
        for criterion in rubric.criteria.all():
            self.assertTrue(3 <= criterion.levels.count() <= 4)

        # Not started: published, due in the future, nobody has opened it.
        fresh = assignments["Persuasive essay"]
        self.assertTrue(fresh.is_published)
        self.assertGreater(fresh.due_at, now)
        self.assertFalse(fresh.submissions.exists())
        self.assertFalse(assignments["Debate brief"].is_published)

        # Drafting: several revisions of real text, rebuildable from the history.
        essay = assignments["Argumentative essay"]
        drafting = essay.submissions.filter(status=Submission.Status.DRAFTING)
        self.assertGreaterEqual(drafting.count(), 15)
        self.assertGreater(essay.stages.first().due_at, now)
        texts = set()
        for submission in drafting:
            self.assertGreaterEqual(submission.revision_number, 2)
            self.assertEqual(revision_text(submission, submission.revision_number), submission.text)
            self.assertLess(len(revision_text(submission, 1)), len(submission.text))
            texts.add(submission.text)
        self.assertGreaterEqual(len(texts), 10, "students' drafts should differ")
        self.assertTrue(essay.submissions.filter(status=Submission.Status.SUBMITTED).exists())
        self.assertLess(essay.submissions.count(), 30)  # some have not started

        # Submitted, one or two late; the teacher's review under way (comments, scores), nothing released.
        letter = assignments["Letter to the editor"]
        submitted = letter.submissions.filter(status=Submission.Status.SUBMITTED)
        self.assertGreaterEqual(submitted.count(), 20)
        self.assertIn(submitted.filter(submitted_late=True).count(), (1, 2))
        self.assertTrue(letter.submissions.filter(status=Submission.Status.DRAFTING).exists())
        self.assertFalse(letter.submissions.filter(feedback_released_at__isnull=False).exists())
        reviewed = submitted.filter(comments__isnull=False).distinct()
        self.assertGreaterEqual(reviewed.count(), 1)
        for submission in reviewed:
            self.assertEqual(RubricScore.objects.filter(submission=submission).count(), rubric.criteria.count())
        for comment in Comment.objects.filter(submission__assignment=letter).select_related("revision"):
            text = revision_text(comment.submission, comment.revision.number)
            self.assertEqual(text[comment.anchor_start:comment.anchor_end], comment.quote)

        # Graded and released, through the actions (so audited with the teacher as actor).
        op_ed = assignments["Op-ed"]
        returned = op_ed.submissions.filter(status=Submission.Status.RETURNED)
        self.assertEqual(returned.count(), 30)
        self.assertFalse(returned.filter(grade__isnull=True).exists())
        self.assertFalse(returned.filter(comments__isnull=True).exists())
        self.assertTrue(StageSubmission.objects.filter(submission__assignment=op_ed, is_late=True).exists())
        self.assertTrue(all(s.feedback_released_at < now for s in returned))
        teacher = course.teachers.get()
        released = LogEntry.objects.get_for_objects(returned).filter(actor=teacher,
                                                                    changes__has_key="feedback_released_at")
        self.assertEqual(released.count(), 30)

        # Peer review: configured, allocated (2 per draft, never self), some reviews in.
        speech = assignments["Speech"]
        self.assertTrue(speech.peer_review_enabled)
        allocations = PeerReviewAllocation.objects.filter(assignment=speech)
        drafts = speech.submissions.filter(stage_submissions__stage=speech.peer_review.stage).distinct().count()
        self.assertEqual(allocations.count(), 2 * drafts)
        self.assertFalse(allocations.filter(reviewer=F("submission__student")).exists())
        done = PeerReview.objects.filter(allocation__assignment=speech, submitted_at__isnull=False)
        self.assertTrue(0 < done.count() < allocations.count())

        # History is spread over weeks, not all "just now".
        oldest = Revision.objects.filter(submission__assignment=op_ed).order_by("created_at").first()
        self.assertLess(oldest.created_at, now - timezone.timedelta(days=30))


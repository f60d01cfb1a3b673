"""seed_demo (`python3 dev.py run` seeds it): a new user's demo at both institutions, made through
the actions, and left alone by a second run.

The command is slow (every app's demo), so this class runs it twice, once for all its tests
(setUpTestData), and each test reads what it left: people, coursework in every state a new user
meets (coursework/demo.py), the SCIM token, the assistant and the integrity signals (issue 7)."""

import io
import re

from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from accounts.models import Role, User
from assist.models import Exchange
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
from integrity.models import IntegrityJob, Observation, SimilarityMatch
from privacy.actions import active_notice, do_accept_notice
from tests.base import InstitutionClient, InstitutionTestCase


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


def accounts_of(institution):
    with tenant_context(institution):
        return {u.email: (u.role, u.password) for u in User.objects.all()}


def state_of(institutions):
    state = {}
    for institution in institutions:
        with tenant_context(institution):
            state[institution.slug] = (accounts_of(institution), row_counts())
    return state


class SeedDemoTests(InstitutionTestCase):  # one worker seeds once for all: dev.py runs `--dist loadscope`
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        try:
            first, again = io.StringIO(), io.StringIO()
            call_command("seed_demo", stdout=first)
            cls.first_output = first.getvalue()
            cls.after_first = state_of((cls.northside, cls.riverside))
            call_command("seed_demo", stdout=again)
            cls.second_output = again.getvalue()
            cls.after_second = state_of((cls.northside, cls.riverside))
        finally:
            connection.set_tenant(cls.northside)  # the command ends in public

    def test_it_gives_each_institution_its_demo_people(self):
        northside = accounts_of(self.northside)
        riverside = accounts_of(self.riverside)
        for slug, people in (("northside", northside), ("riverside", riverside)):
            self.assertEqual(people[f"teacher1@{slug}.example"][0], Role.TEACHER)
            self.assertEqual(people[f"privacy@{slug}.example"][0], Role.PRIVACY_OFFICER)
            self.assertEqual(people[f"admin@{slug}.example"][0], Role.INSTITUTION_ADMIN)
            students = [e for e, (role, _) in people.items() if e.startswith("student") and role == Role.STUDENT]
            self.assertEqual(len(students), 30)
        with tenant_context(self.northside):
            names = set(User.objects.filter(role=Role.STUDENT, email__startswith="student").values_list(
                "full_name", flat=True))
            self.assertEqual(len(names), 30)
            self.assertTrue(User.objects.get(email="teacher1@northside.example").check_password("scribe-demo-2026"))
        with schema_context("public"):
            self.assertTrue(User.objects.get(email="operator@scribetree.example").is_superuser)
        # Single sign-on against the local dev IdP: Northside only (tests/integrations/sso/test_demo_sso.py).
        from integrations.sso.models import SamlIdentityProvider

        for institution, expected in ((self.northside, True), (self.riverside, False)):
            with tenant_context(institution):
                self.assertEqual(SamlIdentityProvider.objects.filter(enabled=True).exists(), expected)

    def test_it_changes_nothing_when_run_twice(self):
        self.assertEqual(self.after_second, self.after_first)

    def test_it_makes_one_scim_token_for_northside_and_prints_it_once(self):
        from integrations.scim.models import ScimToken
        from tests.integrations.scim.base import ScimClient

        raw = re.search(r"bearer token (st_scim_\S+)", self.first_output).group(1)
        self.assertEqual(ScimClient(self.northside, raw).call("get", "Users?count=1").status_code, 200)
        self.assertEqual(ScimClient(self.riverside, raw).call("get", "Users?count=1").status_code, 401)
        self.assertNotIn(raw, self.second_output)
        self.assertIn("the demo token exists", self.second_output)
        self.assertEqual(ScimToken.objects.count(), 1)
        with tenant_context(self.riverside):
            self.assertEqual(ScimToken.objects.count(), 0)

    def test_it_makes_every_state_once_at_both_institutions(self):
        for institution in (self.northside, self.riverside):
            with tenant_context(institution):
                self.assert_demo_course(institution.slug)

    def test_the_demo_shows_the_assistant_and_the_integrity_signals(self):
        with tenant_context(self.northside):
            slug = "northside"
            self.assertFalse(IntegrityJob.objects.filter(state=IntegrityJob.State.QUEUED).exists())
            pasted = Submission.objects.get(student__email=f"student07@{slug}.example",
                                            assignment__title__startswith="Service essay")
            copied = Submission.objects.get(student__email=f"student08@{slug}.example",
                                            assignment__title__startswith="Service essay")
            paste = Observation.objects.get(submission=pasted, kind="paste")
            self.assertTrue(paste.notable)
            self.assertEqual(paste.evidence[0]["revision"], 2)
            self.assertTrue(SimilarityMatch.objects.filter(submission=copied, other=pasted).exists())
            self.assertTrue(Observation.objects.filter(submission=copied, kind="similarity", notable=True).exists())
            prepared = Exchange.objects.get(submission__student__email=f"student06@{slug}.example")
            self.assertEqual((prepared.state, prepared.provider), ("answered", "local"))

            # A new user, as student04: the panel asks for a reflection, which unlocks local feedback.
            student = User.objects.get(email=f"student04@{slug}.example")
            work = Submission.objects.get(student=student, assignment__title__startswith="Argumentative essay")
            client = InstitutionClient(self.northside)
            client.force_login(student)
            do_accept_notice(student, active_notice(), acting_user=student)  # as a new user does first
            self.assertContains(client.get(f"/write/{work.pk}/assistant/"), "write a short reflection")
            reflection = ("I am trying to show that graded homework makes students practise more. I am stuck on "
                          "finding evidence from the second article, and I am not sure my thesis is clear enough.")
            client.post(f"/write/{work.pk}/assistant/reflect", {"reflection": reflection})
            client.post(f"/write/{work.pk}/assistant/ask", {"category": "clarity"})
            log = client.get(f"/write/{work.pk}/assistant/")
            self.assertContains(log, "Readability (Flesch reading ease)")

            teacher = User.objects.get(email=f"teacher1@{slug}.example")
            do_accept_notice(teacher, active_notice(), acting_user=teacher)
            tara = InstitutionClient(self.northside)
            tara.force_login(teacher)
            dashboard = tara.get(f"/teach/courses/{pasted.assignment.course_id}/")
            self.assertContains(dashboard, "Writing-process observations")
            review = tara.get(f"/teach/submissions/{copied.pk}/")
            self.assertContains(review, "shared with")

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

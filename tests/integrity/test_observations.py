"""Writing-process observations: made by the check on submit, with evidence, shown to teacher and student."""

from integrity import checks
from integrity.models import IntegrityJob, Observation
from tests.integrity.base import ESSAY, IntegrityTestCase, words


class ObservationTests(IntegrityTestCase):
    def test_it_notes_a_pasted_essay_with_the_revision_of_the_paste(self):
        sam = self.person("student")
        submission = self.save(sam, ["My essay:"], active_seconds=30, typed_chars=9)
        submission = self.save(sam, ["My essay:\n\n" + words(600)], active_seconds=20, typed_chars=0,
                               pasted_chars=4200, paste_sizes=[4200])
        self.submit_and_check(submission)
        paste = Observation.objects.get(submission=submission, kind="paste")
        self.assertTrue(paste.notable)
        self.assertIn("The largest paste was 4,200 characters, in revision 2", paste.text)
        self.assertEqual(paste.evidence[0], {"label": "Paste of 4,200 characters (revision 2)", "revision": 2,
                                             "compare": 1})
        pace = Observation.objects.get(submission=submission, kind="pace")
        self.assertTrue(pace.notable)
        self.assertIn("words per active minute", pace.text)
        revisions = Observation.objects.get(submission=submission, kind="revisions")
        self.assertIn("Revision 2 added 600 words", revisions.text)

    def test_a_steady_typed_essay_has_observations_but_nothing_notable(self):
        submission = self.submit_and_check(self.typed(self.person("student"), ESSAY))
        kinds = set(Observation.objects.filter(submission=submission).values_list("kind", flat=True))
        self.assertEqual(kinds, {"pace", "revisions"})
        self.assertFalse(Observation.objects.filter(submission=submission, notable=True).exists())

    def test_it_compares_with_the_same_assignments_other_submissions(self):
        for n in range(5):
            self.submit_and_check(self.typed(self.new_student(n), words(200, seed=n)))
        cleo = self.person("classmate")
        submission = self.save(cleo, [words(200, seed=9)], active_seconds=600, typed_chars=300, pasted_chars=1200,
                               paste_sizes=[600, 600])
        self.submit_and_check(submission)
        cohort = Observation.objects.get(submission=submission, kind="cohort")
        self.assertIn("against a median of 0% for the other 5 submissions", cohort.text)
        self.assertTrue(cohort.notable)

    def test_the_check_is_idempotent_and_runs_once_per_submitted_revision(self):
        submission = self.submit_and_check(self.typed(self.person("student"), ESSAY))
        job = self.job_of(submission)
        self.assertEqual((job.state, job.attempts), (IntegrityJob.State.DONE, 1))
        before = list(Observation.objects.filter(submission=submission).values_list("kind", "text"))
        self.assertEqual(checks.run(job.pk), IntegrityJob.State.DONE)  # a redelivered task
        job.refresh_from_db()
        self.assertEqual(job.attempts, 1)
        checks.check(submission.pk, submission.revision_number)  # the work itself, twice
        self.assertEqual(list(Observation.objects.filter(submission=submission).values_list("kind", "text")), before)

    def test_a_job_that_keeps_failing_stops_after_three_attempts(self):
        submission = self.typed(self.person("student"), ESSAY)
        job = IntegrityJob.objects.create(submission=submission, revision_number=submission.revision_number,
                                          attempts=IntegrityJob.MAX_ATTEMPTS, state=IntegrityJob.State.RUNNING)
        self.assertEqual(checks.run(job.pk), IntegrityJob.State.FAILED)


class StudentObservationPageTests(IntegrityTestCase):
    def setUp(self):
        super().setUp()
        sam = self.person("student")
        submission = self.save(sam, ["Start."], active_seconds=10, typed_chars=6)
        submission = self.save(sam, ["Start.\n\n" + words(400)], pasted_chars=3000, paste_sizes=[3000])
        self.submission = self.submit_and_check(submission)
        self.path = f"/write/{self.submission.pk}/process/"

    def test_the_student_sees_the_same_observations_with_links_to_their_revisions(self):
        response = self.signed_in_client("student").get(self.path)
        self.assertContains(response, "The largest paste was 3,000 characters, in revision 2")
        self.assertContains(response, f'href="/write/{self.submission.pk}/history/compare/?old=1&amp;new=2"')

    def test_the_teacher_sees_them_on_the_review_page_with_links_to_the_change(self):
        response = self.tara.get(f"/teach/submissions/{self.submission.pk}/")
        self.assertContains(response, "The largest paste was 3,000 characters, in revision 2")
        self.assertContains(response, f"/teach/submissions/{self.submission.pk}/?revision=2&amp;compare=1")

    def test_the_page_costs_four_queries(self):
        # 1 session, 2 the student, 3 the submission (access check), 4 the observations
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = self.signed_in_client("student")
        client.get(self.path)
        with CaptureQueriesContext(connection) as queries:
            client.get(self.path)
        self.assertEqual(len(queries), 4, "\n".join(q["sql"] for q in queries.captured_queries))

    def test_nobody_else_reaches_it(self):
        self.assertEqual(self.signed_in_client("classmate").get(self.path).status_code, 404)
        self.assertEqual(self.tara.get(self.path).status_code, 403)  # a teacher: not a student's page at all
        riverside = self.signed_in_client("riverside_student", self.riverside)
        self.assertEqual(riverside.get(self.path).status_code, 404)

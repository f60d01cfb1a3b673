"""Erasure: what goes, what stays (legal holds, the audit log), and resuming after a killed worker."""

from auditlog.models import LogEntry
from django.contrib.auth.hashers import is_password_usable
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.test import override_settings

from accounts.backends import user_key
from accounts.models import User
from coursework.models import Comment, Enrolment, Revision, StageSubmission, Submission
from privacy import erasure
from privacy.actions import do_place_legal_hold
from privacy.models import PrivacyJob, PrivacyRequest
from privacy.tasks import run_privacy_job
from tests.privacy.base import PrivacyTestCase

ERASURE = PrivacyRequest.Kind.ERASURE


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the job catches it."""


class ErasureTests(PrivacyTestCase):
    def erase(self, key="student"):
        filed = self.file(key, ERASURE)
        self.approve(filed)
        filed.refresh_from_db()
        return filed

    def test_it_erases_the_students_work_and_keeps_a_tombstone_account(self):
        sam = self.person("student")
        submission_id = self.sams_work.pk
        filed = self.erase()
        self.assertEqual(filed.state, "completed")
        self.assertFalse(Submission.objects.filter(pk=submission_id).exists())
        self.assertFalse(Revision.objects.filter(submission_id=submission_id).exists())
        self.assertFalse(Comment.objects.filter(submission_id=submission_id).exists())
        self.assertFalse(StageSubmission.objects.filter(submission_id=submission_id).exists())
        self.assertFalse(Enrolment.objects.filter(student=sam).exists())
        tombstone = User.objects.get(pk=sam.pk)
        self.assertEqual(tombstone.full_name, "Erased person")
        self.assertTrue(tombstone.email.endswith("@erased.invalid"))
        self.assertFalse(tombstone.is_active or is_password_usable(tombstone.password))
        certificate = filed.job.certificate
        self.assertEqual(certificate["erased"]["coursework.Revision"], 3)
        self.assertEqual(certificate["erased"]["coursework.ProcessEvent"], 3)
        self.assertEqual(certificate["erased"]["coursework.Submission"], 1)
        self.assertEqual(certificate["anonymised"]["accounts.User"], 1)
        self.assertIn("privacy.PrivacyRequest", {k["model"] for k in certificate["kept"]})
        self.assertIn("auditlog.LogEntry", {k["model"] for k in certificate["kept"]})
        # Cleo's work is untouched.
        self.assertTrue(Enrolment.objects.filter(student=self.person("classmate")).exists())

    @override_settings(AUTH_USER_CACHE_SECONDS=300)
    def test_it_removes_the_cached_signed_in_person(self):
        sam = self.signed_in_client("student")
        sam.get("/student/")
        self.assertEqual(cache.get(user_key(self.person("student").pk)).full_name, "Sam Student")
        self.erase()
        self.assertIsNone(cache.get(user_key(self.person("student").pk)))

    def test_it_pseudonymises_the_audit_log_instead_of_deleting_it(self):
        sam = self.person("student")
        grade_rows = LogEntry.objects.get_for_object(self.sams_work)
        count = grade_rows.count()
        self.assertGreater(count, 0)
        submission_pk = str(self.sams_work.pk)
        self.erase()
        from django.contrib.contenttypes.models import ContentType

        rows = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Submission),
                                       object_pk=submission_pk)
        self.assertEqual(rows.count(), count)  # kept
        for row in rows:
            self.assertEqual(row.object_repr, erasure.pseudonym_for(sam.pk))
            self.assertNotIn("A clear argument.", str(row.changes))
            # The teacher who graded stays named; Sam's own saves point at his tombstone.
            self.assertIn(row.actor_id, {self.person("teacher").pk, sam.pk, None})
        mine = LogEntry.objects.filter(actor_id=sam.pk)
        self.assertTrue(mine.exists())
        self.assertEqual(set(mine.values_list("actor_email", flat=True)), {erasure.pseudonym_for(sam.pk)})

    def test_it_ends_sessions_and_deletes_export_files(self):
        sam_client = self.signed_in_client("student")
        exported = self.file("student", PrivacyRequest.Kind.EXPORT)
        self.approve(exported)
        zip_name = PrivacyJob.objects.get(request=exported).file_name
        self.assertTrue(default_storage.exists(zip_name))
        self.erase()
        self.assertFalse(default_storage.exists(zip_name))
        self.assertFalse(Session.objects.filter(session_key=sam_client.session.session_key).exists())
        self.assertEqual(sam_client.get("/privacy/").status_code, 302)  # signed out

    def test_a_legal_hold_on_the_person_keeps_their_records_and_the_request_says_so(self):
        do_place_legal_hold(subject=self.person("student"), reason="Appeal 2026-14",
                            acting_user=self.person("privacy_officer"))
        filed = self.erase()
        self.assertTrue(Submission.objects.filter(pk=self.sams_work.pk).exists())
        self.assertEqual(User.objects.get(pk=self.person("student").pk).full_name, "Sam Student")
        self.assertEqual(filed.outcome["result"], "erased except records under legal hold")
        kept = {k["model"]: k["reason"] for k in filed.job.certificate["kept"]}
        self.assertEqual(kept["coursework.Submission"], "Legal hold: Appeal 2026-14")
        self.assertContains(self.signed_in_client("privacy_officer").get(
            f"/admin/privacy/privacyrequest/{filed.pk}/change/"), "Appeal 2026-14")

    def test_a_legal_hold_on_a_course_keeps_only_that_courses_work(self):
        from tests.coursework.teacher.test_access import written_work

        do_enrol_other = __import__("coursework.actions", fromlist=["do_enrol_student"]).do_enrol_student
        do_enrol_other(self.other_course, self.person("student"), acting_user=self.person("other_teacher"))
        _, history_work = written_work(self.other_course, self.person("student"), self.person("other_teacher"),
                                       "Source essay")
        do_place_legal_hold(course=self.course, reason="Exam board review", acting_user=self.person("privacy_officer"))
        filed = self.erase()
        self.assertTrue(Submission.objects.filter(pk=self.sams_work.pk).exists())
        self.assertEqual(Revision.objects.filter(submission=self.sams_work).count(), 3)
        self.assertFalse(Submission.objects.filter(pk=history_work.pk).exists())
        kept = {k["model"]: k for k in filed.job.certificate["kept"]}
        self.assertEqual(kept["coursework.Submission"]["rows"], 1)
        self.assertIn("Exam board review", kept["coursework.Submission"]["reason"])

    def test_a_worker_killed_between_steps_is_resumed_and_finishes(self):
        filed = self.file("student", ERASURE)
        calls = []

        def kill_after_revisions(job, step):
            calls.append(step)
            if step == "erase:coursework.Revision" and calls.count(step) == 1:
                raise WorkerKilled

        erasure.after_step = kill_after_revisions
        try:
            with self.assertRaises(WorkerKilled):
                self.approve(filed)
            job = PrivacyJob.objects.get(request=filed)
            self.assertEqual(job.state, "running")
            self.assertIn("erase:coursework.Revision", job.completed_steps)
            self.assertNotIn("account", job.completed_steps)
            self.assertFalse(Revision.objects.filter(submission=self.sams_work).exists())  # half-way
            self.assertEqual(User.objects.get(pk=self.person("student").pk).full_name, "Sam Student")
            run_privacy_job(job.pk)  # the broker redelivers the task
        finally:
            erasure.after_step = None
        job.refresh_from_db()
        filed.refresh_from_db()
        self.assertEqual((job.state, job.attempts, filed.state), ("done", 2, "completed"))
        self.assertEqual(calls.count("collect"), 1)  # finished steps are not run again
        self.assertEqual(job.certificate["erased"]["coursework.Revision"], 3)  # counted before the crash
        self.assertEqual(User.objects.get(pk=self.person("student").pk).full_name, "Erased person")

    def test_a_job_that_keeps_killing_its_worker_gives_up_after_three_attempts(self):
        filed = self.file("student", ERASURE)

        def always_kill(job, step):
            raise WorkerKilled

        erasure.after_step = always_kill
        try:
            with self.assertRaises(WorkerKilled):
                self.approve(filed)
            job = PrivacyJob.objects.get(request=filed)
            for _ in range(2):
                with self.assertRaises(WorkerKilled):
                    run_privacy_job(job.pk)
            run_privacy_job(job.pk)  # the fourth delivery is refused
        finally:
            erasure.after_step = None
        job.refresh_from_db()
        filed.refresh_from_db()
        self.assertEqual((job.state, job.attempts, filed.state), ("failed", 3, "failed"))
        self.assertContains(self.signed_in_client("student").get(f"/privacy/requests/{filed.pk}/"),
                            "The privacy office has been told")

    def test_the_erase_order_deletes_children_before_parents(self):
        order = [m._meta.label for m, _ in erasure.erase_order()]
        for child, parent in [("coursework.Comment", "coursework.Revision"),
                              ("coursework.ProcessEvent", "coursework.Revision"),
                              ("coursework.StageSubmission", "coursework.Revision"),
                              ("coursework.Revision", "coursework.Submission"),
                              ("coursework.PeerReview", "coursework.PeerReviewAllocation"),
                              ("coursework.PeerReviewAllocation", "coursework.Submission"),
                              ("account.EmailConfirmation", "account.EmailAddress")]:
            self.assertLess(order.index(child), order.index(parent), (child, parent))


class TeacherErasureTests(PrivacyTestCase):
    def test_erasing_a_teacher_keeps_the_students_feedback_and_anonymises_what_she_made(self):
        from coursework.models import Rubric

        tara = self.person("teacher")
        filed = self.file("teacher", ERASURE)
        self.approve(filed)
        filed.refresh_from_db()
        self.assertEqual(filed.state, "completed")
        comment = Comment.objects.get(submission=self.sams_work)
        self.assertEqual((comment.body, comment.author_id), ("Which schools?", tara.pk))  # Sam's record
        self.assertEqual(User.objects.get(pk=tara.pk).full_name, "Erased person")
        self.assertIsNone(Rubric.objects.get(pk=self.rubric.pk).created_by)
        self.assertEqual(filed.job.certificate["anonymised"]["coursework.Rubric"], 1)
        self.sams_work.refresh_from_db()
        self.assertEqual(self.sams_work.grade, 80)  # grades stay consistent for the class

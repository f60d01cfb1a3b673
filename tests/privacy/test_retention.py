"""Retention: the nightly pass deletes or clears what is past its period; --dry-run only reports."""

from datetime import timedelta
from io import StringIO

from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.actions import do_deactivate_user
from coursework.actions import do_archive_course
from coursework.models import Course, ProcessEvent, Revision, Submission
from privacy.actions import do_place_legal_hold
from privacy.models import PrivacyRequest
from privacy.retention import run
from tenants.models import Institution
from tests.privacy.base import PrivacyTestCase


class RetentionTests(PrivacyTestCase):
    def age(self):
        """Move everything three years and a day into the past, the course archived then."""
        past = timezone.now() - timedelta(days=365 * 3 + 1)
        do_archive_course(self.course, acting_user=self.person("teacher"))
        Course.objects.filter(pk=self.course.pk).update(archived_at=past)
        Revision.objects.update(created_at=past)
        ProcessEvent.objects.update(created_at=past)
        LogEntry.objects.update(timestamp=timezone.now() - timedelta(days=365 * 8))
        return past

    def test_a_dry_run_reports_and_changes_nothing(self):
        self.age()
        revisions, logs = Revision.objects.count(), LogEntry.objects.count()
        report = run(self.northside, dry_run=True)
        self.assertEqual(report.counts["coursework (submissions)"], 1)
        self.assertEqual(report.counts["process events"], 3)
        self.assertEqual(report.counts["audit rows"], logs)
        self.assertEqual((Revision.objects.count(), LogEntry.objects.count()), (revisions, logs))
        self.assertEqual(ProcessEvent.objects.count(), 3)
        self.assertTrue(Submission.objects.filter(pk=self.sams_work.pk).exists())

    def test_a_real_run_deletes_old_coursework_and_audit_rows(self):
        self.age()
        report = run(self.northside, dry_run=False)
        self.assertEqual(report.counts["coursework (submissions)"], 1)
        self.assertFalse(Submission.objects.filter(pk=self.sams_work.pk).exists())
        self.assertFalse(Revision.objects.filter(submission_id=self.sams_work.pk).exists())
        self.assertFalse(LogEntry.objects.filter(timestamp__lt=timezone.now() - timedelta(days=365 * 7)).exists())
        again = run(self.northside, dry_run=False)  # nothing left to do
        self.assertEqual(set(again.counts.values()), {0})

    def test_it_deletes_writing_process_events_but_keeps_the_text_history(self):
        ProcessEvent.objects.update(created_at=timezone.now() - timedelta(days=400))
        report = run(self.northside, dry_run=False)
        self.assertEqual(report.counts["process events"], 3)
        self.assertEqual(Revision.objects.filter(submission=self.sams_work).count(), 3)
        self.assertFalse(ProcessEvent.objects.exists())
        self.assertEqual(self.sams_work.__class__.objects.get(pk=self.sams_work.pk).text, self.sams_work.text)

    def test_it_keeps_the_process_events_of_a_held_person(self):
        ProcessEvent.objects.update(created_at=timezone.now() - timedelta(days=400))
        do_place_legal_hold(subject=self.person("student"), reason="Integrity appeal",
                            acting_user=self.person("privacy_officer"))
        self.assertEqual(run(self.northside, dry_run=False).counts["process events"], 0)
        self.assertEqual(ProcessEvent.objects.count(), 3)

    def test_it_keeps_what_a_legal_hold_covers(self):
        self.age()
        do_place_legal_hold(course=self.course, reason="Grade appeal", acting_user=self.person("privacy_officer"))
        report = run(self.northside, dry_run=False)
        self.assertEqual(report.counts["coursework (submissions)"], 0)
        self.assertEqual(Revision.objects.filter(submission=self.sams_work).count(), 3)

    def test_it_files_erasure_requests_for_long_inactive_accounts(self):
        otto = self.person("outsider")
        do_deactivate_user(otto, acting_user=self.person("admin"))
        type(otto).objects.filter(pk=otto.pk).update(date_joined=timezone.now() - timedelta(days=365 * 3))
        self.assertEqual(run(self.northside, dry_run=True).counts["dormant accounts (erasure requests)"], 1)
        run(self.northside, dry_run=False)
        filed = PrivacyRequest.objects.get(subject=otto)
        self.assertEqual((filed.kind, filed.state, filed.filed_by), ("erasure", "awaiting_approval", None))
        self.assertEqual(run(self.northside, dry_run=True).counts["dormant accounts (erasure requests)"], 0)

    def test_the_command_reports_a_dry_run_per_institution(self):
        self.age()
        out = StringIO()
        call_command("privacy_retention", "--dry-run", "--institution", "northside", stdout=out)
        self.assertIn("[dry run] northside: coursework (submissions): would process 1", out.getvalue())
        self.assertTrue(Submission.objects.filter(pk=self.sams_work.pk).exists())
        connection.set_tenant(self.northside)

    def test_riverside_is_untouched_by_northsides_pass(self):
        from django_tenants.utils import tenant_context

        self.age()
        with tenant_context(self.riverside):
            riverside_logs = LogEntry.objects.count()
        run(self.northside, dry_run=False)
        with tenant_context(self.riverside):
            self.assertEqual(LogEntry.objects.count(), riverside_logs)
            self.assertEqual(Institution.objects.get(slug="riverside").audit_retention_days, 365 * 7)

    def test_the_pass_makes_a_bounded_number_of_queries(self):
        self.age()
        with CaptureQueriesContext(connection) as queries:
            run(self.northside, dry_run=False)
        # 1-2 held people and courses; 3 expired submissions' ids; one batch: savepoint, the ids of its
        # writing-support rows (assistant exchanges, reflections, observations, similarity matches both
        # ways, signature, integrity jobs (delete: the submit queued one)), peer reviews, allocations,
        # comments (delete), rubric scores, stage submissions (delete), process events (delete),
        # revisions (delete), delete the submissions, release (4-25); 26-27 the course and student ids
        # whose cached dashboards and homes are purged (bulk SQL sends no signals); 28-30 one (empty)
        # process-event DELETE batch (its rows went with the submission); 31-33 one audit DELETE batch,
        # 34-36 the next, empty one; 37 expired exports; 38 dormant accounts. Each batch is savepoint,
        # statement, release here (BEGIN/COMMIT outside a test); empty child lists send no DELETE.
        self.assertEqual(len(queries), 38, "\n".join(q["sql"][:150] for q in queries.captured_queries))


class RetentionSchedulingTests(PrivacyTestCase):
    def test_the_nightly_dispatcher_runs_the_pass_in_every_institution(self):
        from django_tenants.utils import tenant_context

        from privacy.tasks import dispatch_retention
        from scribetree.settings import CELERY_BEAT_SCHEDULE

        self.assertEqual(CELERY_BEAT_SCHEDULE["privacy-retention"]["task"], "privacy.tasks.dispatch_retention")
        old = timezone.now() - timedelta(days=365 * 8)
        LogEntry.objects.update(timestamp=old)
        with tenant_context(self.riverside):
            LogEntry.objects.update(timestamp=old)
        dispatch_retention.delay()
        connection.set_tenant(self.northside)
        self.assertFalse(LogEntry.objects.filter(timestamp=old).exists())
        with tenant_context(self.riverside):
            self.assertFalse(LogEntry.objects.filter(timestamp=old).exists())

    def test_it_deletes_export_files_once_their_link_has_expired(self):
        from django.core.files.storage import default_storage

        from privacy.models import PrivacyJob

        filed = self.file("student", PrivacyRequest.Kind.EXPORT)
        self.approve(filed)
        job = PrivacyJob.objects.get(request=filed)
        self.assertEqual(run(self.northside, dry_run=True).counts["exports"], 0)
        PrivacyJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        self.assertEqual(run(self.northside, dry_run=False).counts["exports"], 1)
        self.assertFalse(default_storage.exists(job.file_name))
        job.refresh_from_db()
        self.assertEqual((job.file_name, job.download_token), ("", ""))

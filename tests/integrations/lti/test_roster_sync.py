"""Roster sync (NRPS): paging, statuses, the nightly dispatcher, failures recorded."""

from coursework.models import Enrolment
from integrations.lti import tasks
from integrations.lti.actions import do_request_roster_sync
from integrations.lti.models import LtiIdentity, RosterSync
from tests.integrations.lti.base import LtiTestCase
from tests.integrations.lti.helpers import set_up_linked_assignment
from tests.integrations.lti.simulator import ROLE_LEARNER


def member(sub, status="Active"):
    return {"user_id": sub, "name": f"Student {sub}", "roles": [ROLE_LEARNER], "status": status}


class RosterSyncTests(LtiTestCase):
    def setUp(self):
        super().setUp()
        self.link, self.teacher, self.student = set_up_linked_assignment(self)
        self.context = self.link.context
        self.course = self.context.course

    def test_it_follows_link_headers_without_changing_their_case(self):
        self.platform.member_pages = [[member("a1")], [member("a2")], [member("a3")]]
        with self.captureOnCommitCallbacks(execute=True):
            job = do_request_roster_sync(self.context, acting_user=self.teacher)
        job.refresh_from_db()
        self.assertEqual((job.state, job.pages, job.enrolled), ("done", 3, 3))
        pages_requested = [c.request.url for c in self.platform.http.calls if "Names_And_Roles" in c.request.url]
        self.assertIn("Page=2&Per_Page=2", pages_requested[-1])

    def test_inactive_and_deleted_members_are_unenrolled(self):
        self.platform.member_pages = [[member("lms-student-1", "Inactive")]]
        with self.captureOnCommitCallbacks(execute=True):
            do_request_roster_sync(self.context, acting_user=self.teacher)
        self.assertFalse(Enrolment.objects.filter(course=self.course, student=self.student).exists())

    def test_the_nightly_dispatcher_sends_one_task_per_institution_and_one_sync_per_course(self):
        self.platform.member_pages = [[member("lms-student-1"), member("n1")]]
        with self.captureOnCommitCallbacks(execute=True):
            tasks.dispatch_lti_nightly.apply()
        job = RosterSync.objects.get()
        self.assertEqual((job.state, job.enrolled, job.requested_by), ("done", 1, None))
        self.assertTrue(LtiIdentity.objects.filter(sub="n1").exists())

    def test_a_failing_roster_endpoint_is_recorded_not_raised(self):
        self.platform.members_status = 500
        with self.captureOnCommitCallbacks(execute=True):
            job = do_request_roster_sync(self.context, acting_user=self.teacher)
        job.refresh_from_db()
        self.assertEqual(job.state, "failed")
        self.assertIn("500", job.error)

    def test_a_finished_job_is_not_run_twice(self):
        self.platform.member_pages = [[member("a1")]]
        with self.captureOnCommitCallbacks(execute=True):
            job = do_request_roster_sync(self.context, acting_user=self.teacher)
        calls = len(self.platform.http.calls)
        tasks.sync_roster.apply_async((job.pk,), headers={"_schema_name": self.northside.schema_name})
        self.assertEqual(len(self.platform.http.calls), calls)

    def test_the_nightly_sweep_resumes_a_sync_whose_worker_died(self):
        from datetime import timedelta

        from django.utils import timezone

        self.platform.member_pages = [[member("z1")]]
        job = RosterSync.objects.create(context=self.context, state=RosterSync.State.RUNNING, attempts=1)
        RosterSync.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=2))
        with self.captureOnCommitCallbacks(execute=True):
            tasks.sweep_lti.apply_async(headers={"_schema_name": self.northside.schema_name})
        job.refresh_from_db()
        self.assertEqual((job.state, job.attempts, job.enrolled), ("done", 2, 1))

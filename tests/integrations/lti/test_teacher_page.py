"""The teacher's LMS page for a course: a constant number of queries, whatever the rows."""

from django.urls import reverse

from coursework.actions import do_grade_submission, do_release_feedback, get_or_start_submission
from integrations.lti.actions import do_request_roster_sync
from integrations.lti.models import LtiIdentity
from tests.integrations.lti.base import LtiTestCase
from tests.integrations.lti.helpers import set_up_linked_assignment
from tests.integrations.lti.simulator import ROLE_LEARNER


class TeacherLmsPageTests(LtiTestCase):
    def test_it_lists_links_syncs_and_passbacks_in_a_fixed_number_of_queries(self):
        link, teacher, lena = set_up_linked_assignment(self)
        self.platform.member_pages = [[{"user_id": f"s{i}", "name": f"Student {i}", "roles": [ROLE_LEARNER]}
                                       for i in range(4)]]
        for _ in range(2):
            with self.captureOnCommitCallbacks(execute=True):
                do_request_roster_sync(link.context, acting_user=teacher)
        students = [lena, *(i.user for i in LtiIdentity.objects.filter(sub__in=["s0", "s1", "s2"]))]
        for student in students:
            submission = get_or_start_submission(link.assignment, student)
            with self.captureOnCommitCallbacks(execute=True):
                do_grade_submission(submission, grade=70, acting_user=teacher)
                do_release_feedback(submission, acting_user=teacher)
        client = self.browser()
        client.force_login(teacher)
        url = reverse("lti_course", args=[link.assignment.course_id])
        client.get(url)  # the connection's search_path is set once per institution (not counted below)
        # 1 session, 2 user, 3 course (access), 4 contexts + registrations, 5 latest sync per context,
        # 6 passbacks with students and assignments.
        with self.assertNumQueries(6):
            page = client.get(url)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Sent to the LMS", count=len(students))
        self.assertContains(page, "Done")

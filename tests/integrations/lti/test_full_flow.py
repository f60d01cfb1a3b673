"""The whole journey against the simulated LMS: login initiation → launch → deep link → roster sync
→ grade passback (and a changed grade sent again)."""

import jwt
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from coursework.actions import (
    check_save_draft,
    do_grade_submission,
    do_release_feedback,
    do_submit_stage,
    get_or_start_submission,
)
from coursework.models import Assignment, Enrolment
from integrations.lti.models import GradePassback, LtiIdentity, LtiResourceLink, RosterSync
from tests.integrations.lti.base import LtiTestCase, form_value
from tests.integrations.lti.simulator import LTI, ROLE_INSTRUCTOR, ROLE_LEARNER

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def member(sub, name, role=ROLE_LEARNER, status="Active", email=""):
    return {"user_id": sub, "name": name, "roles": [role], "status": status, "email": email}


class FullFlowTests(LtiTestCase):
    def test_login_launch_deep_link_roster_and_grades(self):
        platform = self.platform
        # 1. The teacher adds Scribe Tree from the LMS's assignment picker (a deep-linking launch, in a frame).
        teacher_browser = self.browser()
        state, nonce, _ = self.start_login(teacher_browser)
        picker = self.post_launch(teacher_browser, state, platform.id_token(
            nonce=nonce, roles=(ROLE_INSTRUCTOR,), sub="lms-teacher-1", name="Tom Teacher",
            message_type="LtiDeepLinkingRequest"), HTTP_SEC_FETCH_DEST="iframe")
        self.assertEqual(picker.status_code, 200, picker.content[:400])
        teacher = LtiIdentity.objects.get(sub="lms-teacher-1").user
        signed = form_value(picker.content.decode(), "deep_link")
        returned = teacher_browser.post("/lti/deep-link/", {
            "deep_link": signed, "assignment": "new", "title": "Letter to the council", "prompt": "Argue for a park.",
            "due_at": "2027-01-20 09:00"})
        self.assertEqual(returned.status_code, 200, returned.content[:400])
        assignment = Assignment.objects.get(title="Letter to the council")
        self.assertTrue(assignment.is_published)
        self.assertEqual(list(assignment.course.teachers.all()), [teacher])
        html = returned.content.decode()
        self.assertIn(f'action="{platform.base}/courses/7/deep_linking_response"', html)
        response_jwt = form_value(html, "JWT")
        # The platform verifies the response with the tool's published key set.
        platform.tool_jwks = self.browser().get("/lti/jwks.json").json()
        kid = jwt.get_unverified_header(response_jwt)["kid"]
        key = jwt.PyJWK.from_dict(next(k for k in platform.tool_jwks["keys"] if k["kid"] == kid)).key
        claims = jwt.decode(response_jwt, key, algorithms=["RS256"], audience=platform.issuer)
        self.assertEqual(claims["iss"], platform.client_id)
        self.assertEqual(claims[LTI + "message_type"], "LtiDeepLinkingResponse")
        self.assertEqual(claims[LTI + "deployment_id"], platform.deployment_id)
        self.assertEqual(claims[DL + "data"], "opaque-platform-data")
        [item] = claims[DL + "content_items"]
        self.assertEqual(item["type"], "ltiResourceLink")
        self.assertEqual(item["url"], "http://northside.localhost/lti/launch/")
        self.assertEqual(item["lineItem"]["scoreMaximum"], 100.0)
        self.assertEqual(item["custom"], {"scribetree_assignment": str(assignment.pk)})
        # The same signed form cannot be used twice.
        again = teacher_browser.post("/lti/deep-link/", {"deep_link": signed, "assignment": str(assignment.pk)})
        self.assertRefused(again, "deep_link")

        # 2. The LMS made the link and its line item; a student opens it (top level, not framed).
        lineitem = f"{platform.lineitems_url}/31"
        student_browser = self.browser()
        state, nonce, _ = self.start_login(student_browser)
        launched = self.post_launch(student_browser, state, platform.id_token(
            nonce=nonce, sub="lms-student-1", name="Lena Learner", resource_link_id="rl-99", lineitem=lineitem,
            custom={"scribetree_assignment": str(assignment.pk)}))
        self.assertRedirects(launched, reverse("student_write", args=[assignment.pk]), fetch_redirect_response=False)
        self.assertEqual(student_browser.get(launched["Location"]).status_code, 200)  # the writing page
        link = LtiResourceLink.objects.get(resource_link_id="rl-99")
        self.assertEqual((link.assignment, link.lineitem_url), (assignment, lineitem))
        lena = LtiIdentity.objects.get(sub="lms-student-1").user

        # 3. The teacher updates the class list from the LMS (two pages, linked by a Link header).
        platform.member_pages = [
            [member("lms-teacher-1", "Tom Teacher", ROLE_INSTRUCTOR), member("lms-student-1", "Lena Learner")],
            [member("lms-student-2", "Max Mills"), member("lms-student-3", "Nia North", status="Inactive")],
        ]
        teacher_client = self.browser()
        teacher_client.force_login(teacher)
        with self.captureOnCommitCallbacks(execute=True):
            page = teacher_client.post(reverse("lti_course_sync", args=[assignment.course_id]),
                                       {"context": link.context_id})
        self.assertEqual(page.status_code, 302)
        job = RosterSync.objects.get()
        self.assertEqual((job.state, job.pages, job.enrolled, job.unenrolled), ("done", 2, 1, 0))
        max_mills = LtiIdentity.objects.get(sub="lms-student-2").user
        enrolled = set(Enrolment.objects.filter(course=assignment.course).values_list("student", flat=True))
        self.assertEqual(enrolled, {lena.pk, max_mills.pk})
        self.assertEqual(job.requested_by, teacher)
        # Max leaves the LMS course: the next sync unenrols him.
        platform.member_pages[1][0]["status"] = "Deleted"
        with self.captureOnCommitCallbacks(execute=True):
            teacher_client.post(reverse("lti_course_sync", args=[assignment.course_id]), {"context": link.context_id})
        self.assertFalse(Enrolment.objects.filter(course=assignment.course, student=max_mills).exists())
        self.assertEqual(RosterSync.objects.latest("created_at").unenrolled, 1)

        # 4. Lena writes and submits; the teacher grades and releases it: the score goes to the line item.
        submission = get_or_start_submission(assignment, lena)
        check_save_draft(submission, "Parks make towns healthier.", base_revision=0, acting_user=lena)
        submission = do_submit_stage(submission, acting_user=lena)
        with self.captureOnCommitCallbacks(execute=True):
            do_grade_submission(submission, grade=87, acting_user=teacher)
            do_release_feedback(submission, acting_user=teacher)
        [(url, score, headers)] = platform.scores
        self.assertEqual(url, f"{lineitem}/scores")
        self.assertEqual(headers["Content-Type"], "application/vnd.ims.lis.v1.score+json")
        self.assertEqual(score["userId"], "lms-student-1")
        self.assertEqual((score["scoreGiven"], score["scoreMaximum"]), (87.0, 100.0))
        self.assertEqual((score["activityProgress"], score["gradingProgress"]), ("Completed", "FullyGraded"))
        first_time = parse_datetime(score["timestamp"])
        self.assertIsNotNone(first_time.tzinfo)
        passback = GradePassback.objects.get()
        self.assertEqual((passback.state, passback.sent_score), ("sent", 87))

        # 5. A changed grade is sent again, with a later timestamp, reusing the cached access token.
        tokens_before = platform.token_requests
        with self.captureOnCommitCallbacks(execute=True):
            do_grade_submission(submission, grade=91, acting_user=teacher)
        self.assertEqual(len(platform.scores), 2)
        second = platform.scores[1][1]
        self.assertEqual(second["scoreGiven"], 91.0)
        self.assertGreater(parse_datetime(second["timestamp"]), first_time)
        self.assertEqual(platform.token_requests, tokens_before)
        # Releasing again with an unchanged grade sends nothing.
        with self.captureOnCommitCallbacks(execute=True):
            do_release_feedback(submission, acting_user=teacher)
        self.assertEqual(len(platform.scores), 2)

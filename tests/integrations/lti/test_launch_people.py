"""What a verified launch does: the person, their course and assignment, the sign-in, the landing page."""

from auditlog.models import LogEntry
from django.urls import reverse

from accounts.models import Role, User
from coursework.models import Enrolment
from integrations.lti.models import LaunchTicket, LtiContext, LtiIdentity, LtiResourceLink
from tests.integrations.lti.base import LtiTestCase, form_value
from tests.integrations.lti.simulator import ROLE_INSTRUCTOR, ROLE_LEARNER


class LaunchPeopleTests(LtiTestCase):
    def test_it_creates_the_teacher_their_course_and_the_assignment_and_lands_on_the_assignment(self):
        response = self.launch_teacher()
        identity = LtiIdentity.objects.select_related("user").get(registration=self.registration, sub="lms-teacher-1")
        teacher = identity.user
        self.assertEqual(teacher.role, Role.TEACHER)
        self.assertEqual(teacher.full_name, "Tom Teacher")
        self.assertTrue(teacher.email.endswith("@lti.invalid"))  # emails not trusted by default
        context = LtiContext.objects.get(registration=self.registration, context_id="course-7")
        self.assertEqual(list(context.course.teachers.all()), [teacher])
        self.assertEqual(context.memberships_url, self.platform.memberships_url)
        link = LtiResourceLink.objects.get(context=context, resource_link_id="link-1")
        self.assertEqual(link.assignment.course, context.course)
        self.assertRedirects(response, reverse("teacher_assignment", args=[link.assignment.pk]),
                             fetch_redirect_response=False)
        self.assertEqual(int(self.client.session.get("_auth_user_id", 0) or 0), 0)  # other client
        # Created through accounts' action: audited.
        self.assertTrue(LogEntry.objects.get_for_object(teacher).filter(action=LogEntry.Action.CREATE).exists())

    def test_it_enrols_a_learner_and_lands_on_the_writing_page(self):
        self.launch_teacher()
        browser = self.browser()
        response = self.launch(browser, sub="lms-student-1", name="Lena Learner")
        student = LtiIdentity.objects.get(sub="lms-student-1").user
        self.assertEqual(student.role, Role.STUDENT)
        link = LtiResourceLink.objects.get(resource_link_id="link-1")
        self.assertTrue(Enrolment.objects.filter(course=link.assignment.course, student=student).exists())
        self.assertRedirects(response, reverse("student_write", args=[link.assignment.pk]),
                             fetch_redirect_response=False)
        self.assertEqual(browser.session["_auth_user_id"], str(student.pk))
        # A second launch finds the same person and enrolment.
        self.launch(self.browser(), sub="lms-student-1")
        self.assertEqual(LtiIdentity.objects.filter(sub="lms-student-1").count(), 1)
        self.assertEqual(Enrolment.objects.filter(student=student).count(), 1)

    def test_it_tells_a_learner_when_the_teacher_has_not_set_up_the_course(self):
        browser = self.browser()
        response = self.launch(browser, sub="lms-student-1")
        self.assertEqual(response.status_code, 403)
        self.assertIn("teacher has not opened Scribe Tree", response.content.decode())
        self.assertSignedOut(browser)

    def test_it_links_by_email_only_when_the_registration_trusts_the_platforms_emails(self):
        sam = self.person("student")
        self.launch_teacher()
        self.launch(sub="lms-sam", email=sam.email)
        untrusted = LtiIdentity.objects.get(sub="lms-sam").user
        self.assertNotEqual(untrusted, sam)  # an LMS cannot claim Sam's account by naming his email
        self.registration.trust_emails = True
        self.registration.save()
        self.launch(sub="lms-sam-2", email=sam.email.upper())
        identity = LtiIdentity.objects.get(sub="lms-sam-2")
        self.assertEqual(identity.user, sam)
        self.assertTrue(identity.linked_by_email)

    def test_it_never_signs_in_an_admin_through_the_lms(self):
        self.registration.trust_emails = True
        self.registration.save()
        browser = self.browser()
        response = self.launch(browser, roles=(ROLE_INSTRUCTOR,), sub="lms-ada", email=self.person("admin").email)
        self.assertEqual(response.status_code, 403)
        self.assertSignedOut(browser)

    def test_it_promotes_a_student_who_launches_as_instructor_and_audits_it(self):
        self.launch_teacher()
        self.launch(sub="lms-ta")
        person = LtiIdentity.objects.get(sub="lms-ta").user
        self.launch(roles=(ROLE_INSTRUCTOR,), sub="lms-ta")
        person.refresh_from_db()
        self.assertEqual(person.role, Role.TEACHER)
        self.assertTrue(LogEntry.objects.get_for_object(person).filter(changes__has_key="role").exists())

    def test_it_does_not_demote_a_teacher_who_launches_as_learner(self):
        self.launch_teacher()
        response = self.launch(roles=(ROLE_LEARNER,), sub="lms-teacher-1")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(LtiIdentity.objects.get(sub="lms-teacher-1").user.role, Role.TEACHER)

    def test_it_refuses_roles_with_no_place_in_scribe_tree(self):
        response = self.launch(roles=("http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor",
                                      "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"), sub="x")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(User.objects.filter(lti_identities__sub="x").exists())


class FrameAndCookieTests(LtiTestCase):
    def test_a_launch_inside_a_frame_hands_over_to_a_first_party_window_once(self):
        client = self.browser()
        state, nonce, _ = self.start_login(client)
        token = self.platform.id_token(nonce=nonce, roles=(ROLE_INSTRUCTOR,), sub="lms-teacher-1", name="Tom Teacher")
        response = self.post_launch(client, state, token, HTTP_SEC_FETCH_DEST="iframe")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("X-Frame-Options", response)  # this page may be framed by the LMS
        self.assertSignedOut(client)  # a Lax session cookie would not come back inside the frame
        html = response.content.decode()
        self.assertIn('target="_blank"', html)
        continue_url = html.split('href="/lti/continue/')[1].split('"')[0]
        window = self.browser()
        teacher = LtiIdentity.objects.get(sub="lms-teacher-1").user
        # Opening the link only asks (so a link someone else got cannot sign a visitor in as them).
        asked = window.get(f"/lti/continue/{continue_url}")
        self.assertContains(asked, "Continue as Tom")
        self.assertSignedOut(window)
        landed = window.post(f"/lti/continue/{continue_url}")
        self.assertEqual(landed.status_code, 302)
        self.assertEqual(window.session["_auth_user_id"], str(teacher.pk))
        self.assertRefused(self.browser().get(f"/lti/continue/{continue_url}"), "ticket")
        self.assertRefused(self.browser().post(f"/lti/continue/{continue_url}"), "ticket")
        self.assertEqual(LaunchTicket.objects.filter(used_at__isnull=False).count(), 1)

    def test_the_state_cookie_is_samesite_none_secure_and_the_session_cookie_stays_lax(self):
        client = self.browser()
        state, _, response = self.start_login(client)
        cookie = response.cookies[f"lti_state_{state}"]
        self.assertEqual(cookie["samesite"], "None")
        self.assertTrue(cookie["secure"])
        self.assertTrue(cookie["httponly"])
        from django.conf import settings

        self.assertEqual(settings.SESSION_COOKIE_SAMESITE, "Lax")

    def test_platform_storage_binds_the_state_when_third_party_cookies_are_blocked(self):
        starter = self.browser()
        page = starter.post("/lti/login/", self.platform.login_params(
            "http://northside.localhost/lti/launch/", lti_storage_target="post_message_forwarding"))
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn("lti.put_data", html)
        login = page.context["state"], page.context["secret"]
        auth = self.platform.auth_request(page.context["auth_url"])
        token = self.platform.id_token(nonce=auth["nonce"], roles=(ROLE_INSTRUCTOR,))
        # The launch arrives without the cookie (blocked): the tool asks platform storage first.
        cookieless = self.browser()
        asked = self.post_launch(cookieless, login[0], token)
        self.assertEqual(asked.status_code, 200)
        self.assertIn("lti.get_data", asked.content.decode())
        self.assertEqual(form_value(asked.content.decode(), "state"), login[0])
        self.assertSignedOut(cookieless)
        # A wrong value from storage is refused; the right one completes the launch.
        wrong = cookieless.post("/lti/launch/", {"id_token": token, "state": login[0], "lti_storage_secret": "x"})
        self.assertRefused(wrong, "browser_mismatch")
        done = cookieless.post("/lti/launch/", {"id_token": token, "state": login[0],
                                                "lti_storage_secret": login[1]})
        self.assertEqual(done.status_code, 302)

    def test_login_initiation_refuses_unknown_platforms_and_foreign_targets(self):
        client = self.browser()
        response = client.post("/lti/login/", {"iss": "https://evil.example", "login_hint": "x",
                                               "target_link_uri": "http://northside.localhost/lti/launch/"})
        self.assertRefused(response, "unknown_registration")
        response = client.post("/lti/login/", self.platform.login_params("https://evil.example/steal"))
        self.assertRefused(response, "target_link_uri")
        self.assertRefused(client.post("/lti/login/", {}), "login_params")


class RoleMappingTests(LtiTestCase):
    def test_it_maps_context_roles_and_sub_roles(self):
        from integrations.lti.actions import role_from_lti

        m = "http://purl.imsglobal.org/vocab/lis/v2/membership"
        self.assertEqual(role_from_lti([f"{m}#Instructor"]), Role.TEACHER)
        self.assertEqual(role_from_lti([f"{m}/Instructor#TeachingAssistant"]), Role.TEACHER)
        self.assertEqual(role_from_lti(["Learner"]), Role.STUDENT)
        self.assertEqual(role_from_lti([f"{m}#Learner", f"{m}#Instructor"]), Role.TEACHER)
        self.assertIsNone(role_from_lti([f"{m}#Mentor"]))
        self.assertIsNone(role_from_lti(["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"]))


class LoginRateTests(LtiTestCase):
    def test_login_initiation_is_capped_per_address(self):
        from unittest import mock

        from django.test import override_settings

        from integrations.lti import views
        from integrations.lti.models import LoginState

        client = self.browser()
        # One fixed minute, so the test never straddles two windows.
        with override_settings(LTI_LOGINS_PER_MINUTE_PER_ADDRESS=3), \
                mock.patch.object(views.time, "time", return_value=1_800_000_000.0):
            for _ in range(3):
                self.assertIsNotNone(self.start_login(client)[0])
            _, _, refused = self.start_login(client)
        self.assertRefused(refused, "rate_limited", status=429)
        self.assertEqual(LoginState.objects.count(), 3)


class ConcurrentFirstLaunchTests(LtiTestCase):
    def test_a_collision_on_a_new_person_or_course_asks_to_open_again(self):
        from unittest import mock

        from django.db import IntegrityError

        client = self.browser()
        state, nonce, _ = self.start_login(client)
        token = self.platform.id_token(nonce=nonce, roles=(ROLE_INSTRUCTOR,), sub="lms-teacher-1")
        with mock.patch("integrations.lti.actions.LtiContext.objects.create", side_effect=IntegrityError("dup")):
            response = self.post_launch(client, state, token)
        self.assertRefused(response, "conflict", status=409)
        self.assertFalse(LtiIdentity.objects.filter(sub="lms-teacher-1").exists())  # rolled back whole
        self.assertSignedOut(client)

"""Nothing LTI of one institution is visible, writable or reachable from another (Riverside)."""

from django.db import connection
from django.urls import reverse
from django_tenants.utils import tenant_context

from accounts.models import User
from integrations.lti import keys, tasks
from integrations.lti.models import GradePassback, LtiIdentity, PlatformRegistration, RosterSync
from scribetree.celery import MissingInstitution
from tests.integrations.lti.base import LtiTestCase
from tests.integrations.lti.helpers import set_up_linked_assignment
from tests.integrations.lti.simulator import ROLE_INSTRUCTOR, Platform


class LaunchIsolationTests(LtiTestCase):
    def test_a_launch_for_northsides_registration_sent_to_riversides_domain_fails(self):
        riverside = self.browser(self.riverside)
        # Login initiation at Riverside does not know Northside's registration...
        response = riverside.post("/lti/login/", self.platform.login_params("http://riverside.localhost/lti/launch/"))
        self.assertRefused(response, "unknown_registration")
        # ...and a token (with a state from Northside) posted to Riverside's launch URL is refused.
        state, nonce, _ = self.start_login(self.browser())
        token = self.platform.id_token(nonce=nonce, roles=(ROLE_INSTRUCTOR,), sub="lms-teacher-1")
        refused = self.post_launch(riverside, state, token)
        self.assertRefused(refused, "unknown_registration")
        with tenant_context(self.riverside):
            self.assertFalse(LtiIdentity.objects.exists())
            self.assertFalse(User.objects.filter(email__endswith="@lti.invalid").exists())

    def test_one_issuer_used_by_two_institutions_maps_each_to_its_own(self):
        """Canvas cloud: one issuer, a client id (developer key) per institution."""
        shared_issuer = "https://canvas.instructure.com"
        riverside_canvas = Platform(issuer=shared_issuer, client_id="200002")
        riverside_canvas.keys = self.platform.keys  # the same Canvas signs for both (one JWKS URL)
        PlatformRegistration.objects.filter(pk=self.registration.pk).update(
            issuer=shared_issuer, client_id="100001")
        with tenant_context(self.riverside):
            self.register(riverside_canvas)
        self.platform.issuer, self.platform.client_id = shared_issuer, "100001"

        rita_browser = self.browser(self.riverside)
        state, nonce, _ = self.start_login(rita_browser, riverside_canvas)
        ok = self.post_launch(rita_browser, state, riverside_canvas.id_token(
            nonce=nonce, roles=(ROLE_INSTRUCTOR,), sub="canvas-user-9"))
        self.assertEqual(ok.status_code, 302, ok.content[:300])
        with tenant_context(self.riverside):
            self.assertTrue(LtiIdentity.objects.filter(sub="canvas-user-9").exists())
        self.assertFalse(LtiIdentity.objects.filter(sub="canvas-user-9").exists())  # not at Northside

        # Northside's client id at Riverside's domain: refused.
        state, nonce, _ = self.start_login(rita_browser, riverside_canvas)
        token = self.platform.id_token(nonce=nonce, roles=(ROLE_INSTRUCTOR,), sub="canvas-user-1")
        self.assertRefused(self.post_launch(rita_browser, state, token), "unknown_registration")
        self.assertEqual(connection.schema_name, self.northside.schema_name)


class SurfaceIsolationTests(LtiTestCase):
    def test_each_institution_publishes_only_its_own_keys(self):
        northside_kids = {k["kid"] for k in self.browser().get("/lti/jwks.json").json()["keys"]}
        riverside_kids = {k["kid"] for k in self.browser(self.riverside).get("/lti/jwks.json").json()["keys"]}
        self.assertTrue(northside_kids and riverside_kids)
        self.assertFalse(northside_kids & riverside_kids)
        with tenant_context(self.riverside):
            keys.rotate_tool_key()
        self.assertEqual({k["kid"] for k in self.browser().get("/lti/jwks.json").json()["keys"]}, northside_kids)

    def test_riversides_admin_sees_none_of_northsides_registrations(self):
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        from accounts.actions import do_create_user
        from accounts.models import Role
        from tests.base import PASSWORD

        with tenant_context(self.riverside):
            rhea = do_create_user("rhea@riverside.example", "Rhea Admin", Role.INSTITUTION_ADMIN, password=PASSWORD,
                                  acting_user=None)
            TOTP.activate(rhea, generate_totp_secret())
        admin = self.browser(self.riverside)
        admin.force_login(rhea)
        listing = admin.get("/admin/integrations_lti/platformregistration/")
        self.assertEqual(listing.status_code, 200)
        self.assertNotContains(listing, "Northside Canvas")
        self.assertEqual(admin.get(f"/admin/integrations_lti/platformregistration/{self.registration.pk}/change/")
                         .status_code, 302)  # "doesn't exist" → back to the list
        # Northside's admin session means nothing at Riverside.
        northside_admin = self.browser(self.riverside)
        northside_admin.cookies = self.signed_in_client("admin").cookies
        self.assertEqual(northside_admin.get("/admin/integrations_lti/platformregistration/").status_code, 302)

    def test_tasks_run_only_in_their_institution(self):
        link, teacher, _ = set_up_linked_assignment(self)
        self.platform.member_pages = [[]]
        job = RosterSync.objects.create(context=link.context)
        with self.assertRaises(MissingInstitution):
            connection.set_schema_to_public()
            try:
                tasks.sync_roster.delay(job.pk)
            finally:
                connection.set_tenant(self.northside)
        # Sent to Riverside, Northside's job id finds nothing there and touches nothing here.
        tasks.sync_roster.apply_async((job.pk,), headers={"_schema_name": self.riverside.schema_name})
        job.refresh_from_db()
        self.assertEqual(job.state, "queued")
        self.assertEqual(self.platform.http.calls[-1].request.url, self.platform.jwks_url)
        tasks.post_grade.apply_async((12345,), headers={"_schema_name": self.riverside.schema_name})
        self.assertFalse(GradePassback.objects.exists())

    def test_the_teachers_lms_page_is_theirs_only(self):
        link, teacher, _ = set_up_linked_assignment(self)
        url = reverse("lti_course", args=[link.assignment.course_id])
        owner = self.browser()
        owner.force_login(teacher)
        self.assertEqual(owner.get(url).status_code, 200)
        self.assertEqual(self.signed_in_client("teacher").get(url).status_code, 404)  # Tara does not teach it
        rita = self.browser(self.riverside)
        rita.force_login(self.person("riverside_teacher"))
        self.assertEqual(rita.get(url).status_code, 404)
        self.assertEqual(rita.post(reverse("lti_course_sync", args=[link.assignment.course_id]),
                                   {"context": link.context_id}).status_code, 404)
        self.assertEqual(self.signed_in_client("student").get(url).status_code, 403)


class DeepLinkIsolationTests(LtiTestCase):
    def test_a_deep_link_form_signed_at_northside_does_not_verify_at_riverside(self):
        """Ids in the form are per schema; with one SECRET_KEY for all, the signature must be too.

        The form names ids that (by coincidence of sequences) are a Riverside teacher's and LMS course:
        signed at Northside, it must still be refused at Riverside.
        """
        from django.core import signing

        from coursework.models import Assignment
        from integrations.lti import deep_linking
        from integrations.lti.models import LtiContext

        with tenant_context(self.riverside):
            rita = self.person("riverside_teacher")
            riverside_canvas = Platform(issuer="https://canvas.riverside.example", client_id="r-1")
            registration = self.register(riverside_canvas)
            from coursework.actions import do_create_course

            course = do_create_course("Riverside English", "2026", acting_user=rita)
            context = LtiContext.objects.create(registration=registration, deployment_id="1:abc", context_id="c",
                                                course=course)
        payload = {"user": rita.pk, "context": context.pk, "deployment_id": "1:abc",
                   "return_url": "https://lms.northside.example/return", "data": None, "multiple": False,
                   "jti": "northside-jti"}
        signed_at_northside = signing.dumps(payload, salt=deep_linking._salt())
        riverside = self.browser(self.riverside)
        response = riverside.post("/lti/deep-link/", {"deep_link": signed_at_northside, "assignment": "new",
                                                      "title": "Planted"})
        self.assertRefused(response, "deep_link")
        with tenant_context(self.riverside):
            self.assertFalse(Assignment.objects.filter(title="Planted").exists())

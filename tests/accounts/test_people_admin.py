from auditlog.models import LogEntry

from accounts.models import Role, User
from tests.base import InstitutionTestCase


class PeopleAdminTests(InstitutionTestCase):
    def test_it_lets_the_institution_admin_change_a_role_and_audits_who_did_it(self):
        admin = self.signed_in_client("admin")
        sam = self.person("student")
        response = admin.post(f"/admin/accounts/user/{sam.pk}/change/", {
            "email": sam.email, "full_name": sam.full_name, "preferred_name": "", "student_number": "",
            "role": Role.TEACHER, "is_active": "on",
        })
        self.assertEqual(response.status_code, 302)
        sam.refresh_from_db()
        self.assertEqual(sam.role, Role.TEACHER)
        entry = LogEntry.objects.get_for_object(sam).filter(changes__has_key="role").latest("timestamp")
        self.assertEqual(entry.actor, self.person("admin"))
        self.assertEqual(entry.changes_dict["role"], ["student", "teacher"])

    def test_it_adds_a_person_through_the_admin(self):
        admin = self.signed_in_client("admin")
        response = admin.post("/admin/accounts/user/add/", {
            "email": "Nell@Northside.example", "full_name": "Nell New", "preferred_name": "",
            "student_number": "S-1001", "role": Role.STUDENT, "is_active": "on",
        })
        self.assertEqual(response.status_code, 302, response.content[:2000])
        nell = User.objects.get(email="nell@northside.example")
        self.assertFalse(nell.has_usable_password())  # she sets it by email
        self.assertEqual(LogEntry.objects.get_for_object(nell).get(action=LogEntry.Action.CREATE).actor,
                         self.person("admin"))

    def test_it_deactivates_a_person_and_ends_their_sessions(self):
        student = self.signed_in_client("student")
        self.assertEqual(student.get("/student/").status_code, 200)
        admin = self.signed_in_client("admin")
        sam = self.person("student")
        admin.post("/admin/accounts/user/", {"action": "deactivate", "_selected_action": [sam.pk]})
        sam.refresh_from_db()
        self.assertFalse(sam.is_active)
        self.assertEqual(student.get("/student/").status_code, 302)

    def test_it_shows_the_admin_the_institution_settings_and_saves_them(self):
        admin = self.signed_in_client("admin")
        response = admin.post(f"/admin/tenants/institution/{self.northside.pk}/change/", {
            "name": "Northside Academy", "brand_colour": "#224466", "gdpr": "on", "ferpa": "on",
            "time_zone": "Europe/London", "coursework_retention_days": 400, "inactive_account_retention_days": 700,
            "audit_retention_days": 2555,
            "process_data_retention_days": 365, "export_retention_days": 7, "guardian_consent_age": 16,
        })
        self.assertEqual(response.status_code, 302)
        self.northside.refresh_from_db()
        self.assertEqual(self.northside.brand_colour, "#224466")
        self.assertEqual((self.northside.coursework_retention_days, self.northside.time_zone), (400, "Europe/London"))
        entry = LogEntry.objects.get_for_object(self.northside).latest("timestamp")
        self.assertEqual(entry.actor, self.person("admin"))

    def test_it_refuses_a_colour_that_is_not_a_colour(self):
        admin = self.signed_in_client("admin")
        response = admin.post(f"/admin/tenants/institution/{self.northside.pk}/change/", {
            "name": "Northside Academy", "brand_colour": "#zzzzzz",
            "time_zone": "Europe/London", "coursework_retention_days": 400, "inactive_account_retention_days": 700,
            "audit_retention_days": 2555,
            "process_data_retention_days": 365, "export_retention_days": 7, "guardian_consent_age": 16,
        })
        self.assertContains(response, "Enter a colour like #1f5f8b.")

    def test_it_gives_the_privacy_officer_a_read_only_view_of_people(self):
        officer = self.signed_in_client("privacy_officer")
        self.assertEqual(officer.get("/admin/accounts/user/").status_code, 200)
        sam = self.person("student")
        response = officer.post(f"/admin/accounts/user/{sam.pk}/change/", {
            "email": sam.email, "full_name": "Changed", "role": Role.STUDENT, "is_active": "on"})
        self.assertEqual(response.status_code, 403)

    def test_it_keeps_students_and_teachers_out_of_the_admin(self):
        for key in ["student", "teacher"]:
            with self.subTest(key):
                response = self.signed_in_client(key).get("/admin/", follow=True)
                self.assertEqual(response.status_code, 403)
                self.assertContains(response, "not open to you", status_code=403)

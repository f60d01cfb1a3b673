from auditlog.models import LogEntry

from accounts.actions import do_change_role, do_create_user
from accounts.models import Role, User
from scribetree.celery import InstitutionTask, app
from tests.base import InstitutionTestCase


@app.task(base=InstitutionTask, name="tests.promote_to_teacher")
def promote_to_teacher(user_id, acting_user_id):
    acting_user = User.objects.get(pk=acting_user_id)
    do_change_role(User.objects.get(pk=user_id), Role.TEACHER, acting_user=acting_user)


class AuditTests(InstitutionTestCase):
    def test_it_records_the_acting_user_of_an_action(self):
        person = do_create_user("nia@northside.example", "Nia New", Role.STUDENT, acting_user=self.person("admin"))
        entry = LogEntry.objects.get_for_object(person).get(action=LogEntry.Action.CREATE)
        self.assertEqual(entry.actor, self.person("admin"))
        self.assertNotIn("password", entry.changes_dict)

    def test_it_records_the_acting_user_inside_a_celery_task(self):
        sam = self.person("student")
        promote_to_teacher.delay(sam.pk, self.person("admin").pk)
        entry = LogEntry.objects.get_for_object(sam).filter(changes__has_key="role").latest("timestamp")
        self.assertEqual(entry.actor, self.person("admin"))

    def test_it_keeps_the_outer_actor_after_a_nested_action(self):
        from auditlog.context import set_actor

        with set_actor(self.person("admin")):
            do_create_user("x@northside.example", "X", Role.STUDENT, acting_user=self.person("privacy_officer"))
            person = do_create_user("y@northside.example", "Y", Role.STUDENT, acting_user=None)
        entry = LogEntry.objects.get_for_object(person).get(action=LogEntry.Action.CREATE)
        self.assertEqual(entry.actor, self.person("admin"))

    def test_it_audits_role_changes_in_the_institutions_own_log(self):
        do_change_role(self.person("student"), Role.TEACHER, acting_user=self.person("admin"))
        self.assertTrue(LogEntry.objects.filter(actor=self.person("admin")).exists())
        from django_tenants.utils import tenant_context

        with tenant_context(self.riverside):
            self.assertFalse(LogEntry.objects.filter(actor_email="ada@northside.example").exists())

    def test_a_change_made_through_a_page_names_the_signed_in_person_and_their_address(self):
        sam = self.person("student")
        self.signed_in_client("admin").post(f"/admin/accounts/user/{sam.pk}/change/", {
            "email": sam.email, "full_name": "Sam Renamed", "preferred_name": "", "student_number": "",
            "role": Role.STUDENT, "is_active": "on",
        }, REMOTE_ADDR="203.0.113.7")
        entry = LogEntry.objects.get_for_object(sam).filter(changes__has_key="full_name").latest("timestamp")
        self.assertEqual((entry.actor, entry.remote_addr), (self.person("admin"), "203.0.113.7"))

    def test_what_auditlogs_own_set_actor_leaves_behind_names_nobody_later(self):
        from auditlog.context import set_actor

        with set_actor(self.person("admin")):
            pass  # auditlog leaves its context variable set after this block
        person = do_create_user("z@northside.example", "Z", Role.STUDENT, acting_user=None)
        entry = LogEntry.objects.get_for_object(person).get(action=LogEntry.Action.CREATE)
        self.assertIsNone(entry.actor)

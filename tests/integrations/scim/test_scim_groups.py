from auditlog.models import LogEntry
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from integrations.scim.actions import do_create_scim_token
from tests.integrations.scim.base import GROUP, PATCH_OP, ScimClient, ScimTestCase


class GroupTests(ScimTestCase):
    def group(self, group_id="teachers", query=""):
        response = self.scim.call("get", f"Groups/{group_id}{query}")
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def patch(self, group_id, *operations, **headers):
        return self.scim.call("patch", f"Groups/{group_id}", {"schemas": [PATCH_OP], "Operations": list(operations)},
                              **headers)

    def test_the_groups_are_the_two_roles(self):
        body = self.scim.call("get", "Groups").json()
        self.assertEqual(body["totalResults"], 2)
        self.assertEqual({g["id"]: g["displayName"] for g in body["Resources"]},
                         {"students": "Students", "teachers": "Teachers"})
        teachers = self.group()
        self.assertEqual([m["value"] for m in teachers["members"]], [str(self.person("teacher").pk)])
        students = {m["value"] for m in self.group("students")["members"]}
        self.assertEqual(students, {str(self.person(k).pk) for k in ["student", "classmate", "outsider"]})

    def test_it_finds_a_group_by_display_name_without_members_the_way_entra_asks(self):
        body = self.scim.get('/scim/v2/Groups?excludedAttributes=members&filter=displayName eq "Teachers"').json()
        self.assertEqual(body["totalResults"], 1)
        self.assertEqual(body["Resources"][0]["id"], "teachers")
        self.assertNotIn("members", body["Resources"][0])
        self.assertEqual(self.scim.get('/scim/v2/Groups?filter=displayName eq "Nope"').json()["totalResults"], 0)
        body = self.scim.get('/scim/v2/Groups?filter=displayName sw "Stu" or displayName ew "chers"').json()
        self.assertEqual(body["totalResults"], 2)

    def test_it_filters_on_membership(self):
        sam = self.person("student")
        response = self.scim.get("/scim/v2/Groups", {"filter": f"members[value eq \"{sam.pk}\"]"})
        body = response.json()
        self.assertEqual([g["id"] for g in body["Resources"]], ["students"])
        body = self.scim.get("/scim/v2/Groups", {"filter": f'members.value eq "{sam.pk}"'}).json()
        self.assertEqual([g["id"] for g in body["Resources"]], ["students"])

    def test_it_is_invalid_filter_for_unsupported_group_filters(self):
        for text in ['members[display eq "x"]', 'owner eq "x"', 'displayName.x eq "y"', "displayName eq"]:
            with self.subTest(text=text):
                self.assert_scim_error(self.scim.get("/scim/v2/Groups", {"filter": text}), 400, "invalidFilter")

    def test_adding_a_member_as_entra_sends_it_makes_them_a_teacher(self):
        cleo = self.person("classmate")
        response = self.patch("teachers", {"op": "Add", "path": "members",
                                           "value": [{"$ref": None, "value": str(cleo.pk)}]})
        self.assertEqual(response.status_code, 200, response.content)
        cleo.refresh_from_db()
        self.assertEqual(cleo.role, Role.TEACHER)
        self.assertEqual(LogEntry.objects.get_for_object(cleo).first().actor, self.person("admin"))

    def test_removing_a_member_as_okta_sends_it_makes_them_a_student(self):
        tara = self.person("teacher")
        response = self.patch("teachers", {"op": "remove", "path": f'members[value eq "{tara.pk}"]'})
        self.assertEqual(response.status_code, 200, response.content)
        tara.refresh_from_db()
        self.assertEqual(tara.role, Role.STUDENT)

    def test_removing_members_as_entra_sends_it(self):
        tara = self.person("teacher")
        self.patch("teachers", {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": str(tara.pk)}]})
        tara.refresh_from_db()
        self.assertEqual(tara.role, Role.STUDENT)

    def test_okta_path_less_replace_of_the_same_name_and_add_of_members(self):
        otto = self.person("outsider")
        response = self.patch("teachers", {"op": "replace", "value": {"id": "teachers", "displayName": "Teachers"}},
                              {"op": "add", "path": "members",
                               "value": [{"value": str(otto.pk), "display": otto.email}]})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertIn(str(otto.pk), [m["value"] for m in response.json()["members"]])

    def test_replace_members_sets_the_membership_exactly(self):
        cleo, tara = self.person("classmate"), self.person("teacher")
        self.patch("teachers", {"op": "replace", "path": "members", "value": [{"value": str(cleo.pk)}]})
        self.assertEqual(set(User.objects.filter(role=Role.TEACHER).values_list("pk", flat=True)), {cleo.pk})
        tara.refresh_from_db()
        self.assertEqual(tara.role, Role.STUDENT)

    def test_it_refuses_admins_unknown_people_renames_and_emptying(self):
        ada = self.person("admin")
        cases = [
            ({"op": "add", "path": "members", "value": [{"value": str(ada.pk)}]}, "mutability"),
            ({"op": "add", "path": "members", "value": [{"value": "999999"}]}, "invalidValue"),
            ({"op": "add", "path": "members", "value": [{"value": "not-an-id"}]}, "invalidValue"),
            ({"op": "add", "path": "members", "value": [{"value": "99999999999999999999999"}]}, "invalidValue"),
            ({"op": "replace", "path": "displayName", "value": "Staff"}, "mutability"),
            ({"op": "replace", "value": {"displayName": "Staff"}}, "mutability"),
            ({"op": "remove", "path": "members"}, "mutability"),
            ({"op": "remove", "path": 'members[display eq "x"]'}, "invalidPath"),
            ({"op": "replace", "path": "owner", "value": "x"}, "invalidPath"),
            ({"op": "jump", "path": "members", "value": []}, "invalidSyntax"),
        ]
        for operation, scim_type in cases:
            with self.subTest(operation=operation):
                self.assert_scim_error(self.patch("teachers", operation), 400, scim_type)
        ada.refresh_from_db()
        self.assertEqual(ada.role, Role.INSTITUTION_ADMIN)
        self.assertEqual(self.person("teacher").role, Role.TEACHER)

    def test_a_riverside_person_cannot_be_added_at_northside(self):
        rory = self.person("riverside_student")
        response = self.patch("teachers", {"op": "add", "path": "members", "value": [{"value": str(rory.pk)}]})
        if User.objects.filter(pk=rory.pk).exists():  # ids are per schema: the same number may exist here
            self.assertEqual(response.status_code, 200)
        else:
            self.assert_scim_error(response, 400, "invalidValue")
        with tenant_context(self.riverside):
            self.assertEqual(User.objects.get(pk=rory.pk).role, Role.STUDENT)

    def test_riversides_token_cannot_change_northsides_groups(self):
        with tenant_context(self.riverside):
            _, raw = do_create_scim_token("Riverside", acting_user=self.person("riverside_teacher"))
        cleo = self.person("classmate")
        # Whatever Riverside's own people with these numbers may be, Northside's Cleo is untouched.
        ScimClient(self.riverside, raw).call("patch", "Groups/teachers", {"Operations": [
            {"op": "add", "path": "members", "value": [{"value": str(cleo.pk)}]}]})
        cleo.refresh_from_db()
        self.assertEqual(cleo.role, Role.STUDENT)
        members = ScimClient(self.riverside, raw).call("get", "Groups/students").json()["members"]
        self.assertNotIn("cleo@northside.example", str(members))

    def test_if_match_guards_group_changes(self):
        etag = self.scim.call("get", "Groups/teachers")["ETag"]
        cleo = self.person("classmate")
        self.patch("teachers", {"op": "add", "path": "members", "value": [{"value": str(cleo.pk)}]})
        otto = self.person("outsider")
        response = self.patch("teachers", {"op": "add", "path": "members", "value": [{"value": str(otto.pk)}]},
                              if_match=etag)
        self.assert_scim_error(response, 412)
        otto.refresh_from_db()
        self.assertEqual(otto.role, Role.STUDENT)

    def test_groups_cannot_be_created_or_deleted(self):
        okta_push = {"schemas": [GROUP], "displayName": "Test SCIMv2", "members": []}
        self.assert_scim_error(self.scim.call("post", "Groups", okta_push), 400, "invalidValue")
        entra = {"schemas": [GROUP], "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "Teachers",
                 "meta": {"resourceType": "Group"}}
        self.assert_scim_error(self.scim.call("post", "Groups", entra), 409, "uniqueness")
        self.assert_scim_error(self.scim.call("delete", "Groups/teachers"), 400, "mutability")
        self.assert_scim_error(self.scim.call("get", "Groups/admins"), 404)

    def test_it_lists_groups_in_a_constant_number_of_queries(self):
        self.scim.call("get", "ServiceProviderConfig")  # last_used_at written
        with self.assertNumQueries(2):  # the token; everyone in the two roles (one query)
            self.scim.call("get", "Groups")

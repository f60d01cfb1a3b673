from allauth.usersessions.models import UserSession
from auditlog.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

from accounts.actions import do_create_user, do_deactivate_user
from accounts.models import Role, User
from integrations.scim.models import ScimUser
from tests.base import PASSWORD
from tests.integrations.scim.base import ENTERPRISE, PATCH_OP, SCIM, USER, ScimTestCase

# Entra: "Create User" request from Microsoft's SCIM endpoint guide. userName is not an email.
ENTRA_CREATE = {
    "schemas": [USER, ENTERPRISE],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
    "active": True,
    "emails": [{"primary": True, "type": "work",
                "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"}],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
    "roles": [],
}

# Okta: "Create the User" request from Okta's SCIM 2.0 reference (it sends a password; we ignore it).
OKTA_CREATE = {
    "schemas": [USER],
    "userName": "test.user@okta.local",
    "name": {"givenName": "Test", "familyName": "User"},
    "emails": [{"primary": True, "value": "test.user@okta.local", "type": "work"}],
    "displayName": "Test User",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": True,
}


class CreateUserTests(ScimTestCase):
    def test_it_creates_a_person_from_entras_request(self):
        response = self.scim.call("post", "Users", ENTRA_CREATE)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response["Content-Type"], SCIM)
        body = response.json()
        person = User.objects.get(pk=body["id"])
        self.assertEqual(person.email, "test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com")
        self.assertEqual(person.full_name, "givenName familyName")
        self.assertEqual(person.role, Role.STUDENT)
        self.assertFalse(person.has_usable_password())
        self.assertEqual(body["userName"], ENTRA_CREATE["userName"])
        self.assertEqual(body["externalId"], ENTRA_CREATE["externalId"])
        self.assertEqual(body["name"]["givenName"], "givenName")
        self.assertEqual(response["Location"], f"http://northside.localhost/scim/v2/Users/{person.pk}")
        self.assertEqual(response["ETag"], body["meta"]["version"])
        self.assertTrue(body["meta"]["version"].startswith('W/"'))

    def test_it_creates_a_person_from_oktas_request_and_ignores_the_password(self):
        response = self.scim.call("post", "Users", OKTA_CREATE)
        self.assertEqual(response.status_code, 201, response.content)
        person = User.objects.get(email="test.user@okta.local")
        self.assertEqual(person.full_name, "Test User")
        self.assertFalse(person.has_usable_password())
        self.assertEqual(response.json()["userName"], "test.user@okta.local")

    def test_it_records_the_tokens_issuer_as_the_actor(self):
        response = self.scim.call("post", "Users", OKTA_CREATE)
        entry = LogEntry.objects.get_for_object(User.objects.get(pk=response.json()["id"])).first()
        self.assertEqual(entry.actor, self.person("admin"))

    def test_it_creates_a_teacher_from_user_type(self):
        response = self.scim.call("post", "Users", {**OKTA_CREATE, "userType": "Teacher"})
        self.assertEqual(User.objects.get(pk=response.json()["id"]).role, Role.TEACHER)

    def test_it_refuses_an_admin_user_type(self):
        response = self.scim.call("post", "Users", {**OKTA_CREATE, "userType": "Institution admin"})
        self.assert_scim_error(response, 400, "invalidValue")
        self.assertFalse(User.objects.filter(email="test.user@okta.local").exists())

    def test_it_is_409_for_a_duplicate_user_name(self):
        self.scim.call("post", "Users", ENTRA_CREATE)
        again = {**ENTRA_CREATE, "userName": ENTRA_CREATE["userName"].upper(),
                 "emails": [{"primary": True, "type": "work", "value": "someone.else@testuser.com"}]}
        self.assert_scim_error(self.scim.call("post", "Users", again), 409, "uniqueness")

    def test_it_is_409_for_a_user_name_that_is_an_existing_persons_email(self):
        body = {**OKTA_CREATE, "userName": "sam@northside.example", "emails": []}
        self.assert_scim_error(self.scim.call("post", "Users", body), 409, "uniqueness")

    def test_it_is_409_for_a_duplicate_email(self):
        body = {**OKTA_CREATE, "userName": "new-upn", "emails": [{"value": "sam@northside.example", "primary": True}]}
        self.assert_scim_error(self.scim.call("post", "Users", body), 409, "uniqueness")

    def test_it_refuses_a_person_without_an_email(self):
        body = {**ENTRA_CREATE, "emails": []}
        self.assert_scim_error(self.scim.call("post", "Users", body), 400, "invalidValue")

    def test_it_refuses_a_missing_user_name(self):
        body = {k: v for k, v in OKTA_CREATE.items() if k != "userName"}
        self.assert_scim_error(self.scim.call("post", "Users", body), 400, "invalidValue")

    def test_it_refuses_a_body_that_is_not_json(self):
        response = self.scim.post("/scim/v2/Users", data="{not json", content_type=SCIM)
        self.assert_scim_error(response, 400, "invalidSyntax")

    def test_it_refuses_a_body_that_is_not_an_object(self):
        self.assert_scim_error(self.scim.call("post", "Users", [OKTA_CREATE]), 400, "invalidSyntax")

    def test_it_refuses_active_that_is_not_a_boolean(self):
        self.assert_scim_error(self.scim.call("post", "Users", {**OKTA_CREATE, "active": "maybe"}), 400, "invalidValue")

    def test_it_creates_an_inactive_person_when_told(self):
        response = self.scim.call("post", "Users", {**OKTA_CREATE, "active": "False"})
        self.assertFalse(User.objects.get(pk=response.json()["id"]).is_active)


class ReadUsersTests(ScimTestCase):
    def test_it_shows_one_person(self):
        sam = self.person("student")
        body = self.scim.call("get", f"Users/{sam.pk}").json()
        self.assertEqual(body["userName"], "sam@northside.example")
        self.assertEqual(body["emails"], [{"value": "sam@northside.example", "type": "work", "primary": True}])
        self.assertEqual(body["userType"], "Student")
        self.assertIs(body["active"], True)

    def test_it_is_404_for_an_unknown_id(self):
        self.assert_scim_error(self.scim.call("get", "Users/999999"), 404)
        self.assert_scim_error(self.scim.call("get", "Users/not-a-number"), 404)
        self.assert_scim_error(self.scim.call("get", "Users/99999999999999999999999"), 404)
        self.assert_scim_error(self.scim.call("patch", "Users/99999999999999999999999", {"Operations": [
            {"op": "replace", "path": "active", "value": False}]}), 404)

    def test_it_answers_304_when_if_none_match_is_current(self):
        sam = self.person("student")
        etag = self.scim.call("get", f"Users/{sam.pk}")["ETag"]
        self.assertEqual(self.scim.call("get", f"Users/{sam.pk}", if_none_match=etag).status_code, 304)

    def test_it_finds_a_person_by_user_name_the_way_entra_asks(self):
        response = self.scim.get('/scim/v2/Users?filter=userName+eq+"Sam@Northside.example"')
        body = response.json()
        self.assertEqual(body["totalResults"], 1)
        self.assertEqual(body["Resources"][0]["id"], str(self.person("student").pk))

    def test_it_finds_nobody_for_an_unknown_user_name(self):
        body = self.scim.get('/scim/v2/Users?filter=userName eq "nobody@northside.example"').json()
        self.assertEqual((body["totalResults"], body["Resources"]), (0, []))

    def test_it_finds_a_person_by_work_email_value_path(self):
        body = self.scim.get('/scim/v2/Users?filter=emails[type eq "work"].value eq "cleo@northside.example"').json()
        self.assertEqual([r["userName"] for r in body["Resources"]], ["cleo@northside.example"])

    def test_it_finds_by_external_id(self):
        created = self.scim.call("post", "Users", ENTRA_CREATE).json()
        body = self.scim.get(f'/scim/v2/Users?filter=externalId eq "{ENTRA_CREATE["externalId"]}"').json()
        self.assertEqual([r["id"] for r in body["Resources"]], [created["id"]])

    def emails(self, text):
        response = self.scim.get("/scim/v2/Users", {"filter": text})
        self.assertEqual(response.status_code, 200, response.content)
        return sorted(r["emails"][0]["value"] for r in response.json()["Resources"])

    def test_it_supports_every_operator(self):
        everyone = sorted(User.objects.values_list("email", flat=True))
        self.assertEqual(self.emails('userName ne "sam@northside.example"'),
                         [e for e in everyone if e != "sam@northside.example"])
        self.assertEqual(self.emails('displayName co "Class"'), ["cleo@northside.example"])
        self.assertEqual(self.emails('displayName sw "ott"'), ["otto@northside.example"])
        self.assertEqual(self.emails('userName ew "@northside.example" and displayName sw "Pat"'),
                         ["pat@northside.example"])
        self.assertEqual(self.emails("userType eq \"teacher\""), ["tara@northside.example"])
        self.assertEqual(self.emails("nickName pr"), [])
        self.assertEqual(self.emails("userName pr"), everyone)
        sam = self.person("student")
        self.assertEqual(self.emails(f'id eq "{sam.pk}"'), [sam.email])
        self.assertEqual(self.emails(f'id gt "{sam.pk}" and id le "{sam.pk + 1}"'), ["cleo@northside.example"])
        self.assertEqual(self.emails(f'id ge "{sam.pk}" and id lt "{sam.pk + 1}"'), [sam.email])
        self.assertEqual(self.emails('meta.created gt "2000-01-01T00:00:00Z"'), everyone)
        self.assertEqual(self.emails('meta.created lt "2000-01-01T00:00:00Z"'), [])

    def test_it_gives_and_precedence_over_or(self):
        # RFC 7644: `a or b and c` is `a or (b and c)`; the parser's own table would read `(a or b) and c`.
        found = self.emails('displayName sw "Sam" or displayName sw "Cleo" and active eq false')
        self.assertEqual(found, ["sam@northside.example"])
        found = self.emails('(displayName sw "Sam" or displayName sw "Cleo") and active eq true')
        self.assertEqual(found, ["cleo@northside.example", "sam@northside.example"])
        self.assertEqual(self.emails('not (userName ne "sam@northside.example")'), ["sam@northside.example"])

    def test_it_filters_on_active(self):
        do_deactivate_user(self.person("outsider"), acting_user=None)
        self.assertEqual(self.emails("active eq false"), ["otto@northside.example"])

    def test_it_is_invalid_filter_for_an_unknown_attribute(self):
        # The library would drop the condition and list everyone; we refuse.
        for text in ['fooBar eq "x"', 'title eq "x"', 'addresses[type eq "work"].locality eq "x"',
                     'emails[type eq "home"].value eq "x"', 'userName zz "x"', 'userName eq', '(userName eq "x"',
                     'id co "1"', 'id eq "abc"', 'id eq 12',  # unquoted numbers: the parser has no number token
                     'meta.created gt "yesterday"', 'x' * 1001]:
            with self.subTest(text=text):
                response = self.scim.get("/scim/v2/Users", {"filter": text})
                self.assert_scim_error(response, 400, "invalidFilter")

    def test_it_pages_from_one(self):
        everyone = list(User.objects.order_by("pk").values_list("pk", flat=True))
        body = self.scim.get("/scim/v2/Users?startIndex=2&count=3").json()
        self.assertEqual((body["totalResults"], body["startIndex"], body["itemsPerPage"]), (len(everyone), 2, 3))
        self.assertEqual([int(r["id"]) for r in body["Resources"]], everyone[1:4])
        body = self.scim.get("/scim/v2/Users?startIndex=0&count=1").json()  # below 1 means 1
        self.assertEqual((body["startIndex"], [int(r["id"]) for r in body["Resources"]]), (1, everyone[:1]))
        body = self.scim.get("/scim/v2/Users?count=0").json()
        self.assertEqual((body["totalResults"], body["Resources"]), (len(everyone), []))
        body = self.scim.get(f"/scim/v2/Users?startIndex={len(everyone) + 5}").json()
        self.assertEqual(body["Resources"], [])
        self.assert_scim_error(self.scim.get("/scim/v2/Users?count=many"), 400, "invalidValue")

    def test_it_lists_a_page_in_a_constant_number_of_queries(self):
        for n in range(15):
            do_create_user(f"extra{n}@northside.example", f"Extra {n}", Role.STUDENT, acting_user=None)
        self.scim.call("post", "Users", ENTRA_CREATE)
        # 1 token by hash (with its issuer), 1 UPDATE of last_used_at (once a minute; the first call here),
        # 1 COUNT, 1 page of people with their SCIM identity (LEFT JOIN).
        with self.assertNumQueries(3):  # last_used_at was written by the POST above
            body = self.scim.get("/scim/v2/Users?count=50").json()
        self.assertEqual(len(body["Resources"]), body["totalResults"])
        with self.assertNumQueries(3):
            self.scim.get('/scim/v2/Users?filter=userName sw "extra" or externalId pr&count=10')

    def test_it_returns_only_the_attributes_asked_for(self):
        body = self.scim.get("/scim/v2/Users?attributes=userName&count=1").json()
        self.assertEqual(set(body["Resources"][0]), {"schemas", "id", "meta", "userName"})
        body = self.scim.get("/scim/v2/Users?excludedAttributes=emails,name&count=1").json()
        self.assertNotIn("emails", body["Resources"][0])
        self.assertIn("userName", body["Resources"][0])


class PatchUserTests(ScimTestCase):
    def setUp(self):
        super().setUp()
        self.created = self.scim.call("post", "Users", ENTRA_CREATE).json()
        self.url = f"Users/{self.created['id']}"

    def patch(self, *operations, **headers):
        return self.scim.call("patch", self.url, {"schemas": [PATCH_OP], "Operations": list(operations)}, **headers)

    def person(self, key=None):
        return User.objects.get(pk=self.created["id"]) if key is None else super().person(key)

    def test_it_replaces_user_name_the_way_entra_sends_it(self):
        response = self.patch({"op": "Replace", "path": "userName",
                               "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["userName"], "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com")

    def test_it_replaces_the_work_email_through_a_filtered_path(self):
        response = self.patch({"op": "Replace", "path": 'emails[type eq "work"].value',
                               "value": "updatedEmail@microsoft.com"},
                              {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(self.person().email, "updatedemail@microsoft.com")
        self.assertEqual(response.json()["name"]["familyName"], "updatedFamilyName")

    def test_it_accepts_add_on_the_work_email_path_as_entra_sends_it(self):
        self.patch({"op": "Add", "path": 'emails[type eq "work"].value', "value": "joe@joe.com"},
                   {"op": "Replace", "path": "title", "value": "tester"})
        self.assertEqual(self.person().email, "joe@joe.com")

    def test_it_ignores_other_kinds_of_address(self):
        email = self.person().email
        response = self.patch({"op": "replace", "path": 'emails[type eq "home"].value', "value": "home@example.com"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.person().email, email)

    def test_it_takes_booleans_as_strings_and_capitalised_ops(self):
        response = self.patch({"op": "Replace", "path": "active", "value": "False"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(self.person().is_active)
        self.patch({"op": "Replace", "path": "active", "value": "True"})
        self.assertTrue(self.person().is_active)

    def test_it_takes_a_path_less_replace_with_an_object_as_okta_sends_it(self):
        response = self.patch({"op": "replace", "value": {"active": False}})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertIs(response.json()["active"], False)

    def test_it_takes_a_path_less_add_with_dotted_and_urn_keys(self):
        self.patch({"op": "Add", "value": {"nickName": "Babs", "name.givenName": "Barbara",
                                           f"{ENTERPRISE}:employeeNumber": "NS-7",
                                           "urn:ietf:params:scim:schemas:extension:custom:2.0:User":
                                               {"worksiteId": "1"}}})
        person = self.person()
        self.assertEqual((person.preferred_name, person.student_number), ("Babs", "NS-7"))
        self.assertEqual(ScimUser.objects.get(user=person).given_name, "Barbara")

    def test_it_removes_an_optional_attribute(self):
        self.patch({"op": "Add", "path": "nickName", "value": "Babs"})
        self.patch({"op": "Remove", "path": "nickName"})
        self.assertEqual(self.person().preferred_name, "")

    def test_it_refuses_to_remove_a_required_attribute(self):
        for path in ["userName", "active", 'emails[type eq "work"]', 'emails[type eq "work"].value']:
            with self.subTest(path=path):
                self.assert_scim_error(self.patch({"op": "Remove", "path": path}), 400, "mutability")

    def test_it_refuses_an_unknown_op_or_path_and_changes_nothing(self):
        before = self.person().preferred_name
        cases = [
            ({"op": "Move", "path": "nickName", "value": "x"}, "invalidSyntax"),
            ({"op": "Replace", "path": "favouriteColour", "value": "x"}, "invalidPath"),
            ({"op": "Replace", "path": 'emails[type eq "work"', "value": "x"}, "invalidPath"),
            ({"op": "Replace", "path": 'emails[type zz "work"].value', "value": "x"}, "invalidFilter"),
            ({"op": "Remove"}, "noTarget"),
            ({"op": "Replace", "value": "not an object"}, "invalidValue"),
            ({"op": "Replace", "path": "active", "value": "yes please"}, "invalidValue"),
            ({"op": "Replace", "path": "userType", "value": "Institution admin"}, "invalidValue"),
        ]
        for operation, scim_type in cases:
            with self.subTest(operation=operation):
                response = self.patch({"op": "Replace", "path": "nickName", "value": "Changed"}, operation)
                self.assert_scim_error(response, 400, scim_type)
        self.assertEqual(self.person().preferred_name, before)  # the first, valid operation was not applied

    def test_it_refuses_a_patch_without_operations(self):
        self.assert_scim_error(self.scim.call("patch", self.url, {"schemas": [PATCH_OP]}), 400, "invalidSyntax")
        self.assert_scim_error(self.scim.call("patch", self.url, {"schemas": [PATCH_OP], "Operations": []}),
                               400, "invalidSyntax")

    def test_it_is_409_when_the_new_user_name_is_taken(self):
        response = self.patch({"op": "Replace", "path": "userName", "value": "cleo@northside.example"})
        self.assert_scim_error(response, 409, "uniqueness")

    def test_it_will_not_change_an_admins_role(self):
        ada = super().person("admin")
        response = self.scim.call("patch", f"Users/{ada.pk}", {"schemas": [PATCH_OP], "Operations": [
            {"op": "Replace", "path": "userType", "value": "Student"}]})
        self.assert_scim_error(response, 400, "mutability")
        ada.refresh_from_db()
        self.assertEqual(ada.role, Role.INSTITUTION_ADMIN)

    def test_it_lets_an_admins_other_details_change(self):
        ada = super().person("admin")
        response = self.scim.call("patch", f"Users/{ada.pk}", {"schemas": [PATCH_OP], "Operations": [
            {"op": "Replace", "path": "displayName", "value": "Ada Admin-Smith"}]})
        self.assertEqual(response.status_code, 200, response.content)
        ada.refresh_from_db()
        self.assertEqual((ada.full_name, ada.role), ("Ada Admin-Smith", Role.INSTITUTION_ADMIN))

    def test_it_applies_a_patch_when_if_match_is_current(self):
        etag = self.scim.call("get", self.url)["ETag"]
        response = self.patch({"op": "Replace", "path": "nickName", "value": "Gee"}, if_match=etag)
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response["ETag"], etag)

    def test_it_is_412_when_if_match_is_stale(self):
        stale = self.scim.call("get", self.url)["ETag"]
        self.patch({"op": "Replace", "path": "nickName", "value": "First"})
        response = self.patch({"op": "Replace", "path": "nickName", "value": "Second"}, if_match=stale)
        self.assert_scim_error(response, 412)
        self.assertEqual(self.person().preferred_name, "First")
        self.assert_scim_error(self.scim.call("put", self.url, OKTA_CREATE, if_match=stale), 412)
        self.assert_scim_error(self.scim.call("delete", self.url, if_match=stale), 412)
        self.assertTrue(self.person().is_active)

    def test_the_etag_changes_when_someone_changes_the_person_elsewhere(self):
        etag = self.scim.call("get", self.url)["ETag"]
        do_deactivate_user(self.person(), acting_user=None)
        self.assertNotEqual(self.scim.call("get", self.url)["ETag"], etag)


class DeactivationTests(ScimTestCase):
    def test_deactivating_ends_the_persons_sessions(self):
        sam = self.person("student")
        browser = self.client_for(self.northside)
        self.log_in_with_password(browser, sam.email, PASSWORD)
        self.assertTrue(UserSession.objects.filter(user=sam).exists())
        self.assertNotIn("/accounts/login/", browser.get("/").get("Location", ""))
        response = self.scim.call("patch", f"Users/{sam.pk}", {"schemas": [PATCH_OP], "Operations": [
            {"op": "Replace", "path": "active", "value": False}]})
        self.assertEqual(response.status_code, 200, response.content)
        sam.refresh_from_db()
        self.assertFalse(sam.is_active)
        self.assertFalse(UserSession.objects.filter(user=sam).exists())
        self.assertFalse(any(s.get_decoded().get(SESSION_KEY) == str(sam.pk) for s in Session.objects.all()))
        self.assertIn("/accounts/login/", browser.get("/")["Location"])

    def test_delete_deactivates_and_forgets_the_scim_identity(self):
        created = self.scim.call("post", "Users", ENTRA_CREATE).json()
        response = self.scim.call("delete", f"Users/{created['id']}")
        self.assertEqual(response.status_code, 204)
        person = User.objects.get(pk=created["id"])
        self.assertFalse(person.is_active)
        self.assertFalse(ScimUser.objects.filter(user=person).exists())

    def test_put_replaces_the_person_as_okta_sends_it(self):
        created = self.scim.call("post", "Users", OKTA_CREATE).json()
        body = {**OKTA_CREATE, "id": created["id"], "name": {"givenName": "Another", "familyName": "User"},
                "displayName": "Another User"}
        body.pop("password")
        response = self.scim.call("put", f"Users/{created['id']}", body)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(User.objects.get(pk=created["id"]).full_name, "Another User")

    def test_put_without_active_leaves_a_deactivated_person_deactivated(self):
        created = self.scim.call("post", "Users", {**OKTA_CREATE, "active": False}).json()
        body = {k: v for k, v in OKTA_CREATE.items() if k != "active"}
        self.scim.call("put", f"Users/{created['id']}", body)
        self.assertFalse(User.objects.get(pk=created["id"]).is_active)


class NoPersonalDataInLogsTests(ScimTestCase):
    def test_request_bodies_never_reach_the_logs_even_at_debug(self):
        import logging

        records = []

        class Keep(logging.Handler):
            def emit(self, record):
                records.append(self.format(record))

        handler = Keep(level=logging.DEBUG)
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            body = {**OKTA_CREATE, "userName": "zebediah.quill@okta.local", "displayName": "Zebediah Quill",
                    "emails": [{"value": "zebediah.quill@okta.local", "primary": True}]}
            self.assertEqual(self.scim.call("post", "Users", body).status_code, 201)
            self.scim.call("post", "Users", body)  # 409
            self.scim.call("post", "Users", {**body, "active": "maybe"})  # 400
            self.scim.get('/scim/v2/Users?filter=userName eq "zebediah.quill@okta.local"')
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        logged = "\n".join(records)
        self.assertNotIn("Zebediah", logged)
        self.assertNotIn("1mz050nq", logged)  # Okta's password
        self.assertNotIn(self.raw_token, logged)

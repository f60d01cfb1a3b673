"""SCIM Groups are our two provisionable roles: "Students" and "Teachers".

Why roles and not course sections: an identity provider knows who is a teacher and who is a
student (directory groups such as "All staff"), while which class a student sits in comes from
the student information system, which reaches us through OneRoster (integrations/oneroster/).
Sections as SCIM groups would let two sources fight over enrolments.

- The groups are fixed: POST of an existing name is 409 (link to it instead), other names 400,
  DELETE 400, renaming 400.
- Adding a person to a group gives them that role (do_change_role); removing them from "Teachers"
  or "Students" makes them a student again, the least-privileged role. People whose role is an
  admin role (institution admin, privacy officer) are refused (400 mutability): admin rights are
  never granted or taken by a directory.
- Groups are small in number, so they are filtered in Python over the parsed filter tree.
"""

from django.db import transaction
from scim2_filter_parser import ast as scim_ast

from accounts.actions import do_change_role
from accounts.models import ADMIN_ROLES, Role, User
from integrations.scim import filters
from integrations.scim.errors import ScimError
from integrations.scim.users import GROUP_SCHEMA, etag

GROUPS = {"students": ("Students", Role.STUDENT), "teachers": ("Teachers", Role.TEACHER)}


def members_by_group():
    """{group id: [(pk, full name), ...]} in one query."""
    members = {group_id: [] for group_id in GROUPS}
    roles = {role: group_id for group_id, (_, role) in GROUPS.items()}
    rows = User.objects.filter(role__in=list(roles)).order_by("pk").values_list("pk", "full_name", "role")
    for pk, name, role in rows:
        members[roles[role]].append((pk, name))
    return members


def locked_members(group_id):
    _, role = GROUPS[group_id]
    return list(User.objects.filter(role=role).select_for_update().order_by("pk").values_list("pk", "full_name"))


def group_resource(group_id, members, location):
    name, _ = GROUPS[group_id]
    return {
        "schemas": [GROUP_SCHEMA],
        "id": group_id,
        "displayName": name,
        "members": [{"value": str(pk), "display": display, "$ref": f"{location}/Users/{pk}", "type": "User"}
                    for pk, display in members],
        "meta": {"resourceType": "Group", "location": f"{location}/Groups/{group_id}",
                 "version": etag([group_id, [pk for pk, _ in members]])},
    }


def group_id_for_name(name):
    for group_id, (label, _) in GROUPS.items():
        if str(name).strip().lower() == label.lower():
            return group_id
    return None


# --- Filtering (Entra: `displayName eq "Teachers"`; `members[value eq "12"]`) ------------------

def matches(tree, group_id, members):
    if isinstance(tree, scim_ast.Filter) and tree.namespace is not None:  # members[value eq "12"]
        if str(tree.namespace.attr_name).lower() != "members":
            raise ScimError(400, "invalidFilter", "Only members[value eq ...] is supported.")
        result = _members_match(tree.expr, {str(pk) for pk, _ in members})
        return not result if tree.negated else result
    if isinstance(tree, scim_ast.Filter):
        result = matches(tree.expr, group_id, members)
        return not result if tree.negated else result
    if isinstance(tree, scim_ast.LogExpr):
        left, right = matches(tree.expr1, group_id, members), matches(tree.expr2, group_id, members)
        return (left and right) if tree.op.lower() == "and" else (left or right)
    if isinstance(tree, scim_ast.AttrExpr):
        op = tree.value.lower()
        path = tree.attr_path
        if isinstance(path.attr_name, scim_ast.Filter):  # members[value eq "12"]
            inner = path.attr_name
            namespace = inner.namespace.attr_name.lower() if inner.namespace else ""
            if namespace != "members":
                raise ScimError(400, "invalidFilter", "Only members[value eq ...] is supported.")
            ids = {str(pk) for pk, _ in members}
            return _members_match(inner.expr, ids)
        name = path.attr_name.lower()
        sub = path.sub_attr.value.lower() if path.sub_attr else None
        if name == "members" and sub in {None, "value"}:
            return _compare_any(op, [str(pk) for pk, _ in members], tree)
        values = {"id": group_id, "displayname": GROUPS[group_id][0]}
        if name not in values or sub:
            raise ScimError(400, "invalidFilter", f"Filtering groups on {path.attr_name} is not supported.")
        return _compare(op, values[name], tree)
    raise ScimError(400, "invalidFilter", "Unsupported filter.")


def _members_match(expr, ids):
    if isinstance(expr, scim_ast.Filter) and expr.namespace is None:
        result = _members_match(expr.expr, ids)
        return not result if expr.negated else result
    if (isinstance(expr, scim_ast.AttrExpr) and expr.attr_path.attr_name.lower() == "value"
            and expr.value.lower() == "eq"):
        return str(expr.comp_value.value) in ids
    raise ScimError(400, "invalidFilter", "Only members[value eq ...] is supported.")


def _compare_any(op, values, node):
    if op == "pr":
        return bool(values)
    return any(_compare(op, value, node) for value in values)


def _compare(op, actual, node):
    if op == "pr":
        return bool(actual)
    expected = str(node.comp_value.value).lower() if node.comp_value else ""
    actual = str(actual).lower()
    checks = {"eq": actual == expected, "ne": actual != expected, "co": expected in actual,
              "sw": actual.startswith(expected), "ew": actual.endswith(expected),
              "gt": actual > expected, "ge": actual >= expected, "lt": actual < expected, "le": actual <= expected}
    if op not in checks:
        raise ScimError(400, "invalidFilter", f"Unknown operator {op}.")
    return checks[op]


def filter_groups(text, members):
    tree = filters.parse(text)
    return [group_id for group_id in GROUPS if matches(tree, group_id, members[group_id])]


# --- Membership changes -----------------------------------------------------------------------

def _member_ids(value):
    items = value if isinstance(value, list) else [value]
    ids = []
    for item in items:
        raw = item.get("value") if isinstance(item, dict) else item
        if not str(raw or "").strip().isdigit():
            raise ScimError(400, "invalidValue", f"Not a person here: {raw!r}")
        ids.append(int(raw))
    return ids


def _people(ids):
    people = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in people]
    if missing:
        raise ScimError(400, "invalidValue", f"No person with id {missing[0]} here.")
    for person in people.values():
        if person.role in ADMIN_ROLES:
            raise ScimError(400, "mutability", "An admin's role is managed in the institution's admin, not by SCIM.")
    return people


def apply_group_operations(group_id, current_members, ops, *, actor):
    """Work out the new membership from the operations, then change roles through the action."""
    label, role = GROUPS[group_id]
    members = {pk for pk, _ in current_members}
    wanted = set(members)
    for name, path, value in ops:
        lowered = path.lower()
        if not path:
            if not isinstance(value, dict):
                raise ScimError(400, "invalidValue", "A path-less operation needs an object value.")
            for key, sub_value in value.items():
                key = key.lower()
                if key == "displayname" and str(sub_value).strip().lower() != label.lower():
                    raise ScimError(400, "mutability", "Role groups cannot be renamed.")
                if key == "members":
                    ids = set(_member_ids(sub_value))
                    wanted = ids if name == "replace" else wanted | ids
            continue
        if lowered == "displayname":
            if name == "remove" or str(value).strip().lower() != label.lower():
                raise ScimError(400, "mutability", "Role groups cannot be renamed.")
        elif lowered == "members":
            if name == "remove":
                if value is None:
                    raise ScimError(400, "mutability",
                                    "Name the members to remove; a role group is never emptied at once.")
                wanted -= set(_member_ids(value))
            elif name == "replace":
                wanted = set(_member_ids(value or []))
            else:
                wanted |= set(_member_ids(value))
        elif lowered.startswith("members[") and name == "remove":
            tree = filters.parse(path[len("members["):path.rindex("]")])
            expr = tree.expr if isinstance(tree, scim_ast.Filter) else tree
            if not (isinstance(expr, scim_ast.AttrExpr) and expr.attr_path.attr_name.lower() == "value"
                    and expr.value.lower() == "eq"):
                raise ScimError(400, "invalidPath", "Only members[value eq \"id\"] can be removed.")
            wanted -= set(_member_ids(str(expr.comp_value.value)))
        elif lowered in {"externalid", "meta"}:
            continue
        else:
            raise ScimError(400, "invalidPath", f"Unsupported path for a group: {path}")
    added, removed = wanted - members, members - wanted
    people = _people(sorted(added | removed))
    with transaction.atomic():
        for pk in sorted(added):
            do_change_role(people[pk], role, acting_user=actor)
        for pk in sorted(removed):
            if role != Role.STUDENT:
                do_change_role(people[pk], Role.STUDENT, acting_user=actor)
    return added, removed

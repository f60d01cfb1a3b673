"""SCIM PATCH (RFC 7644 §3.5.2) for Users, as Microsoft Entra and Okta really send it.

What the clients send that a strict reading would refuse, and we accept:
- Entra capitalises the op ("Add", "Replace", "Remove") and has sent booleans as "True"/"False".
- Both send path-less operations whose value is an object of attributes, sometimes with dotted or
  URN-prefixed keys (`{"name.givenName": "Ann"}`, `{"urn:…:enterprise:2.0:User:employeeNumber": "7"}`).
- Filtered paths on emails: `emails[type eq "work"].value`, `emails[primary eq true].value`.
Operations are applied in order to the person's flat state (users.user_state) and then brought
about through the actions in one transaction, so a PATCH with one bad operation changes nothing.
"""

from integrations.scim import filters
from integrations.scim.errors import ScimError
from integrations.scim.users import IGNORED, _strip_urn, pick_email, set_attribute

PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
OPS = {"add", "replace", "remove"}
REQUIRED = {"username", "emails", "emails.value", "active"}


def operations(body):
    ops = body.get("Operations") if isinstance(body, dict) else None
    if not isinstance(ops, list) or not ops:
        raise ScimError(400, "invalidSyntax", "A PATCH needs an Operations list.")
    result = []
    for op in ops:
        if not isinstance(op, dict):
            raise ScimError(400, "invalidSyntax", "Each operation must be an object.")
        name = str(op.get("op", "")).strip().lower()
        if name not in OPS:
            raise ScimError(400, "invalidSyntax", f"Unknown operation: {op.get('op')!r}")
        path = op.get("path")
        if path is not None and not isinstance(path, str):
            raise ScimError(400, "invalidPath", "path must be a string.")
        result.append((name, (path or "").strip(), op.get("value")))
    return result


def _value_path(path):
    """Split `attr[filter].sub` into (attr, filter text, sub) or return None for a plain path."""
    if "[" not in path:
        return None
    attr, rest = path.split("[", 1)
    if "]" not in rest:
        raise ScimError(400, "invalidPath", f"Unbalanced brackets in path: {path}")
    condition, sub = rest.rsplit("]", 1)
    sub = sub.lstrip(".")
    filters.parse(condition)  # a syntax check: a malformed filter is invalidPath, not ignored
    return attr.strip().lower(), condition.strip(), sub.strip().lower()


def _picks_our_email(condition):
    """True when an emails[...] filter selects the address we keep (work or primary)."""
    text = " ".join(condition.lower().split())
    return text in {'type eq "work"', "primary eq true", 'primary eq "true"'}


def apply_user_operations(state, ops):
    for name, path, value in ops:
        if not path:
            if name == "remove":
                raise ScimError(400, "noTarget", "remove needs a path.")
            if not isinstance(value, dict):
                raise ScimError(400, "invalidValue", "A path-less operation needs an object value.")
            for key, sub_value in value.items():
                set_attribute(state, str(key).lower(), sub_value)
            continue
        lowered = path.lower()
        split = _value_path(path)
        if split:
            attr, condition, sub = split
            if _strip_urn(attr) != "emails":
                if _strip_urn(attr).split(".")[0] in IGNORED:
                    continue
                raise ScimError(400, "invalidPath", f"Unsupported path: {path}")
            if not _picks_our_email(condition):
                continue  # another kind of address (home, other): we keep only the work/primary one
            if name == "remove":
                raise ScimError(400, "mutability", "The work email is required and cannot be removed.")
            if sub in {"", "value"}:
                email = value if isinstance(value, str) else _from_list(value)
                set_attribute(state, "emails.value", email)
            continue
        key = _strip_urn(lowered)
        if name == "remove":
            if key in REQUIRED:
                raise ScimError(400, "mutability", f"{path} is required and cannot be removed.")
            set_attribute(state, key, "" if key != "name" else {"givenName": "", "familyName": ""})
            continue
        set_attribute(state, key, value)
    return state


def _from_list(value):
    email = pick_email(value)
    if email is None:
        raise ScimError(400, "invalidValue", "No email address in the value.")
    return email

"""ServiceProviderConfig, ResourceTypes and Schemas (RFC 7644 §4, RFC 7643 §5-7): what we support."""

from integrations.scim.users import ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA

SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
DOCS = "https://scribetree.invalid/docs/provisioning"


def service_provider_config(base):
    return {
        "schemas": [SPC_SCHEMA],
        "documentationUri": DOCS,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": 200},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": True},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "Bearer token", "primary": True,
            "description": "A token made by the institution's admin (Administration → SCIM tokens).",
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": f"{base}/ServiceProviderConfig"},
    }


def resource_types(base):
    return {
        "User": {"schemas": [RESOURCE_TYPE_SCHEMA], "id": "User", "name": "User", "endpoint": "/Users",
                 "description": "A person of this institution", "schema": USER_SCHEMA,
                 "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": False}],
                 "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/User"}},
        "Group": {"schemas": [RESOURCE_TYPE_SCHEMA], "id": "Group", "name": "Group", "endpoint": "/Groups",
                  "description": "A role: Students or Teachers", "schema": GROUP_SCHEMA,
                  "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/Group"}},
    }


def _attr(name, type_="string", *, required=False, multi=False, mutability="readWrite", unique="none",
          sub=None, case_exact=False, returned="default"):
    attribute = {"name": name, "type": type_, "multiValued": multi, "required": required,
                 "caseExact": case_exact, "mutability": mutability, "returned": returned, "uniqueness": unique}
    if sub:
        attribute["subAttributes"] = sub
    return attribute


def schemas(base):
    user = [
        _attr("userName", required=True, unique="server"),
        _attr("name", "complex", sub=[_attr("formatted"), _attr("givenName"), _attr("familyName")]),
        _attr("displayName"),
        _attr("nickName"),
        _attr("userType", mutability="readWrite"),
        _attr("active", "boolean"),
        _attr("emails", "complex", multi=True, required=True,
              sub=[_attr("value"), _attr("type"), _attr("primary", "boolean")]),
        _attr("externalId", case_exact=True),
    ]
    group = [
        _attr("displayName", required=True, mutability="readOnly", unique="server"),
        _attr("members", "complex", multi=True,
              sub=[_attr("value", mutability="immutable"), _attr("display", mutability="readOnly"),
                   _attr("$ref", "reference", mutability="immutable"), _attr("type", mutability="immutable")]),
    ]
    enterprise = [_attr("employeeNumber")]
    found = {}
    for uri, name, attributes in [(USER_SCHEMA, "User", user), (GROUP_SCHEMA, "Group", group),
                                  (ENTERPRISE_SCHEMA, "EnterpriseUser", enterprise)]:
        found[uri] = {"schemas": [SCHEMA_SCHEMA], "id": uri, "name": name, "attributes": attributes,
                      "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{uri}"}}
    return found

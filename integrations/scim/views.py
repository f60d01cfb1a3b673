"""The SCIM 2.0 service provider (RFC 7643/7644) at /scim/v2/ on each institution's domain.

Hand-written on DRF + scim2-filter-parser rather than django-scim2, because nearly every part of
django-scim2 would have had to be replaced for our rules:
- its list and filter views load every matching row into Python to count and slice them
  (`sum(1 for _ in qs)`), and filter with raw SQL plus Python-side "extra filter" loops, so a page
  costs O(people) — we need a COUNT and a LIMIT, two queries, pinned in tests;
- its adapters save models directly, while every change here must go through our actions
  (audited, sessions ended on deactivation);
- its auth is "any logged-in user" with CSRF-exempt views and its middleware logs request bodies
  (personal data) at DEBUG; it has no ETag/If-Match support and takes Entra's "Replace" and "False"
  only through patches of its own.
What is kept from the ecosystem: scim2-filter-parser's lexer, grammar (precedence fixed, see
filters.py) and Django Q transpiler. DRF gives the bearer-token auth, throttling and parsing.

Requests are never logged with their bodies; errors are SCIM error bodies without stack traces.
Every write runs in a transaction that locks the person's row first (select_for_update), so two
writers with the same If-Match cannot both pass the check and overwrite each other.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.scim import groups as scim_groups
from integrations.scim import patch as scim_patch
from integrations.scim import users as scim_users
from integrations.scim.authentication import HasScimToken, ScimTokenAuthentication
from integrations.scim.discovery import resource_types, schemas, service_provider_config
from integrations.scim.errors import ScimError
from scribetree.api_throttling import ScimTokenThrottle

logger = logging.getLogger(__name__)

SCIM_CONTENT_TYPE = "application/scim+json"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
DEFAULT_COUNT = 100
MAX_COUNT = 200  # advertised as filter.maxResults


class ScimJSONParser(JSONParser):
    media_type = SCIM_CONTENT_TYPE


class ScimJSONRenderer(JSONRenderer):
    media_type = SCIM_CONTENT_TYPE
    format = "scim"


def scim_exception_handler(exc, context):
    headers = {}
    if isinstance(exc, ScimError):
        error = exc
    elif isinstance(exc, Http404):
        error = ScimError(404, None, "Resource not found.")
    elif isinstance(exc, exceptions.Throttled):
        error = ScimError(429, None, "Too many requests; retry after the time in Retry-After.")
        if exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait) + 1)
    elif isinstance(exc, exceptions.ParseError):
        error = ScimError(400, "invalidSyntax", "The body is not valid JSON.")
    elif isinstance(exc, exceptions.APIException):
        error = ScimError(exc.status_code, None, str(exc.detail))
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
    else:
        logger.exception("SCIM request failed")  # the traceback, never the request body
        error = ScimError(500, None, "The request could not be completed.")
    return Response(error.body(), status=error.status, headers=headers, content_type=SCIM_CONTENT_TYPE)


class ScimView(APIView):
    authentication_classes = [ScimTokenAuthentication]
    permission_classes = [HasScimToken]
    throttle_classes = [ScimTokenThrottle]
    parser_classes = [ScimJSONParser, JSONParser]
    renderer_classes = [ScimJSONRenderer]
    schema = None  # not part of the OpenAPI document of /api/

    def get_exception_handler(self):
        return scim_exception_handler

    def initial(self, request, *args, **kwargs):
        if not settings.SCRIBETREE_SCIM_ENABLED:
            raise Http404
        super().initial(request, *args, **kwargs)

    @property
    def base(self):
        return self.request.build_absolute_uri("/scim/v2").rstrip("/")

    @property
    def actor(self):
        return self.request.auth.created_by

    def respond(self, resource, status_code=200):
        headers = {"ETag": resource["meta"]["version"]} if "version" in resource.get("meta", {}) else {}
        if "location" in resource.get("meta", {}) and status_code == 201:
            headers["Location"] = resource["meta"]["location"]
        return Response(project(resource, self.request), status=status_code, headers=headers,
                        content_type=SCIM_CONTENT_TYPE)

    def check_if_match(self, current_version):
        wanted = self.request.headers.get("If-Match")
        if wanted and wanted.strip() != "*" and current_version not in [v.strip() for v in wanted.split(",")]:
            raise ScimError(412, None, "The resource has changed since you read it (If-Match).")

    def not_modified(self, version):
        return self.request.headers.get("If-None-Match", "").strip() == version

    def body(self):
        data = self.request.data
        if not isinstance(data, dict):
            raise ScimError(400, "invalidSyntax", "The body must be a JSON object.")
        return data


def project(resource, request):
    """attributes / excludedAttributes (top-level names; id and schemas are always returned)."""
    wanted = _names(request.query_params.get("attributes"))
    dropped = _names(request.query_params.get("excludedAttributes"))
    if not wanted and not dropped:
        return resource
    keep = {"id", "schemas", "meta"}
    return {k: v for k, v in resource.items()
            if k in keep or ((not wanted or k.lower() in wanted) and k.lower() not in dropped)}


def _names(text):
    return {part.strip().split(".")[0].lower() for part in (text or "").split(",") if part.strip()}


def page_params(request):
    try:
        start = int(request.query_params.get("startIndex", 1))
        count = int(request.query_params.get("count", DEFAULT_COUNT))
    except ValueError:
        raise ScimError(400, "invalidValue", "startIndex and count must be integers.") from None
    return max(start, 1), min(max(count, 0), MAX_COUNT)  # RFC 7644 §3.4.2.4: below 1 means 1


def list_response(resources, total, start):
    return {"schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": start,
            "itemsPerPage": len(resources), "Resources": resources}


# --- Users --------------------------------------------------------------------------------------

class UsersView(ScimView):
    def get(self, request):
        queryset = scim_users.users_queryset()
        text = request.query_params.get("filter")
        if text:
            try:
                queryset = queryset.filter(scim_users.user_filter(text))
            except (ValueError, ValidationError):
                raise ScimError(400, "invalidFilter", "A value in the filter does not fit its attribute.") from None
        start, count = page_params(request)
        try:
            total = queryset.count()
            page = list(queryset[start - 1:start - 1 + count]) if count else []
        except (ValueError, ValidationError):
            raise ScimError(400, "invalidFilter", "A value in the filter does not fit its attribute.") from None
        resources = [project(scim_users.user_resource(u, self.base), request) for u in page]
        return Response(list_response(resources, total, start), content_type=SCIM_CONTENT_TYPE)

    def post(self, request):
        state = scim_users.state_from_body(self.body())
        user = scim_users.create_user(state, actor=self.actor)
        return self.respond(scim_users.user_resource(_reload(user.pk), self.base), status.HTTP_201_CREATED)


def _reload(pk, lock=False):
    queryset = scim_users.users_queryset()
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    user = queryset.filter(pk=pk).first() if str(pk).isdigit() else None
    if user is None:
        raise Http404
    return user


class UserView(ScimView):
    def get(self, request, pk):
        resource = scim_users.user_resource(_reload(pk), self.base)
        if self.not_modified(resource["meta"]["version"]):
            return HttpResponse(status=304, headers={"ETag": resource["meta"]["version"]})
        return self.respond(resource)

    def put(self, request, pk):
        body = self.body()
        with transaction.atomic():
            user = _reload(pk, lock=True)
            current = scim_users.user_state(user)
            self.check_if_match(scim_users.etag(current))
            scim_users.update_user(user, scim_users.state_from_body(body, current), actor=self.actor)
        return self.respond(scim_users.user_resource(_reload(pk), self.base))

    def patch(self, request, pk):
        ops = scim_patch.operations(self.body())
        with transaction.atomic():
            user = _reload(pk, lock=True)
            current = scim_users.user_state(user)
            self.check_if_match(scim_users.etag(current))
            wanted = scim_patch.apply_user_operations(dict(current), ops)
            scim_users.update_user(user, wanted, actor=self.actor)
        return self.respond(scim_users.user_resource(_reload(pk), self.base))

    def delete(self, request, pk):
        """People are never deleted by a directory (erasure is a privacy request): DELETE
        deactivates the person, ends their sessions and forgets their SCIM identity."""
        with transaction.atomic():
            user = _reload(pk, lock=True)
            self.check_if_match(scim_users.etag(scim_users.user_state(user)))
            scim_users.delete_user(user, actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Groups -------------------------------------------------------------------------------------

class GroupsView(ScimView):
    def get(self, request):
        members = scim_groups.members_by_group()
        text = request.query_params.get("filter")
        ids = scim_groups.filter_groups(text, members) if text else list(scim_groups.GROUPS)
        start, count = page_params(request)
        chosen = ids[start - 1:start - 1 + count]
        resources = [project(scim_groups.group_resource(g, members[g], self.base), request) for g in chosen]
        return Response(list_response(resources, len(ids), start), content_type=SCIM_CONTENT_TYPE)

    def post(self, request):
        name = self.body().get("displayName", "")
        if scim_groups.group_id_for_name(name):
            raise ScimError(409, "uniqueness", f"The group {name!r} exists; link to it instead of creating it.")
        raise ScimError(400, "invalidValue", "Groups here are the roles Students and Teachers; others cannot be made.")


class GroupView(ScimView):
    def _group(self, group_id):
        if group_id not in scim_groups.GROUPS:
            raise Http404
        return group_id

    def get(self, request, group_id):
        group_id = self._group(group_id)
        resource = scim_groups.group_resource(group_id, scim_groups.members_by_group()[group_id], self.base)
        if self.not_modified(resource["meta"]["version"]):
            return HttpResponse(status=304, headers={"ETag": resource["meta"]["version"]})
        return self.respond(resource)

    def patch(self, request, group_id):
        group_id = self._group(group_id)
        ops = scim_patch.operations(self.body())
        with transaction.atomic():
            # Lock the group's people so a concurrent membership change cannot slip between the
            # If-Match check and the role changes.
            members = scim_groups.locked_members(group_id)
            self.check_if_match(scim_groups.group_resource(group_id, members, self.base)["meta"]["version"])
            scim_groups.apply_group_operations(group_id, members, ops, actor=self.actor)
        resource = scim_groups.group_resource(group_id, scim_groups.members_by_group()[group_id], self.base)
        return self.respond(resource)

    def put(self, request, group_id):
        group_id = self._group(group_id)
        body = self.body()
        ops = [("replace", "", {"displayName": body.get("displayName", scim_groups.GROUPS[group_id][0]),
                                "members": body.get("members", [])})]
        with transaction.atomic():
            members = scim_groups.locked_members(group_id)
            self.check_if_match(scim_groups.group_resource(group_id, members, self.base)["meta"]["version"])
            scim_groups.apply_group_operations(group_id, members, ops, actor=self.actor)
        resource = scim_groups.group_resource(group_id, scim_groups.members_by_group()[group_id], self.base)
        return self.respond(resource)

    def delete(self, request, group_id):
        self._group(group_id)
        raise ScimError(400, "mutability", "Role groups cannot be deleted.")


# --- Discovery (RFC 7644 §4) ------------------------------------------------------------------

class ServiceProviderConfigView(ScimView):
    def get(self, request):
        return Response(service_provider_config(self.base), content_type=SCIM_CONTENT_TYPE)


class ResourceTypesView(ScimView):
    def get(self, request, name=None):
        types = resource_types(self.base)
        if name is not None:
            if name not in types:
                raise Http404
            return Response(types[name], content_type=SCIM_CONTENT_TYPE)
        return Response(list_response(list(types.values()), len(types), 1), content_type=SCIM_CONTENT_TYPE)


class SchemasView(ScimView):
    def get(self, request, uri=None):
        found = schemas(self.base)
        if uri is not None:
            if uri not in found:
                raise Http404
            return Response(found[uri], content_type=SCIM_CONTENT_TYPE)
        return Response(list_response(list(found.values()), len(found), 1), content_type=SCIM_CONTENT_TYPE)

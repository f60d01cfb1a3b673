"""Select the institution (schema and URLconf) for each request from its host name.

Replaces django-tenants' TenantMainMiddleware, which queries the domain table and resets the
schema and the ContentType cache on every request (PITFALLS.md). Here: a dict lookup
(tenants/directory.py), and `set_tenant` only when this connection is on another schema, so
`SET search_path` is sent once per connection and institution (TENANT_LIMIT_SET_CALLS).
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponseBadRequest, HttpResponseNotFound
from django.template.response import TemplateResponse
from django.urls import set_urlconf
from django.utils import timezone

from tenants.directory import directory


class InstitutionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.public_hosts = {h.lower() for h in settings.PLATFORM_HOSTS}

    def __call__(self, request):
        try:
            host = request.get_host().split(":")[0].lower()
        except DisallowedHost:
            return HttpResponseBadRequest("Unknown host.")

        if host in self.public_hosts:
            request.tenant = None
            if connection.schema_name != "public":
                connection.set_schema_to_public()
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return self.get_response(request)

        institution = directory.lookup(host)
        if institution is None:
            return HttpResponseNotFound("No institution answers at this address.", content_type="text/plain")

        if connection.schema_name != institution.schema_name:
            connection.set_tenant(institution)
        else:
            connection.tenant = institution
        request.tenant = institution
        if not institution.is_ready:
            response = TemplateResponse(
                request, "tenants/not_ready.html", {"institution": institution}, status=503
            )
            response["Retry-After"] = "5"
            return response
        # Dates are shown and entered in the institution's own time zone (zoneinfo caches the zone).
        with timezone.override(institution.time_zone):
            return self.get_response(request)

"""Two admin sites, one per side of the tenancy wall.

- InstitutionAdminSite (the default `admin.site`): served only by the tenant URLconf, i.e. on an
  institution's domain, showing that institution's schema.
- PlatformAdminSite: served only by the public URLconf on the platform domain, for operators.
Each refuses requests from the other side even if a URLconf were ever wired wrongly.
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin


class InstitutionAdminSite(admin.AdminSite):
    index_title = "Manage your institution"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Sign in through allauth (two-factor included), never through the admin's own form.
        self.login = secure_admin_login(super().login)

    def has_permission(self, request):
        return getattr(request, "tenant", None) is not None and super().has_permission(request)

    def each_context(self, request):
        context = super().each_context(request)
        name = request.tenant.name if getattr(request, "tenant", None) else "Scribe Tree"
        context.update(site_header=f"{name} · administration", site_title=name)
        return context


class PlatformAdminSite(admin.AdminSite):
    site_header = "Scribe Tree platform"
    site_title = "Scribe Tree platform"
    index_title = "Institutions and operators"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.login = secure_admin_login(super().login)

    def has_permission(self, request):
        return getattr(request, "tenant", "missing") is None and super().has_permission(request)


platform_site = PlatformAdminSite(name="platform_admin")

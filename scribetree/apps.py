from django.contrib.admin.apps import AdminConfig


class ScribeAdminConfig(AdminConfig):
    # The default admin site is the institution's own (served on its domain only);
    # the platform operators' site is tenants.admin.platform_site (public domain only).
    default_site = "scribetree.admin_sites.InstitutionAdminSite"

from django.contrib.admin.apps import AdminConfig


class ScribeAdminConfig(AdminConfig):
    # The default admin site is the institution's own (served on its domain only);
    # the platform operators' site is tenants.admin.platform_site (public domain only).
    default_site = "scribetree.admin_sites.InstitutionAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin.py
        from allauth.account.models import EmailAddress
        from django.contrib import admin
        from django.contrib.auth.models import Group

        # Email addresses follow the person's email and groups follow their role
        # (accounts.actions): editing either directly would bypass the actions and their audit.
        for model in (EmailAddress, Group):
            if admin.site.is_registered(model):
                admin.site.unregister(model)

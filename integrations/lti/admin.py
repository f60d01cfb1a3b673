"""The institution's LMS settings in its own admin: registrations, the tool key, the setup page.

Registered on the institution admin site only (its domain, its schema). The tool's private key is
never shown or editable: the key admin lists public keys and offers one action, rotation.
"""

import json

from django.contrib import admin, messages
from django.db import models
from django.template.response import TemplateResponse
from django.urls import path, reverse

from integrations.lti import keys
from integrations.lti.configuration import INSTRUCTIONS, canvas_json, tool_urls
from integrations.lti.models import Deployment, GradePassback, LtiIdentity, PlatformRegistration, ToolKey


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1


@admin.register(PlatformRegistration)
class PlatformRegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "lms", "issuer", "client_id", "is_active", "trust_emails"]
    list_filter = ["lms", "is_active"]
    search_fields = ["name", "issuer", "client_id"]
    inlines = [DeploymentInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "lms", "is_active"]}),
        ("From the LMS", {"fields": ["issuer", "client_id", "auth_login_url", "auth_token_url", "auth_token_audience",
                                     "key_set_url"]}),
        ("People", {"fields": ["trust_emails"]}),
    ]

    def get_urls(self):
        return [path("setup/", self.admin_site.admin_view(self.setup_view), name="integrations_lti_setup"),
                *super().get_urls()]

    def setup_view(self, request):
        """Everything an LMS admin pastes into Canvas, Moodle, Blackboard or D2L, on one page."""
        if not self.has_view_permission(request):
            raise PermissionError
        lms_names = dict(PlatformRegistration.Lms.choices)
        context = {
            **self.admin_site.each_context(request),
            "title": "Connect an LMS (LTI 1.3)",
            "urls": tool_urls(request),
            "canvas_json": json.dumps(canvas_json(request), indent=2),
            "instructions": [(lms_names[key], steps) for key, steps in INSTRUCTIONS.items()],
            "add_url": reverse("admin:integrations_lti_platformregistration_add"),
        }
        return TemplateResponse(request, "admin/integrations_lti/setup.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "setup_url": reverse("admin:integrations_lti_setup")}
        return super().changelist_view(request, extra_context)


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "status", "created_at", "retired_at"]
    fields = ["kid", "status", "public_jwk", "created_at", "retired_at"]
    readonly_fields = fields
    actions = ["rotate"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Django offers actions only on listed rows: make the first key so rotation is always offered.
        keys.active_key()
        return super().changelist_view(request, extra_context)

    @admin.action(description="Rotate: a new signing key (the current one stays published until the next rotation)")
    def rotate(self, request, queryset):
        if not request.user.is_superuser:
            self.message_user(request, "Only institution admins can rotate the LTI key.", messages.ERROR)
            return
        key = keys.rotate_tool_key()
        self.message_user(request, f"New signing key {key.kid} is active.", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen here, changed only by launches, rosters and the jobs (through their actions)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LtiIdentity)
class LtiIdentityAdmin(ReadOnlyAdmin):
    list_display = ["user", "registration", "sub", "linked_by_email", "last_launch_at"]
    list_filter = ["registration", "linked_by_email"]
    search_fields = ["user__full_name", "user__email", "sub"]
    list_select_related = ["user", "registration"]


@admin.register(GradePassback)
class GradePassbackAdmin(ReadOnlyAdmin):
    list_display = ["submission", "state", "score_given", "attempts", "last_error", "graded_at", "sent_at"]
    list_filter = ["state"]
    list_select_related = ["submission__student", "submission__assignment"]

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from scribetree.admin_sites import InstitutionAdminSite, platform_site
from tenants.actions import do_create_institution, do_retry_provisioning, do_update_institution_settings
from tenants.forms import NewInstitutionForm
from tenants.models import Domain, Institution, ProvisioningJob

SETTINGS_FIELDS = ["name", "brand_colour", "logo", "time_zone", "gdpr", "ferpa", "ccpa", "coursework_retention_days",
                   "inactive_account_retention_days", "audit_retention_days",
                   "process_data_retention_days", "export_retention_days", "guardian_consent_age"]


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Institution, site=platform_site)
class PlatformInstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "primary_domain", "created_at"]
    list_filter = ["status", "gdpr", "ferpa", "ccpa"]
    search_fields = ["name", "slug", "domains__domain"]
    readonly_fields = ["schema_name", "slug", "status", "provisioning", "created_at"]
    inlines = [DomainInline]
    actions = ["retry_provisioning"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("domains")

    @admin.display(description="Domain")
    def primary_domain(self, obj):
        return next((d.domain for d in obj.domains.all() if d.is_primary), "—")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = NewInstitutionForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["name", "slug", "domain", "admin_email", "admin_name"]}),
                    ("Jurisdictions and branding", {"fields": ["gdpr", "ferpa", "ccpa", "brand_colour"]})]
        return [(None, {"fields": ["name", "slug", "schema_name", "status", "provisioning", "created_at"]}),
                ("Settings", {"fields": SETTINGS_FIELDS[1:]})]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            changed = {name: form.cleaned_data[name] for name in form.changed_data if name in SETTINGS_FIELDS}
            do_update_institution_settings(obj, acting_user=request.user, **changed)
            return
        data = form.cleaned_data
        try:
            institution, _ = do_create_institution(
                data["name"], data["slug"], domain=data.get("domain") or None, admin_email=data["admin_email"],
                admin_name=data.get("admin_name", ""), acting_user=request.user, brand_colour=data["brand_colour"],
                gdpr=data["gdpr"], ferpa=data["ferpa"], ccpa=data["ccpa"],
            )
        except ValidationError as exc:
            raise exc
        obj.pk = institution.pk
        obj.__dict__.update({k: v for k, v in institution.__dict__.items() if not k.startswith("_")})

    @admin.display(description="Set-up progress")
    def provisioning(self, obj):
        url = reverse("platform_admin:tenants_institution_progress", args=[obj.pk])
        return format_html('<div hx-get="{}" hx-trigger="load" hx-swap="outerHTML">Loading…</div>', url)

    def get_urls(self):
        progress = self.admin_site.admin_view(self.progress_view)
        return [path("<int:pk>/progress/", progress, name="tenants_institution_progress"), *super().get_urls()]

    def progress_view(self, request, pk):
        job = get_object_or_404(ProvisioningJob.objects.select_related("institution"), institution_id=pk)
        return TemplateResponse(request, "tenants/provisioning_progress.html", {"job": job})

    @admin.action(description="Retry set-up of the selected institutions")
    def retry_provisioning(self, request, queryset):
        for job in ProvisioningJob.objects.filter(institution__in=queryset).exclude(state=ProvisioningJob.State.DONE):
            do_retry_provisioning(job, acting_user=request.user)


class InstitutionSettingsAdmin(admin.ModelAdmin):
    """An institution admin edits their own institution's settings, and nothing else of `public`."""

    fields = SETTINGS_FIELDS
    list_display = ["name", "jurisdiction_list"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk=request.tenant.pk)

    @admin.display(description="Jurisdictions")
    def jurisdiction_list(self, obj):
        return ", ".join(obj.jurisdictions) or "—"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        do_update_institution_settings(obj, acting_user=request.user, **changed)


def register_institution_settings(site: InstitutionAdminSite):
    site.register(Institution, InstitutionSettingsAdmin)


register_institution_settings(admin.site)

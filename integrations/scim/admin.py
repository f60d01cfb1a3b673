from django.contrib import admin
from django.template.response import TemplateResponse

from integrations.scim.actions import do_create_scim_token, do_revoke_scim_token
from integrations.scim.models import ScimToken


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    """Tokens for the identity provider. The token itself is shown once, on the page after creation,
    rendered straight into that response (never put in a message, which would sit in a cookie)."""

    list_display = ["name", "prefix", "created_by", "created_at", "last_used_at", "status"]
    fields = ["name"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["name"] if obj is None else ["name", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["name", *self.readonly_fields]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    @admin.display(description="Status")
    def status(self, obj):
        return "active" if obj.is_active else f"revoked {obj.revoked_at:%Y-%m-%d %H:%M}"

    def save_model(self, request, obj, form, change):
        if change:
            return  # tokens are never edited; revoke and make a new one
        token, raw = do_create_scim_token(form.cleaned_data["name"], acting_user=request.user)
        obj.pk = token.pk
        request._scim_raw_token = raw

    def save_related(self, request, form, formsets, change):
        pass

    def response_add(self, request, obj, post_url_continue=None):
        raw = getattr(request, "_scim_raw_token", None)
        context = {**self.admin_site.each_context(request), "token": obj, "raw_token": raw,
                   "scim_url": request.build_absolute_uri("/scim/v2/"), "opts": self.model._meta,
                   "title": "SCIM token created"}
        response = TemplateResponse(request, "integrations/scim/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens stay listed (who made them, when last used)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            do_revoke_scim_token(token, acting_user=request.user)

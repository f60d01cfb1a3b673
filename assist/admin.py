"""The institution's ceiling for the writing assistant, in the institution's admin (one row).

Saves go through assist.actions.do_update_policy (audited, the key sealed); the sealed key is
never shown: the list says only whether one is set. There is one policy per institution: "add" when
one exists updates it (do_update_policy), so the admin's menu needs no query to decide whether to
offer "add" (it is built on every admin page, whose query counts are pinned)."""

from django.contrib import admin

from assist.forms import AssistPolicyForm
from assist.models import AssistPolicy


@admin.register(AssistPolicy)
class AssistPolicyAdmin(admin.ModelAdmin):
    form = AssistPolicyForm
    list_display = ["__str__", "enabled", "provider", "model", "has_key"]
    fieldsets = [(None, {"fields": ["enabled", "allowed"]}),
                 ("Provider", {"fields": ["provider", "base_url", "model", "api_key", "clear_key"]}),
                 ("Redaction", {"fields": ["redact_terms"]})]

    @admin.display(boolean=True, description="API key set")
    def has_key(self, obj):
        return obj.has_key

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = form.save_through_action(request.user).pk

    def save_related(self, request, form, formsets, change):
        pass

from django.contrib import admin

from accounts.actions import (
    do_change_role,
    do_create_user,
    do_deactivate_user,
    do_reactivate_user,
    do_update_person,
)
from accounts.forms import PersonForm
from accounts.models import User
from scribetree.admin_sites import platform_site

DETAIL_FIELDS = {"email", "full_name", "preferred_name", "student_number"}


@admin.register(User)
class PersonAdmin(admin.ModelAdmin):
    """People of this institution. Every save goes through accounts.actions (audited)."""

    form = PersonForm
    list_display = ["full_name", "email", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["full_name", "email", "student_number"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [(None, {"fields": ["email", "full_name", "preferred_name", "student_number", "role", "is_active"]}),
                 ("History", {"fields": ["last_login", "date_joined"]})]
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = do_create_user(data["email"], data["full_name"], data["role"],
                                     student_number=data["student_number"], acting_user=request.user)
            obj.pk = created.pk
            return
        person = User.objects.get(pk=obj.pk)
        details = {name: data[name] for name in form.changed_data if name in DETAIL_FIELDS}
        if details:
            do_update_person(person, acting_user=request.user, **details)
        if "role" in form.changed_data:
            do_change_role(person, data["role"], acting_user=request.user)
        if "is_active" in form.changed_data:
            (do_reactivate_user if data["is_active"] else do_deactivate_user)(person, acting_user=request.user)

    def save_related(self, request, form, formsets, change):
        pass  # groups follow the role (accounts.actions); nothing else is related

    def has_delete_permission(self, request, obj=None):
        return False  # people are erased through a privacy request, never by a delete button

    @admin.action(description="Deactivate and sign out the selected people")
    def deactivate(self, request, queryset):
        for person in queryset:
            do_deactivate_user(person, acting_user=request.user)


@admin.register(User, site=platform_site)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "is_active", "last_login"]
    fields = ["email", "full_name", "is_active"]

    def has_add_permission(self, request):
        return False  # operators are created with `manage.py createsuperuser`

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""The privacy office in the institution's admin: requests (review, comments, decisions), the audit
trail per person (page and CSV), legal holds, notices and guardian links. Every save calls
privacy.actions (audited); nothing here writes to the database directly."""

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.models import User
from privacy.actions import (
    do_comment_on_request,
    do_complete_request,
    do_create_notice,
    do_decide_request,
    do_link_guardian,
    do_place_legal_hold,
    do_publish_notice,
    do_release_legal_hold,
    do_resume_job,
)
from privacy.audit import audit_trail
from privacy.models import GuardianLink, LegalHold, PrivacyJob, PrivacyNotice, PrivacyRequest, RequestComment

AUDIT_TRAIL_LIMIT = 500


class RequestCommentInline(admin.TabularInline):
    model = RequestComment
    extra = 1
    fields = ["created_at", "author", "body"]
    readonly_fields = ["created_at", "author"]

    def has_change_permission(self, request, obj=None):
        return False  # comments are a record: added, never edited

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionForm(forms.ModelForm):
    DECISIONS = [("", "—"), ("approve", "Approve"), ("reject", "Reject"),
                 ("complete", "Mark done (rectification or restriction)")]
    decision = forms.ChoiceField(choices=DECISIONS, required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Told to the person. Required to reject; for 'mark done', what was done.")

    class Meta:
        model = PrivacyRequest
        fields = []


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    form = DecisionForm
    list_display = ["__str__", "subject", "kind", "state", "due_at", "overdue"]
    list_filter = ["state", "kind"]
    search_fields = ["subject__full_name", "subject__email"]
    list_select_related = ["subject"]
    inlines = [RequestCommentInline]
    actions = ["resume_jobs"]
    readonly_fields = ["subject", "filed_by", "kind", "state", "details", "identity", "jurisdictions", "due_at",
                       "decided_by", "decided_at", "decision_note", "job_status", "outcome", "audit_trail_link",
                       "created_at", "completed_at"]
    fieldsets = [
        (None, {"fields": ["subject", "kind", "state", "details", "filed_by", "identity", "created_at",
                           "jurisdictions", "due_at"]}),
        ("Decision", {"fields": ["decision", "note", "decided_by", "decided_at", "decision_note"]}),
        ("What was done", {"fields": ["job_status", "completed_at", "outcome", "audit_trail_link"]}),
    ]

    def has_add_permission(self, request):
        return False  # filed from the privacy page or the privacy office's "on behalf" form

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    @admin.display(description="Identity check")
    def identity(self, obj):
        if obj.identity_verified_at is None:
            return "None (filed by the retention job)"
        return f"{obj.identity_method} at {obj.identity_verified_at:%Y-%m-%d %H:%M}"

    @admin.display(description="Job")
    def job_status(self, obj):
        job = PrivacyJob.objects.filter(request=obj).first()
        if job is None:
            return "—"
        text = f"{job.get_state_display()}, {job.progress_percent} %, attempt {job.attempts}/{job.MAX_ATTEMPTS}"
        if job.duration_ms is not None:
            text += f", {job.duration_ms} ms"
        return f"{text}. Error: {job.error}" if job.error else text

    @admin.display(description="Audit trail")
    def audit_trail_link(self, obj):
        url = reverse("admin:privacy_audit_trail", args=[obj.subject_id])
        return format_html('<a href="{}">Audit trail of this person</a> (<a href="{}.csv">CSV</a>)', url, url[:-1])

    def save_model(self, request, obj, form, change):
        decision, note = form.cleaned_data.get("decision"), form.cleaned_data.get("note", "")
        try:
            if decision in ("approve", "reject"):
                do_decide_request(obj, approve=decision == "approve", note=note, acting_user=request.user)
            elif decision == "complete":
                do_complete_request(obj, summary=note, acting_user=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", ["Not allowed."])))

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form.instance.pk is None and inline_form.cleaned_data.get("body"):
                do_comment_on_request(form.instance, inline_form.cleaned_data["body"], acting_user=request.user)

    @admin.action(description="Send the selected requests' failed or stuck jobs again")
    def resume_jobs(self, request, queryset):
        for job in PrivacyJob.objects.filter(request__in=queryset).exclude(state=PrivacyJob.State.DONE):
            do_resume_job(job, acting_user=request.user)

    # --- The audit trail of one person ----------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("audit/<int:user_id>/", view(self.audit_trail_view), name="privacy_audit_trail"),
                path("audit/<int:user_id>.csv", view(self.audit_trail_csv), name="privacy_audit_trail_csv"),
                *super().get_urls()]

    def _trail(self, request, user_id):
        if not request.user.has_perm("auditlog.view_logentry"):
            raise PermissionDenied
        person = get_object_or_404(User, pk=user_id)
        return person, audit_trail(person)

    def audit_trail_view(self, request, user_id):
        person, entries = self._trail(request, user_id)
        return TemplateResponse(request, "privacy/admin_audit_trail.html", {
            **self.admin_site.each_context(request), "title": f"Audit trail: {person}", "person": person,
            "entries": entries[:AUDIT_TRAIL_LIMIT], "limit": AUDIT_TRAIL_LIMIT, "opts": self.model._meta})

    def audit_trail_csv(self, request, user_id):
        person, entries = self._trail(request, user_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-trail-{person.pk}.csv"'
        writer = csv.writer(response)
        writer.writerow(["timestamp", "action", "object type", "object id", "object", "actor", "changes"])
        for entry in entries.iterator(chunk_size=1000):
            writer.writerow([entry.timestamp.isoformat(), entry.get_action_display(), entry.content_type.model,
                             entry.object_pk, _cell(entry.object_repr),
                             _cell(str(entry.actor or entry.actor_email or "system")),
                             _cell(entry.changes_str if entry.changes else "")])
        return response


def _cell(value):
    """No spreadsheet formulas from user-controlled text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class HoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ["subject", "course", "reason"]


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    form = HoldForm
    list_display = ["__str__", "subject", "course", "reason", "placed_at", "released_at"]
    list_select_related = ["subject", "course"]
    actions = ["release"]

    def get_readonly_fields(self, request, obj=None):
        return ["subject", "course", "reason", "placed_by", "placed_at", "released_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            hold = do_place_legal_hold(subject=form.cleaned_data["subject"], course=form.cleaned_data["course"],
                                       reason=form.cleaned_data["reason"], acting_user=request.user)
            obj.pk = hold.pk

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Release the selected holds")
    def release(self, request, queryset):
        for hold in queryset.filter(released_at__isnull=True):
            do_release_legal_hold(hold, acting_user=request.user)


class NoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ["title", "body", "requires_acceptance"]


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    form = NoticeForm
    list_display = ["__str__", "state", "requires_acceptance", "published_at"]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        return ["title", "body", "requires_acceptance", "state", "published_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            notice = do_create_notice(form.cleaned_data["body"], title=form.cleaned_data["title"],
                                      requires_acceptance=form.cleaned_data["requires_acceptance"],
                                      acting_user=request.user)
            obj.pk = notice.pk

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Publish the selected draft (archives the current notice)")
    def publish(self, request, queryset):
        for notice in queryset:
            try:
                do_publish_notice(notice, acting_user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))


class GuardianForm(forms.ModelForm):
    class Meta:
        model = GuardianLink
        fields = ["guardian", "student", "relationship", "student_birth_date"]


@admin.register(GuardianLink)
class GuardianLinkAdmin(admin.ModelAdmin):
    form = GuardianForm
    list_display = ["__str__", "guardian", "student", "relationship"]
    list_select_related = ["guardian", "student"]

    def get_readonly_fields(self, request, obj=None):
        return ["guardian", "student", "relationship", "student_birth_date"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            data = form.cleaned_data
            try:
                link = do_link_guardian(data["guardian"], data["student"], acting_user=request.user,
                                        student_birth_date=data["student_birth_date"],
                                        relationship=data["relationship"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return
            obj.pk = link.pk

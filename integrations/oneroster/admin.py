from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from integrations.oneroster.actions import do_confirm_roster_import, do_discard_roster_import, do_start_roster_import
from integrations.oneroster.applier import progress_key
from integrations.oneroster.models import RosterImport
from integrations.oneroster.planner import SHOWN, Plan


class RosterUploadForm(forms.ModelForm):
    roster = forms.FileField(label="OneRoster CSV zip", help_text="The export of your student information system "
                             "(OneRoster 1.1 or 1.2, CSV, bulk or delta). Nothing changes until you confirm.")

    class Meta:
        model = RosterImport
        fields = []

    def clean_roster(self):
        upload = self.cleaned_data["roster"]
        if upload.size > settings.ONEROSTER_MAX_UPLOAD_BYTES:
            raise ValidationError(f"The file is larger than {settings.ONEROSTER_MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        if not upload.name.lower().endswith(".zip"):
            raise ValidationError("Upload the .zip file your student information system exported.")
        return upload


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    """Upload a roster, watch it being read, review what it would change, confirm or discard it."""

    form = RosterUploadForm
    list_display = ["file_name", "state", "mode", "created_by", "created_at", "finished_at"]
    list_filter = ["state"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data", "plan").select_related("created_by")

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["roster"]
        job = do_start_roster_import(upload.name, upload.read(), acting_user=request.user)
        obj.pk = job.pk

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:integrations_oneroster_rosterimport_change", args=[obj.pk]))

    def has_delete_permission(self, request, obj=None):
        return False  # imports are the record of what changed; discard keeps the row, drops the file

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/progress/", wrap(self.progress_view), name="integrations_oneroster_rosterimport_progress"),
            path("<int:pk>/confirm/", wrap(require_POST(self.confirm_view)),
                 name="integrations_oneroster_rosterimport_confirm"),
            path("<int:pk>/discard/", wrap(require_POST(self.discard_view)),
                 name="integrations_oneroster_rosterimport_discard"),
            *super().get_urls(),
        ]

    def _job(self, request, pk, change=False):
        if not str(pk).isdigit():
            raise Http404
        # admin_view only checks that this is staff of this institution; a privacy officer is staff too.
        if not (self.has_change_permission(request) if change else self.has_view_permission(request)):
            raise PermissionDenied
        return get_object_or_404(RosterImport.objects.defer("data"), pk=pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, object_id)
        plan = job.plan or {}
        sections = [(name.replace("_", " ").capitalize(), plan.get(name, [])[:SHOWN], len(plan.get(name, [])))
                    for name in Plan.CHANGE_LISTS]
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "job": job, "title": str(job),
            "sections": sections, "errors": plan.get("errors", [])[:200], "error_count": len(plan.get("errors", [])),
            "skipped": plan.get("skipped", [])[:SHOWN], "skipped_count": len(plan.get("skipped", [])),
            "can_confirm": job.state == RosterImport.State.PLANNED and not plan.get("errors"),
            "can_discard": job.state in {RosterImport.State.PLANNED, RosterImport.State.FAILED},
            "shown": SHOWN, "has_changes": any(total for _, _, total in sections),
        }
        return TemplateResponse(request, "integrations/oneroster/import_detail.html", context)

    def progress_view(self, request, pk):
        job = self._job(request, pk)
        progress = job.progress
        if job.state == RosterImport.State.APPLYING:
            progress = cache.get(progress_key(job.pk), 0)
        response = TemplateResponse(request, "integrations/oneroster/progress.html",
                                    {"job": job, "progress": progress})
        if request.GET.get("was") and request.GET["was"] != job.state:
            response["HX-Refresh"] = "true"  # the job moved on: reload to show the review or the result
        return response

    def confirm_view(self, request, pk):
        job = self._job(request, pk, change=True)
        try:
            do_confirm_roster_import(job, acting_user=request.user)
            messages.success(request, "Confirmed: the roster is being applied.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("admin:integrations_oneroster_rosterimport_change", args=[pk]))

    def discard_view(self, request, pk):
        job = self._job(request, pk, change=True)
        try:
            do_discard_roster_import(job, acting_user=request.user)
            messages.success(request, "Discarded: nothing was changed.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("admin:integrations_oneroster_rosterimport_change", args=[pk]))

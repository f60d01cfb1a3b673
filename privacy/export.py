"""Export of one person's data (right of access / portability), driven by the registry.

Design note (read before changing)
- What can go wrong: the zip misses a table (the registry test makes every model declared, and
  every `exported` declaration is written here through its owner paths); it includes someone
  else's data beyond what concerns the person (owner paths only; reviewers of the person's work
  appear as ids, never names, like the anonymous peer-review pages); the link is used by someone
  else (the download view checks the signed-in person is the subject or the filer, the random
  token, and the expiry; every download is access-logged); the file outlives its purpose
  (retention deletes it after the institution's export period; erasure deletes it at once).
- Layout of the zip: `data/<app.Model>.json` (machine-readable rows, all columns except secrets),
  `revisions/<submission>/revision-NNNN.txt` (the original text of every revision, rebuilt from
  the stored splices in one pass per submission), `index.html` (human-readable overview).
- The job records a step per table, so the page's progress bar moves; a job resumed after a crash
  builds the zip again from the start (it is idempotent and takes well under its 2 s budget,
  bench/privacy_jobs.py), then records the file and the link in the same transaction.
- Adding a model or a field: declare it in privacy/registry.py with `exported=True` and its owner
  path; it appears here without code. Binary fields are left out (say in the index how to get
  them), secrets are listed in SECRET_FIELDS.
"""

import io
import json
import zipfile

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from coursework import revisions as revision_codec
from coursework.models import Revision, Submission
from privacy import jobs, registry
from privacy.models import PrivacyJob

SECRET_FIELDS = {"accounts.User": {"password"}, "mfa.Authenticator": {"data"},
                 "privacy.PrivacyJob": {"download_token", "scratch"}}


def exported_models():
    tables = set(connection.introspection.table_names())
    out = []
    for label, declaration in registry.REGISTRY.items():
        if not declaration.exported:
            continue
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if model._meta.db_table in tables:
            out.append((model, declaration))
    return out


def rows_for(model, declaration, user):
    if model is User:
        qs = User.objects.filter(pk=user.pk)
    else:
        condition = Q()
        for path in declaration.owner_paths:
            condition |= Q(**{path: user.pk})
        qs = model._default_manager.filter(condition).distinct()
    hidden = SECRET_FIELDS.get(model._meta.label, set())
    names = [f.attname for f in model._meta.concrete_fields
             if f.attname not in hidden and f.get_internal_type() != "BinaryField"]
    return list(qs.order_by("pk").values(*names))


def revision_texts(user):
    """{submission: [(number, created_at, text)]}, rebuilt incrementally (one pass per submission)."""
    out = {}
    submissions = {s.pk: s for s in Submission.objects.filter(student=user).select_related("assignment")}
    current, text = None, None
    rows = (Revision.objects.filter(submission__student=user)
            .order_by("submission_id", "number")
            .only("submission_id", "number", "created_at", "keyframe", "data", "prefix", "suffix"))
    for row in rows.iterator(chunk_size=2000):
        if row.submission_id != current:
            current, text = row.submission_id, None
        text = revision_codec.rebuild([row]) if row.keyframe else revision_codec.apply_splice(
            text, row.prefix, row.suffix, bytes(row.data).decode())
        out.setdefault(submissions[row.submission_id], []).append((row.number, row.created_at, text))
    return out


def build_zip(job, user, *, on_progress=None):
    buffer = io.BytesIO()
    tables = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for model, declaration in exported_models():
            rows = rows_for(model, declaration, user)
            name = f"data/{model._meta.label}.json"
            archive.writestr(name, json.dumps({"model": model._meta.label, "purpose": declaration.purpose,
                                               "lawful_basis": declaration.lawful_basis,
                                               "retention": declaration.retention, "rows": rows},
                                              cls=DjangoJSONEncoder, ensure_ascii=False, indent=1))
            tables.append({"label": model._meta.label, "name": model._meta.verbose_name_plural, "file": name,
                           "rows": len(rows), "purpose": declaration.purpose,
                           "lawful_basis": declaration.lawful_basis})
            if on_progress:
                on_progress(f"table:{model._meta.label}")
        works = []
        for submission, versions in revision_texts(user).items():
            folder = f"revisions/{submission.pk}-{slugify(submission.assignment.title)[:40] or 'work'}"
            for number, created_at, text in versions:
                entry = zipfile.ZipInfo(f"{folder}/revision-{number:04d}.txt", created_at.timetuple()[:6])
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, text)
            works.append({"title": submission.assignment.title, "folder": folder, "count": len(versions),
                          "last": versions[-1][0] if versions else None})
        if on_progress:
            on_progress("revisions")
        archive.writestr("index.html", render_to_string("privacy/export_index.html", {
            "person": user, "tables": tables, "works": works, "generated_at": timezone.now(),
            "institution": connection.tenant}))
    return buffer.getvalue()


def steps_for():
    return [f"table:{m._meta.label}" for m, _ in exported_models()] + ["revisions", "package"]


def run(job_id):
    from privacy.actions import finish_request_from_job

    def body(job):
        user = User.objects.get(pk=job.request.subject_id)
        steps = steps_for()
        PrivacyJob.objects.filter(pk=job.pk).update(total_steps=len(steps), completed_steps=[])
        done = []

        def progress(step):
            # Progress only (the htmx page polls it); the zip is rebuilt whole if the job restarts.
            done.append(step)
            PrivacyJob.objects.filter(pk=job.pk).update(completed_steps=list(done))

        data = build_zip(job, user, on_progress=progress)
        name = f"privacy-exports/{job.pk}-{PrivacyJob.new_token()[:16]}.zip"
        stored = default_storage.save(name, ContentFile(data))
        now = timezone.now()
        with transaction.atomic():
            old = PrivacyJob.objects.select_for_update().get(pk=job.pk).file_name
            if old and old != stored and default_storage.exists(old):
                default_storage.delete(old)
            job.completed_steps = [*done, "package"]
            jobs.finish(job, file_name=stored, file_size=len(data), download_token=PrivacyJob.new_token(),
                        expires_at=PrivacyJob.expiry_from(now, connection.tenant), completed_steps=job.completed_steps)
            finish_request_from_job(job, ok=True, outcome={
                "result": "exported", "file_size": len(data), "expires_at": job.expires_at.isoformat(),
                "tables": len(steps) - 2})

    return jobs.guarded(job_id, body)

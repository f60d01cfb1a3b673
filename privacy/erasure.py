"""Erasure of one person, driven by the personal-data registry, step by step.

Design note (read before changing)
- What can go wrong: a worker dies half-way (half a person left); a record under legal hold is
  deleted; the person survives somewhere we did not think of (the audit log's `changes`, an
  `object_repr`, an export zip, a cached value, a session); a big table is deleted through
  Django's Python-side cascade (slow, loads every id); the audit trail itself is destroyed.
- How this module answers: the job walks named steps (privacy/jobs.py), each in one transaction
  recorded on the PrivacyJob row, so a killed worker resumes after the last finished step and
  the person is never left half-erased once the job ends. Legal holds are read once (step
  `collect`) and every later step excludes held rows; the certificate lists them as kept with the
  hold's reason. Rows are deleted children-first with batched SQL (`DELETE ... WHERE id = ANY`),
  M2M rows first. The audit log is pseudonymised, not deleted: rows about the person's objects
  lose their values and representation, rows they made keep the tombstone actor (an anonymised
  account) and lose e-mail and address. The account row is kept as a tombstone (grades stay
  consistent for the class, foreign keys stay valid) with every personal field replaced.
  Erasure does not write auditlog entries of its own (its updates are raw SQL): the request, its
  comments and the certificate are the record, made by the approving officer's action.
- tests/privacy/test_erasure_canary.py plants markers in every personal field and scans every
  text/json/bytea column of the schema (zlib revision data decompressed), file storage and the
  cache afterwards: 0 markers may survive outside what the certificate says was kept.
- Adding a model or a field: declare it in privacy/registry.py with its owner path(s) and rule;
  ERASE models are picked up here automatically (ordered children-first by their foreign keys).
  If your model stores the person somewhere a lookup cannot reach (free text naming them, a
  cache key, a file), add it to a step here and give the canary test a marker for it.
"""

import hashlib
import hmac
import logging
from collections import defaultdict
from importlib import import_module

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from accounts.backends import forget_user
from accounts.models import User
from privacy import jobs, registry
from privacy.models import LegalHold, PrivacyJob

log = logging.getLogger(__name__)

# Rows per DELETE/UPDATE statement. Measured (bench/privacy_jobs.py): erasing a student with
# 20 assignments x 100 revisions (2,062 rows in all) takes ~0.35 s of job time, so one 5,000-id
# statement holds its row locks well under a second; a 5,000-row audit DELETE measured ~110 ms.
BATCH = 5000
ERASED_NAME = "Erased person"
ERASED_DOMAIN = "erased.invalid"
REDACTED = "[erased]"


def pseudonym_for(user_id):
    """Stable per person and institution, not reversible without SECRET_KEY."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{connection.schema_name}:{user_id}".encode(), hashlib.sha256)
    return f"erased-person-{digest.hexdigest()[:12]}"


def person_cache_keys(user_id):
    """Every cache key that may hold a copy of this person's data (tenant-prefixed by the cache)."""
    from accounts.backends import user_key
    from coursework.freshness import home_key
    from privacy.tasks import analytics_cache_key

    return [analytics_cache_key(user_id), home_key(user_id), user_key(user_id)]


# --- What the registry says --------------------------------------------------------------------------

def _tables_here():
    return set(connection.introspection.table_names())


def _declared_models(rule):
    tables = _tables_here()
    out = []
    for label, declaration in registry.REGISTRY.items():
        if declaration.on_erasure != rule or not declaration.owner_paths:
            continue
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if model._meta.db_table in tables:
            out.append((model, declaration))
    return out


def erase_order():
    """ERASE models, each before any model it has a foreign key to (children first)."""
    models = {m: d for m, d in _declared_models(registry.ERASE) if m is not User}
    ordered, seen = [], set()

    def visit(model):
        if model in seen:
            return
        seen.add(model)
        # Everything that points at this model must go first (one-to-one keys too: a child found
        # through its parent's owner path is not found once the parent is gone).
        for other in models:
            if other is not model and any(
                    (f.many_to_one or f.one_to_one) and f.related_model is model for f in other._meta.concrete_fields):
                visit(other)
        ordered.append(model)

    for model in sorted(models, key=lambda m: m._meta.label):
        visit(model)
    return [(m, models[m]) for m in ordered]


def owned_rows(model, declaration, user_id, *, held_courses=()):
    condition = Q()
    for path in declaration.owner_paths:
        condition |= Q(**{path: user_id})
    qs = model._default_manager.filter(condition)
    kept = model._default_manager.none()
    if held_courses and declaration.course_path:
        kept = qs.filter(**{f"{declaration.course_path}__in": held_courses})
        qs = qs.exclude(**{f"{declaration.course_path}__in": held_courses})
    return qs, kept


def delete_ids(model, ids):
    """Batched SQL delete of `ids` of `model`, its M2M rows first. Returns rows deleted."""
    table = connection.ops.quote_name(model._meta.db_table)
    deleted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            chunk = list(ids[start:start + BATCH])
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                column = field.m2m_column_name()
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(through._meta.db_table)} "
                               f"WHERE {connection.ops.quote_name(column)} = ANY(%s)", [chunk])
            cursor.execute(f"DELETE FROM {table} WHERE {connection.ops.quote_name(model._meta.pk.column)} = ANY(%s)",
                           [chunk])
            deleted += cursor.rowcount
    return deleted


# --- The steps ---------------------------------------------------------------------------------------

def steps_for():
    return (["collect", "sessions", "files"]
            + [f"erase:{m._meta.label}" for m, _ in erase_order()]
            + ["anonymise", "audit", "account", "cache", "certificate"])


def _step_collect(job, user):
    holds = list(LegalHold.objects.filter(released_at__isnull=True).filter(
        Q(subject=user) | Q(course__enrolments__student=user) | Q(course__teachers=user)).distinct())
    person_hold = next((h for h in holds if h.subject_id == user.pk), None)
    # Objects of the person's that the audit log may mention: collected now, before they are gone.
    owned = defaultdict(list)
    for model, declaration in [*_declared_models(registry.ERASE), *_declared_models(registry.ANONYMISE),
                               *_declared_models(registry.KEEP)]:
        if not auditlog.contains(model):
            continue
        ct = ContentType.objects.get_for_model(model)
        condition = Q()
        for path in declaration.owner_paths:
            condition |= Q(**{path: user.pk})
        owned[str(ct.pk)] = [str(pk) for pk in model._default_manager.filter(condition).values_list("pk", flat=True)]
    owned[str(ContentType.objects.get_for_model(User).pk)] = [str(user.pk)]
    job.scratch = {
        "person_hold": {"id": person_hold.pk, "reason": person_hold.reason} if person_hold else None,
        "held_courses": sorted({h.course_id for h in holds if h.course_id}),
        "hold_reasons": {str(h.course_id): h.reason for h in holds if h.course_id},
        "owned": owned,
        "erased": {}, "anonymised": {}, "kept": [],
    }


def _step_sessions(job, user):
    from accounts.actions import end_sessions_of

    end_sessions_of(user)
    # allauth's UserSession rows only list sessions started through its login flow; a session made
    # any other way (an admin's login-as, a test client) is found by decoding the live sessions.
    # ~20 us each: 10,000 live sessions cost ~0.2 s, once per erasure.
    from django.contrib.sessions.models import Session

    stale = [s.session_key for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000)
             if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)]
    # Through the session engine, not a bulk delete: with cached sessions (a shared cache) the
    # copy in the cache must go too.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in stale:
        store(session_key=key).delete()
    job.scratch["sessions_ended"] = True


def _step_files(job, user):
    removed = 0
    for export in PrivacyJob.objects.filter(request__subject=user, kind=PrivacyJob.Kind.EXPORT).exclude(file_name=""):
        if default_storage.exists(export.file_name):
            default_storage.delete(export.file_name)
            removed += 1
        PrivacyJob.objects.filter(pk=export.pk).update(file_name="", download_token="", file_size=0)
    job.scratch["files_removed"] = removed


def _step_erase(job, user, model, declaration):
    if job.scratch["person_hold"]:
        count = owned_rows(model, declaration, user.pk)[0].count()
        if count:
            job.scratch["kept"].append({"model": model._meta.label, "rows": count,
                                        "reason": f"Legal hold: {job.scratch['person_hold']['reason']}"})
        return
    qs, kept = owned_rows(model, declaration, user.pk, held_courses=job.scratch["held_courses"])
    ids = list(qs.values_list("pk", flat=True).distinct())
    if ids:
        job.scratch["erased"][model._meta.label] = delete_ids(model, ids)
    held = kept.count() if declaration.course_path and job.scratch["held_courses"] else 0
    if held:
        reasons = "; ".join(sorted(set(job.scratch["hold_reasons"].values())))
        job.scratch["kept"].append({"model": model._meta.label, "rows": held,
                                    "reason": f"Legal hold on a course: {reasons}"})


def _step_anonymise(job, user):
    for model, declaration in _declared_models(registry.ANONYMISE):
        if model in (User, LogEntry) or not declaration.anonymise_fields:
            continue
        qs, _ = owned_rows(model, declaration, user.pk)
        ids = list(qs.values_list("pk", flat=True))
        values = {}
        for name in declaration.anonymise_fields:
            field = model._meta.get_field(name)
            values[field.name] = None if field.null else ""
        for start in range(0, len(ids), BATCH):
            model._default_manager.filter(pk__in=ids[start:start + BATCH]).update(**values)
        if ids:
            job.scratch["anonymised"][model._meta.label] = len(ids)
    # Django admin's own history about the person (their name in object_repr).
    user_ct = ContentType.objects.get_for_model(User)
    admin_rows = AdminLogEntry.objects.filter(content_type=user_ct, object_id=str(user.pk)).update(
        object_repr=pseudonym_for(user.pk), change_message="")
    if admin_rows:
        job.scratch["anonymised"]["admin.LogEntry (about the person)"] = admin_rows


def _step_audit(job, user):
    """Pseudonymise the person in auditlog's rows (kept: they prove who changed grades)."""
    pseudonym = pseudonym_for(user.pk)
    table = LogEntry._meta.db_table
    redacted_changes = ("CASE WHEN jsonb_typeof(changes) = 'object' THEN "
                        "(SELECT jsonb_object_agg(key, %s::jsonb) FROM jsonb_each(changes)) ELSE NULL END")
    about = 0
    with connection.cursor() as cursor:
        for ct_id, pks in job.scratch["owned"].items():
            for start in range(0, len(pks), BATCH):
                cursor.execute(
                    f"UPDATE {table} SET object_repr = %s, changes = {redacted_changes}, changes_text = '', "
                    f"serialized_data = NULL, additional_data = NULL, remote_addr = NULL "
                    f"WHERE content_type_id = %s AND object_pk = ANY(%s)",
                    [pseudonym, f'["{REDACTED}", "{REDACTED}"]', int(ct_id), pks[start:start + BATCH]])
                about += cursor.rowcount
        cursor.execute(f"UPDATE {table} SET actor_email = %s, remote_addr = NULL WHERE actor_id = %s",
                       [pseudonym, user.pk])
        by = cursor.rowcount
        # Safety net: the person's name or address inside other rows (an m2m change listing them).
        swept = 0
        for needle in _needles(user):
            cursor.execute(
                f"UPDATE {table} SET object_repr = replace(object_repr, %s, %s), "
                f"changes = replace(changes::text, %s, %s)::jsonb, changes_text = replace(changes_text, %s, %s) "
                f"WHERE object_repr LIKE %s OR changes::text LIKE %s OR changes_text LIKE %s",
                [needle, pseudonym, needle, pseudonym, needle, pseudonym, *[f"%{_like(needle)}%"] * 3])
            swept += cursor.rowcount
        # The kept request records: the person's name or address in their free text (a rectification
        # saying "my name is ...") is replaced by the pseudonym too.
        kept_texts = 0
        for needle in _needles(user):
            cursor.execute("UPDATE privacy_privacyrequest SET details = replace(details, %s, %s), "
                           "decision_note = replace(decision_note, %s, %s), "
                           "outcome = replace(outcome::text, %s, %s)::jsonb WHERE subject_id = %s",
                           [needle, pseudonym] * 3 + [user.pk])
            cursor.execute("UPDATE privacy_requestcomment SET body = replace(body, %s, %s) WHERE request_id IN "
                           "(SELECT id FROM privacy_privacyrequest WHERE subject_id = %s) AND body LIKE %s",
                           [needle, pseudonym, user.pk, f"%{_like(needle)}%"])
            kept_texts += cursor.rowcount
    job.scratch["audit"] = {"about_the_person": about, "made_by_the_person": by, "mentions_replaced": swept,
                            "request_texts_replaced": kept_texts}


def _needles(user):
    """The person's identifying strings worth replacing in free text (short ones would hit other words)."""
    return [n for n in {user.full_name, user.email, user.preferred_name, user.student_number}
            if len(n or "") >= 5 and '"' not in n and "\\" not in n]


def _like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _step_account(job, user):
    if job.scratch["person_hold"]:
        job.scratch["kept"].append({"model": "accounts.User", "rows": 1,
                                    "reason": f"Legal hold: {job.scratch['person_hold']['reason']}"})
        User.objects.filter(pk=user.pk).update(is_active=False)
        forget_user(user.pk)  # .update() sends no signal
        return
    pseudonym = pseudonym_for(user.pk)
    with connection.cursor() as cursor:
        for field in User._meta.many_to_many:  # groups, permissions: not personal, but tie the tombstone
            cursor.execute(f"DELETE FROM {field.remote_field.through._meta.db_table} "
                           f"WHERE {field.m2m_column_name()} = %s", [user.pk])
    # .update(): a save() would make auditlog write the old e-mail and name into a new log row.
    User.objects.filter(pk=user.pk).update(
        email=f"{pseudonym}@{ERASED_DOMAIN}", full_name=ERASED_NAME, preferred_name="", student_number="",
        last_login=None, password=make_password(None), is_active=False, is_staff=False, is_superuser=False)
    forget_user(user.pk)  # .update() sends no signal
    job.scratch["anonymised"]["accounts.User"] = 1


def _step_cache(job, user):
    from coursework import freshness

    cache.delete_many(person_cache_keys(user.pk))
    freshness.forget_all(purge=True)  # cached course pages (teacher dashboards) show the person's name
    job.scratch["cache_cleared"] = True


def _step_certificate(job, user):
    s = job.scratch
    kept = list(s["kept"])
    for model, declaration in _declared_models(registry.KEEP):
        count = owned_rows(model, declaration, user.pk)[0].count()
        if count:
            kept.append({"model": model._meta.label, "rows": count, "reason": declaration.keep_reason})
    audit = s.get("audit", {})
    if audit.get("about_the_person") or audit.get("made_by_the_person"):
        kept.append({"model": "auditlog.LogEntry",
                     "rows": audit["about_the_person"] + audit["made_by_the_person"],
                     "reason": registry.REGISTRY["auditlog.LogEntry"].keep_reason})
    job.certificate = {
        "person": pseudonym_for(user.pk),
        "completed_at": timezone.now().isoformat(),
        "erased": s["erased"],
        "anonymised": s["anonymised"],
        "kept": kept,
        "legal_hold": bool(s["person_hold"] or s["held_courses"]),
        "sessions_ended": s.get("sessions_ended", False),
        "files_removed": s.get("files_removed", 0),
        "cached_copies_cleared": s.get("cache_cleared", False),
        "audit_log": audit,
    }
    # The ids were only needed between steps; the certificate holds counts, never content.
    job.scratch = {k: v for k, v in s.items() if k not in ("owned", "hold_reasons")}
    PrivacyJob.objects.filter(pk=job.pk).update(certificate=job.certificate)


STEP_FUNCTIONS = {name: globals()[f"_step_{name}"]
                  for name in ("collect", "sessions", "files", "anonymise", "audit", "account", "cache", "certificate")}
# A test hook: called after each recorded step (tests simulate a worker killed between steps).
after_step = None


def run(job_id):
    from django.db import transaction

    from privacy.actions import finish_request_from_job

    def body(job):
        user = User.objects.get(pk=job.request.subject_id)
        order = {f"erase:{m._meta.label}": (m, d) for m, d in erase_order()}
        # The step list is fixed when the job first starts, so a resumed job walks the same list.
        steps = job.scratch.get("steps") or steps_for()

        def perform(job, step):
            if step.startswith("erase:"):
                _step_erase(job, user, *order[step])
            else:
                STEP_FUNCTIONS[step](job, user)
            job.scratch["steps"] = steps

        jobs.run_steps(job, steps, perform, after_step=lambda job, step: after_step and after_step(job, step))
        with transaction.atomic():
            certificate = PrivacyJob.objects.get(pk=job.pk).certificate
            jobs.finish(job, certificate=certificate)
            result = "erased except records under legal hold" if certificate.get("legal_hold") else "erased"
            finish_request_from_job(job, ok=True, outcome={"result": result, "certificate": certificate})

    return jobs.guarded(job_id, body)

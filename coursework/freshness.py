"""Which course pages may be served from the cache: a version token per course and per institution.

The teacher's course dashboard is cached whole (its assignment cards) under the course's token;
anything that changes what the dashboard shows replaces the token, so the next request rebuilds.

What can go wrong, and what to do:
- A change that does not replace the token leaves a stale page. Model saves and deletes of the
  models the dashboard reads are caught by the signals below (QuerySet.delete() sends them too).
  `QuerySet.update()`, `bulk_create()` and raw SQL are not: code that changes these tables in bulk
  (erasure, retention, imports) must call `forget_all()` when it is done. Autosave's hot path
  updates only text and revision numbers above zero, which the dashboard does not show.
- Tokens are dropped at once and again after commit: dropped only before, a request could read
  the new token with the old rows and cache them under it; only after, the changing transaction
  itself (and a test, which never commits) would read its own stale page.
- Time changes the page too (a stage falling due): cached pages expire at the next due date.
- Keys live in the institution's cache prefix (KEY_FUNCTION), like every cached value.
"""

import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

ALL = "dashboards:generation"
TOKEN_SECONDS = 7 * 24 * 3600  # a lost token only means one rebuild


def course_key(course_id):
    return f"dashboards:course:{course_id}"


def _page_key(course_id, name):
    return f"dashboards:page:{name}:{course_id}"


def cached_page(course_id, name):
    """(tag, value): the page part cached under the current tokens, or None, and the tag to store a
    fresh one under. One cache round trip when the tokens exist."""
    keys = [ALL, course_key(course_id), _page_key(course_id, name)]
    found = cache.get_many(keys)
    missing = {key: secrets.token_hex(8) for key in keys[:2] if key not in found}
    if missing:
        cache.set_many(missing, TOKEN_SECONDS)
    tag = (found.get(ALL) or missing[ALL], found.get(keys[1]) or missing[keys[1]])
    entry = found.get(keys[2])
    if entry is not None and entry[0] == tag:
        return tag, entry[1]
    return tag, None


def cache_page(course_id, name, tag, value, seconds):
    if seconds > 0:
        cache.set(_page_key(course_id, name), (tag, value), seconds)


def forget_courses(course_ids):
    keys = [course_key(pk) for pk in {pk for pk in course_ids if pk}]
    if keys:
        cache.delete_many(keys)  # now, for this transaction's own later reads...
        transaction.on_commit(lambda: cache.delete_many(keys))  # ...and after commit, for everyone's


def forget_all():
    """Every course page of this institution is rebuilt on its next request (after bulk changes)."""
    cache.delete(ALL)
    transaction.on_commit(lambda: cache.delete(ALL))


# --- Signals: the models the dashboard reads -------------------------------------------------------

def _course_of_assignment(assignment_id):
    from coursework.models import Assignment

    return Assignment.objects.filter(pk=assignment_id).values_list("course_id", flat=True).first()


def _course_id(instance):
    from coursework.models import Assignment, Enrolment, Section, Stage, StageSubmission, Submission

    if isinstance(instance, Assignment | Enrolment | Section):
        return instance.course_id
    if isinstance(instance, Stage | Submission):
        if type(instance).assignment.is_cached(instance):
            return instance.assignment.course_id
        return _course_of_assignment(instance.assignment_id)
    if isinstance(instance, StageSubmission):
        return _course_id(instance.submission)
    return None


def _changed(sender, instance, **kwargs):
    forget_courses([_course_id(instance)])


def _person_changed(sender, instance, update_fields=None, **kwargs):
    # Names appear on dashboards; a sign-in (last_login) or password change does not matter.
    if update_fields is None or "full_name" in update_fields:
        forget_all()


def connect():
    from accounts.models import User
    from coursework.models import Assignment, Enrolment, Section, Stage, StageSubmission, Submission

    for model in (Assignment, Enrolment, Section, Stage, StageSubmission, Submission):
        post_save.connect(_changed, sender=model, dispatch_uid=f"freshness-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"freshness-{model.__name__}-delete")
    post_save.connect(_person_changed, sender=User, dispatch_uid="freshness-user-save")

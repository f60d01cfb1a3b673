"""Which course pages may be served from the cache: a version token per course and per institution.

The teacher's course dashboard is cached whole (its assignment cards) under the course's two tokens
(what it offers; its students' work); anything that changes what the dashboard shows replaces one,
so the next request rebuilds. A change to one student's work replaces the work token and that
student's own token, so classmates' cached homes stay valid.
A student's home (their courses, assignments, stages and their own submissions) is cached under
the tokens of each of their courses plus one for the student (their enrolments and their own
work). It holds the rows (the writing page reads them too) and the course list rendered from
them, reused only until the next moment time changes it (a stage falling due, a publication).

What can go wrong, and what to do:
- A change that does not replace the token leaves a stale page. Model saves and deletes of the
  models the dashboard reads are caught by the signals below (QuerySet.delete() sends them too).
  `QuerySet.update()`, `bulk_create()` and raw SQL are not: code that changes these tables in bulk
  (erasure, retention, imports) must call `forget_all()` when it is done. Autosave's hot path
  updates only text and revision numbers above zero, which the dashboard does not show.
- Tokens are dropped at once and again after commit: dropped only before, a request could read
  the new token with the old rows and cache them under it; only after, the changing transaction
  itself (and a test, which never commits) would read its own stale page.
- Time changes the page too (a stage falling due): cached dashboards expire at the next due date;
  the student home's rendered list carries the moment it stops being true, and the rows are read
  again against the time of each request.
- Keys live in the institution's cache prefix (KEY_FUNCTION), like every cached value.
"""

import secrets
from typing import NamedTuple

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

ALL = "dashboards:generation"
TOKEN_SECONDS = 7 * 24 * 3600  # a lost token only means one rebuild


def course_key(course_id):
    """What the course offers: the course, its sections, enrolments, assignments and stages (its
    dashboard and every enrolled student's home show these)."""
    return f"dashboards:course:{course_id}"


def work_key(course_id):
    """The students' work in the course: submissions and stage submissions (its dashboard shows
    everyone's; a student's home shows only their own, under their own token)."""
    return f"dashboards:work:{course_id}"


def _page_key(course_id, name):
    return f"dashboards:page:{name}:{course_id}"


def cached_page(course_id, name):
    """(tag, value): the page part cached under the current tokens, or None, and the tag to store a
    fresh one under. One cache round trip when the tokens exist."""
    keys = [ALL, course_key(course_id), work_key(course_id), _page_key(course_id, name)]
    found = cache.get_many(keys)
    missing = {key: secrets.token_hex(8) for key in keys[:3] if key not in found}
    if missing:
        cache.set_many(missing, TOKEN_SECONDS)
    tag = tuple(found.get(key) or missing[key] for key in keys[:3])
    entry = found.get(keys[3])
    if entry is not None and entry[0] == tag:
        return tag, entry[1]
    return tag, None


def cache_page(course_id, name, tag, value, seconds):
    if seconds > 0:
        cache.set(_page_key(course_id, name), (tag, value), seconds)


def student_key(student_id):
    return f"home:student:{student_id}"


def home_key(student_id):
    return f"home:page:{student_id}"


HOME_SECONDS = 3600


class HomeEntry(NamedTuple):
    """A student's cached home: the rows, and the rendered course list while it is still true.

    `fragment` is (valid until as a timestamp, time zone name, safe HTML) or None: time changes the
    rendered list (an assignment published for later, a stage falling due), so it is only reused
    before the next such moment and in the time zone it was rendered in."""

    tag: tuple  # the tokens the rows were built under: (institution, student, (course, ...))
    course_ids: list
    courses: list
    fragment: tuple | None = None


def cached_home(student_id):
    """The student's cached HomeEntry if every token it was built under is still current, else None.
    Two cache round trips (the entry with the institution's and student's tokens; then the tokens
    of the courses it lists)."""
    keys = [ALL, student_key(student_id), home_key(student_id)]
    found = cache.get_many(keys)
    entry = found.get(keys[2])
    if not isinstance(entry, HomeEntry):
        return None
    all_token, student_token, course_tokens = entry.tag
    if (all_token, student_token) != (found.get(ALL), found.get(keys[1])):
        return None
    current = cache.get_many([course_key(pk) for pk in entry.course_ids])
    if [current.get(course_key(pk)) for pk in entry.course_ids] != list(course_tokens):
        return None
    return entry


def home_tokens(student_id):
    """Read (creating missing ones) before the rows are: a change made meanwhile replaces a token."""
    return tuple(_tokens([ALL, student_key(student_id)]))


def store_home(student_id, entry):
    """Cache a HomeEntry (`_replace(fragment=...)` to keep a rendered list with it). Its tag holds
    the tokens read before its rows were: if anything changed meanwhile, the entry is already out
    of date when it is stored, and the next request rebuilds it."""
    cache.set(home_key(student_id), entry, HOME_SECONDS)


def course_tokens(course_ids):
    return _tokens([course_key(pk) for pk in course_ids])


def _tokens(keys):
    found = cache.get_many(keys)
    missing = {key: secrets.token_hex(8) for key in keys if key not in found}
    if missing:
        cache.set_many(missing, TOKEN_SECONDS)
    return [found.get(key) or missing[key] for key in keys]


def forget_courses(course_ids):
    """Everything cached about these courses: their dashboards and their students' homes."""
    ids = {pk for pk in course_ids if pk}
    _forget([course_key(pk) for pk in ids] + [work_key(pk) for pk in ids])


def _forget(keys):
    if keys:
        cache.delete_many(keys)  # now, for this transaction's own later reads...
        transaction.on_commit(lambda: cache.delete_many(keys))  # ...and after commit, for everyone's


def forget_all(*, purge=False):
    """Every course page of this institution is rebuilt on its next request (after bulk changes).

    purge=True also deletes the cached pages themselves, not only the token that reaches them:
    erasure must leave no copy of a person's name in the cache, even an unreachable one."""
    cache.delete(ALL)
    transaction.on_commit(lambda: cache.delete(ALL))
    if purge:
        from accounts.models import Role, User
        from coursework.models import Course

        keys = [_page_key(pk, "dashboard") for pk in Course.objects.values_list("pk", flat=True)]
        keys += [home_key(pk) for pk in User.objects.filter(role=Role.STUDENT).values_list("pk", flat=True)]
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


# --- Signals: the models the dashboard reads -------------------------------------------------------

def _course_of_assignment(assignment_id):
    from coursework.models import Assignment

    return Assignment.objects.filter(pk=assignment_id).values_list("course_id", flat=True).first()


def _course_id(instance):
    from coursework.models import Assignment, Course, Enrolment, Section, Stage, StageSubmission, Submission

    if isinstance(instance, Course):
        return instance.pk
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
    from coursework.models import Enrolment, StageSubmission, Submission

    if isinstance(instance, Submission | StageSubmission):
        # One student's work: the course's dashboard and that student's home, not every classmate's.
        course_id = _course_id(instance)
        student_id = (instance.submission if isinstance(instance, StageSubmission) else instance).student_id
        _forget([*([work_key(course_id)] if course_id else []), student_key(student_id)])
        return
    forget_courses([_course_id(instance)])
    if isinstance(instance, Enrolment):  # the student's list of courses changed
        _forget([student_key(instance.student_id)])


def _person_changed(sender, instance, update_fields=None, **kwargs):
    # Names appear on dashboards; a sign-in (last_login) or password change does not matter.
    if update_fields is None or "full_name" in update_fields:
        forget_all()


def connect():
    from accounts.models import User
    from coursework.models import Assignment, Course, Enrolment, Section, Stage, StageSubmission, Submission

    for model in (Course, Assignment, Enrolment, Section, Stage, StageSubmission, Submission):
        post_save.connect(_changed, sender=model, dispatch_uid=f"freshness-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"freshness-{model.__name__}-delete")
    post_save.connect(_person_changed, sender=User, dispatch_uid="freshness-user-save")

"""Authentication backends that keep signed-in people's rows in the shared cache.

Django reads the signed-in person on every request (`django.contrib.auth.get_user` calls the
backend's `get_user`): one query and a model built from it, ~1 ms of the ~5 ms an autosave costs
(bench/profile_request.py). Here the row is kept in the shared cache (Redis: every web process
sees the same entry) under the institution's key prefix, like every cached value, for
AUTH_USER_CACHE_SECONDS; with no shared cache (the setting is 0) nothing is cached.

What could go stale, and why it does not:
- Every save or delete of a person drops the entry at once and again after commit (signals below),
  so role, name, password (the session hash check) and deactivation apply on the next request.
  Code that writes people with `QuerySet.update()` (erasure) calls `forget_user` itself.
- Deactivation and erasure also end the person's sessions, so no request reaches the entry anyway.
- Staff (institution admins, platform operators) are never cached: always read from the database.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction


def user_key(user_id):
    return f"auth:user:{user_id}"


def forget_user(user_id):
    key = user_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


class CachedUserMixin:
    def get_user(self, user_id):
        seconds = settings.AUTH_USER_CACHE_SECONDS
        if not seconds:
            return super().get_user(user_id)
        key = user_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None and not (user.is_staff or user.is_superuser):
                cache.set(key, user, seconds)
            return user
        return user if self.user_can_authenticate(user) else None


class CachedModelBackend(CachedUserMixin, ModelBackend):
    pass


class CachedAllauthBackend(CachedUserMixin, AuthenticationBackend):
    pass


def _changed(sender, instance, **kwargs):
    if instance.pk is not None:
        forget_user(instance.pk)


def connect():
    from django.db.models.signals import post_delete, post_save

    from accounts.models import User

    post_save.connect(_changed, sender=User, dispatch_uid="cached-user-save")
    post_delete.connect(_changed, sender=User, dispatch_uid="cached-user-delete")

"""Host name -> institution, resolved in-process.

Stock django-tenants middleware queries the domain table on every request. Here each process keeps
a small dict of the hosts it has seen. It is emptied:
- at once in the process that changed an institution or domain (tenants/signals.py), and
- in every other process within DIRECTORY_CHECK_SECONDS, by comparing a generation number kept
  in the shared "platform" cache (Redis in production) at most once per that interval.
So a request costs a dict lookup, plus one cache read per process per second.
"""

import threading
import time

from django.conf import settings
from django.core.cache import caches

GENERATION_KEY = "tenants:directory-generation"
_MAX_HOSTS = 10_000  # more hosts than this means someone is probing: stop remembering misses


class InstitutionDirectory:
    def __init__(self):
        self._lock = threading.Lock()
        self._hosts = {}
        self._generation = None
        self._checked_at = 0.0

    def lookup(self, host):
        """The ready-or-not Institution for `host`, or None when the host is unknown."""
        self._refresh_if_changed()
        try:
            return self._hosts[host]
        except KeyError:
            pass
        from tenants.models import Domain

        domain = Domain.objects.select_related("tenant").filter(domain=host).first()
        institution = domain.tenant if domain else None
        with self._lock:
            if institution is not None or len(self._hosts) < _MAX_HOSTS:
                self._hosts[host] = institution
        return institution

    def invalidate(self, *, everywhere=True):
        with self._lock:
            self._hosts = {}
        if everywhere:
            cache = caches["platform"]
            try:
                cache.incr(GENERATION_KEY)
            except ValueError:
                cache.set(GENERATION_KEY, 1, timeout=None)

    def _refresh_if_changed(self):
        now = time.monotonic()
        if now - self._checked_at < settings.DIRECTORY_CHECK_SECONDS:
            return
        self._checked_at = now
        generation = caches["platform"].get(GENERATION_KEY, 0)
        if generation != self._generation:
            with self._lock:
                self._hosts = {}
                self._generation = generation


directory = InstitutionDirectory()

"""Plain Django for bench/tenancy_overhead.py: the same project without tenancy.

No tenant middleware, Django's own PostgreSQL backend (no search_path handling), no tenant router,
django_tenants not installed; the same URLconf, so /healthz is resolved and served exactly as on
an institution's domain. Never used to serve anything but the benchmark.
"""

from scribetree.settings import *  # noqa: F403
from scribetree.settings import DATABASES, INSTALLED_APPS, MIDDLEWARE

MIDDLEWARE = [m for m in MIDDLEWARE if m != "tenants.middleware.InstitutionMiddleware"]
INSTALLED_APPS = [a for a in INSTALLED_APPS if a != "django_tenants"]
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASE_ROUTERS = []
ROOT_URLCONF = "scribetree.urls_tenant"

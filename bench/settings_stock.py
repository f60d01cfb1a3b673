"""django-tenants' stock TenantMainMiddleware in place of ours, for reference in
bench/tenancy_overhead.py. Everything else (TENANT_LIMIT_SET_CALLS included) as in production."""

from scribetree.settings import *  # noqa: F403
from scribetree.settings import MIDDLEWARE

MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware" if m == "tenants.middleware.InstitutionMiddleware" else m
    for m in MIDDLEWARE
]

"""URLs on the platform's own domain (public schema): operators only."""

from django.urls import include, path

from scribetree.admin_sites import platform_site
from tenants import views as tenants_views

urlpatterns = [
    path("", tenants_views.platform_home, name="home"),
    path("healthz", tenants_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", platform_site.urls),
]

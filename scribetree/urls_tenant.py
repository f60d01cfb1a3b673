"""URLs on an institution's own domain (its schema)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import views as accounts_views
from tenants import views as tenants_views

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("", include("coursework.urls_student")),
    path("", include("coursework.urls_teacher")),
    path("", include("coursework.urls_peer")),
    path("api/", include("coursework.api")),
    path("", include("privacy.urls")),  # the privacy page, requests, consent, notice, privacy office
    path("manage/", accounts_views.institution_admin_home, name="institution_admin_home"),
    path("account/security/", accounts_views.security, name="account_security"),
    path("branding/logo", tenants_views.logo, name="institution_logo"),
    path("healthz", tenants_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/schema/swagger/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_swagger"),
    path("scim/v2/", include("integrations.scim.urls")),
    path("", include("integrations.lti.urls")),
    path("", include("integrity.urls")),  # integrity signals (issue 7)
    path("", include("assist.urls")),  # the writing assistant (issue 7)
]

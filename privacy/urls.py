from django.urls import path

from privacy import views

urlpatterns = [
    path("privacy/", views.home, name="privacy_home"),
    path("privacy/requests/new", views.file_request, name="privacy_file_request"),
    path("privacy/requests/<int:request_id>/", views.request_detail, name="privacy_request"),
    path("privacy/requests/<int:request_id>/progress", views.request_progress, name="privacy_request_progress"),
    path("privacy/requests/<int:request_id>/download/<str:token>", views.download_export, name="privacy_download"),
    path("privacy/consent/<int:subject_id>", views.answer_consent, name="privacy_consent"),
    path("privacy/notice/", views.notice, name="privacy_notice"),
    path("privacy-office/", views.office_home, name="privacy_officer_home"),
    path("privacy-office/requests/new", views.file_on_behalf, name="privacy_file_on_behalf"),
]

from django.urls import path

from integrity import views

urlpatterns = [
    path("teach/submissions/<int:submission_id>/similarity/<int:match_id>/", views.match, name="integrity_match"),
    path("write/<int:submission_id>/process/", views.own_observations, name="integrity_student"),
]

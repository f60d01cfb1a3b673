from django.urls import path

from assist import views

urlpatterns = [
    path("write/<int:submission_id>/assistant/", views.panel, name="assist_panel"),
    path("write/<int:submission_id>/assistant/reflect", views.reflect, name="assist_reflect"),
    path("write/<int:submission_id>/assistant/ask", views.ask, name="assist_ask"),
    path("teach/assignments/<int:assignment_id>/assistant/", views.stage_settings, name="assist_settings"),
]

from django.urls import path

from integrations.lti import views

urlpatterns = [
    path("lti/login/", views.login_initiation, name="lti_login"),
    path("lti/launch/", views.launch, name="lti_launch"),
    path("lti/continue/<str:ticket>/", views.continue_launch, name="lti_continue"),
    path("lti/deep-link/", views.deep_link_return, name="lti_deep_link"),
    path("lti/jwks.json", views.jwks, name="lti_jwks"),
    path("lti/config/canvas.json", views.canvas_config, name="lti_canvas_config"),
    path("teach/courses/<int:course_id>/lms/", views.course_lms, name="lti_course"),
    path("teach/courses/<int:course_id>/lms/sync-roster/", views.course_sync_roster, name="lti_course_sync"),
    path("teach/courses/<int:course_id>/lms/passbacks/<int:passback_id>/retry/", views.passback_retry,
         name="lti_passback_retry"),
]

"""Coursework pages for students (see coursework/views_student.py).

`write/<assignment id>/` opens (and lazily starts) the student's work on an assignment; the other
`write/` pages take the id of that work (the Submission), which the writing page links to.
"""

from django.urls import path

from coursework import views_student as views

urlpatterns = [
    path("student/", views.home, name="student_home"),
    path("write/<int:assignment_id>/", views.write, name="student_write"),
    path("write/<int:submission_id>/autosave", views.autosave, name="student_autosave"),
    path("write/<int:submission_id>/submit", views.submit_stage, name="student_submit"),
    path("write/<int:submission_id>/history/", views.history, name="student_history"),
    path("write/<int:submission_id>/history/<int:number>/", views.revision, name="student_revision"),
    path("write/<int:submission_id>/history/compare/", views.compare, name="student_compare"),
    path("write/<int:submission_id>/feedback/", views.feedback, name="student_feedback"),
]

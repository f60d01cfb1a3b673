"""Coursework pages for students (see coursework/views_student.py)."""

from django.urls import path

from accounts import views as accounts_views

urlpatterns = [
    path("student/", accounts_views.student_home, name="student_home"),
]

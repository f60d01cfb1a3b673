"""Coursework pages for teachers (see coursework/views_teacher.py)."""

from django.urls import path

from accounts import views as accounts_views

urlpatterns = [
    path("teacher/", accounts_views.teacher_home, name="teacher_home"),
]

from django.apps import AppConfig


class CourseworkConfig(AppConfig):
    name = "coursework"
    verbose_name = "Coursework"

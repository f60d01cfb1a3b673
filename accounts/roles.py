"""Where each role lands and what it may open."""

from django.urls import reverse

from accounts.models import Role

HOME_URL_NAMES = {
    Role.STUDENT: "student_home",
    Role.TEACHER: "teacher_home",
    Role.PRIVACY_OFFICER: "privacy_officer_home",
    Role.INSTITUTION_ADMIN: "institution_admin_home",
    Role.GUARDIAN: "privacy_home",  # a guardian acts on their wards' privacy (privacy/views.py)
}


def home_url_for(user):
    if user.role == Role.PLATFORM_OPERATOR:
        return reverse("platform_admin:index")
    return reverse(HOME_URL_NAMES[user.role])

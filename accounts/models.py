"""People and their roles.

This table exists once in `public` (platform operators) and once in every institution's schema
(that institution's people), so an account belongs to exactly one place.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    STUDENT = "student", "Student"
    TEACHER = "teacher", "Teacher"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    INSTITUTION_ADMIN = "institution_admin", "Institution admin"
    PLATFORM_OPERATOR = "platform_operator", "Platform operator"
    # A parent or legal guardian: signs in to act for linked students (privacy.models.GuardianLink).
    GUARDIAN = "guardian", "Guardian"


STAFF_ROLES = {Role.TEACHER, Role.PRIVACY_OFFICER, Role.INSTITUTION_ADMIN, Role.PLATFORM_OPERATOR}
# Roles that open the Django admin (the institution's own on its domain, the platform's on public).
ADMIN_ROLES = {Role.PRIVACY_OFFICER, Role.INSTITUTION_ADMIN, Role.PLATFORM_OPERATOR}
# Roles that must have two-factor authentication before doing anything else.
MFA_REQUIRED_ROLES = {Role.INSTITUTION_ADMIN, Role.PLATFORM_OPERATOR}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        # Kept for Django's own tooling (createsuperuser, tests of third-party apps);
        # product code creates people through accounts.actions.do_create_user.
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.PLATFORM_OPERATOR)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    preferred_name = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT, db_index=True)
    student_number = models.CharField(max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can open this site's administration pages.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.preferred_name or self.full_name.split(" ")[0]

    @property
    def needs_two_factor(self):
        return self.role in MFA_REQUIRED_ROLES

"""Northside's English 10 course, set up through the real actions, for every coursework test."""

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from coursework.actions import (
    do_create_assignment,
    do_create_course,
    do_create_rubric,
    do_enrol_student,
    do_publish_assignment,
)
from coursework.models import Stage
from tests.base import InstitutionTestCase


class CourseworkTestCase(InstitutionTestCase):
    """Adds to the named people:

    - course: "English 10" taught by Tara; Sam and Cleo are enrolled (Otto is not).
    - essay: a published assignment with draft and final stages and a two-criterion rubric.
    - other_course: "History 9" taught by another teacher (Hugo); Otto is enrolled.
    - riverside_course: Rita's course at Riverside with Rory enrolled.
    """

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        tara = cls.people["teacher"]
        now = timezone.now()
        cls.course = do_create_course("English 10", "Autumn 2026", sections=["A", "B"], acting_user=tara)
        for key in ("student", "classmate"):
            do_enrol_student(cls.course, cls.people[key], acting_user=tara)
        cls.rubric = do_create_rubric("Argument essay", [
            {"title": "Thesis", "levels": [{"title": "Unclear", "points": 1}, {"title": "Clear", "points": 3}]},
            {"title": "Evidence", "levels": [{"title": "Thin", "points": 1}, {"title": "Strong", "points": 3}]},
        ], acting_user=tara)
        cls.essay = do_create_assignment(
            cls.course, title="Persuasive essay", prompt="Should school start later?", due_at=now + timedelta(days=14),
            stages=[(Stage.Kind.DRAFT, now + timedelta(days=7)), (Stage.Kind.FINAL, now + timedelta(days=14))],
            rubric=cls.rubric, min_words=10, max_words=3000, acting_user=tara)
        do_publish_assignment(cls.essay, acting_user=tara)

        from accounts.actions import do_create_user
        from accounts.models import Role

        cls.people["other_teacher"] = do_create_user("hugo@northside.example", "Hugo History", Role.TEACHER,
                                                     acting_user=None)
        cls.other_course = do_create_course("History 9", "Autumn 2026", acting_user=cls.people["other_teacher"])
        do_enrol_student(cls.other_course, cls.people["outsider"], acting_user=cls.people["other_teacher"])
        with tenant_context(cls.riverside):
            rita = cls.people["riverside_teacher"]
            cls.riverside_course = do_create_course("Riverside English", "Autumn 2026", acting_user=rita)
            do_enrol_student(cls.riverside_course, cls.people["riverside_student"], acting_user=rita)

"""A query compiled once (scribetree/compiled.py) returns what the ORM returns, in the request's own
institution, and refuses the queries it cannot run faithfully."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django_tenants.utils import tenant_context

from accounts.models import User
from coursework.models import ProcessEvent, Submission
from scribetree.compiled import CompiledQuery
from tests.coursework.base import CourseworkTestCase


def person_by_id():
    return CompiledQuery(User, ("pk", "full_name", "email"), lambda pk: User.objects.filter(pk=pk))


class CompiledQueryTests(CourseworkTestCase):
    def test_it_returns_the_row_the_orm_returns_with_the_same_fields_loaded(self):
        sam = self.person("student")
        query = CompiledQuery(Submission, ("pk", "student", "status", "text"),
                              lambda student_id, pk: Submission.objects.filter(student_id=student_id, pk=pk))
        submission = Submission.objects.create(assignment=self.essay, student=sam, text="Later starts.")
        found = query.first(student_id=sam.pk, pk=submission.pk)
        orm = Submission.objects.only("pk", "student", "status", "text").get(student=sam, pk=submission.pk)
        self.assertEqual((found.pk, found.student_id, found.status, found.text),
                         (orm.pk, orm.student_id, orm.status, orm.text))
        self.assertEqual(found.get_deferred_fields(), orm.get_deferred_fields())
        self.assertFalse(found._state.adding)  # saved like an instance the ORM loaded

    def test_a_row_that_does_not_match_every_value_is_not_found(self):
        sam, cleo = self.person("student"), self.person("classmate")
        query = CompiledQuery(Submission, ("pk",),
                              lambda student_id, pk: Submission.objects.filter(student_id=student_id, pk=pk))
        submission = Submission.objects.create(assignment=self.essay, student=sam)
        self.assertIsNone(query.first(student_id=cleo.pk, pk=submission.pk))
        self.assertIsNone(query.first(student_id=sam.pk, pk=submission.pk + 1000))

    def test_it_runs_in_whichever_institution_the_connection_is_in(self):
        query = person_by_id()
        sam = self.person("student")
        self.assertEqual(query.first(pk=sam.pk).full_name, "Sam Student")  # compiled here, at Northside
        with tenant_context(self.riverside):
            rory = self.person("riverside_student")
            self.assertEqual(query.first(pk=rory.pk).full_name, "Rory Rivers")
            other = query.first(pk=sam.pk)  # ids are per institution: Riverside's own person, or none
            self.assertTrue(other is None or other.email.endswith("@riverside.example"))

    def test_queries_it_cannot_run_as_the_orm_would_are_refused(self):
        with pytest.raises(ImproperlyConfigured, match="exact match"):
            CompiledQuery(User, ("pk",), lambda name: User.objects.filter(full_name__icontains=name)).compile()
        with pytest.raises(ImproperlyConfigured, match="exact match"):
            CompiledQuery(User, ("pk",), lambda pk, unused: User.objects.filter(pk=pk)).compile()
        with pytest.raises(ImproperlyConfigured, match="converting"):  # a JSON field
            CompiledQuery(ProcessEvent, ("pk", "paste_sizes"), lambda pk: ProcessEvent.objects.filter(pk=pk)).compile()

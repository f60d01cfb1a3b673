"""Every model Django knows is declared in the personal-data registry."""

from django.apps import apps
from django.db import models
from django.test import SimpleTestCase
from django.test.utils import isolate_apps

from privacy.registry import REGISTRY, undeclared_models


class RegistryTests(SimpleTestCase):
    def test_it_declares_every_model_django_knows(self):
        self.assertEqual(undeclared_models(apps.get_models(include_auto_created=False)), [])

    @isolate_apps("privacy")
    def test_it_catches_a_model_with_a_foreign_key_to_a_person_that_nobody_declared(self):
        class Scratchpad(models.Model):
            owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE)
            notes = models.TextField()

            class Meta:
                app_label = "privacy"

            def __str__(self):
                return self.notes

        self.assertEqual(undeclared_models([*apps.get_models(), Scratchpad]), ["privacy.Scratchpad"])

    def test_it_names_an_owner_path_and_erasure_rule_for_every_personal_model(self):
        for declaration in REGISTRY.values():
            with self.subTest(declaration.model):
                if declaration.personal_fields:
                    self.assertTrue(declaration.purpose and declaration.lawful_basis and declaration.retention)
                    self.assertNotEqual(declaration.on_erasure, "none")

    def test_it_declares_only_models_that_exist(self):
        known = {m._meta.label for m in apps.get_models()}
        self.assertEqual(sorted(set(REGISTRY) - known), [])


class RegistryShapeTests(SimpleTestCase):
    def test_a_declaration_in_the_first_shape_still_works(self):
        # Other apps append declarations written before owner paths per right and holds existed.
        from privacy.registry import ERASE, Declaration

        old = Declaration("integrations.Thing", ("name",), owner_path="user", purpose="p", lawful_basis="b",
                          retention="account", on_erasure=ERASE, exported=True)
        self.assertEqual((old.owner_paths, old.course_path, old.anonymise_fields), (("user",), "", ()))

    def test_every_owner_course_and_anonymise_path_resolves(self):
        from django.core.exceptions import FieldError

        for label, declaration in REGISTRY.items():
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            for path in (*declaration.owner_paths, declaration.course_path):
                if not path:
                    continue
                with self.subTest(label=label, path=path):
                    try:
                        str(model._default_manager.filter(**{path: 1}).query)
                    except FieldError as error:
                        self.fail(f"{label}: {path!r} does not resolve ({error})")
            for name in declaration.anonymise_fields:
                with self.subTest(label=label, field=name):
                    field = model._meta.get_field(name)
                    self.assertTrue(field.null or field.get_internal_type() in {"CharField", "TextField"})

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

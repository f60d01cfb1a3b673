"""The "replay" way of building an institution's schema (tenants/provisioning.py)."""

import dataclasses
from unittest import mock

import pytest
from django.conf import settings
from django.db import DataError, connection
from django.test import override_settings
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import Role, User
from bench.catalog import describe_schema, differences, non_empty_tables
from tenants import provisioning
from tenants.actions import do_create_institution
from tenants.models import ProvisioningJob
from tests.base import InstitutionClient, InstitutionTestCase

TEMPLATE = settings.TENANT_BASE_SCHEMA


class ReplayTests(InstitutionTestCase):
    def test_it_builds_the_templates_twin(self):
        connection.set_schema_to_public()
        provisioning.replay_template_into("inst_replayed")
        tables = non_empty_tables(TEMPLATE)
        self.assertIn("django_migrations", tables)
        expected = describe_schema(TEMPLATE, data_tables=tables)
        actual = describe_schema("inst_replayed", data_tables=tables)
        # Same tables, columns, defaults, identities, constraints (foreign keys into its own schema),
        # indexes, sequences and their state, and the template's rows; partial-index predicates may
        # be re-parsed with their casts elsewhere (as pg_restore does).
        self.assertEqual(differences(expected, actual, ignore_casts=True), [])
        self.assertGreater(len(actual["constraints"]), 0)

    def test_it_provisions_an_institution_ready_to_use(self):
        connection.set_schema_to_public()
        institution, job = do_create_institution(
            "Hillside School", "hillside", admin_email="a@hillside.example", acting_user=None, run_now=True)
        with override_settings(PROVISIONING_METHOD="replay"):
            provisioning.provision(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.state, ProvisioningJob.State.DONE)
        self.assertEqual(job.method, "replay")
        with tenant_context(institution):
            self.assertEqual(User.objects.get(email="a@hillside.example").role, Role.INSTITUTION_ADMIN)
            # The copied sequences continue after the template's rows: a new row gets a fresh id.
            from django.contrib.contenttypes.models import ContentType

            ContentType.objects.create(app_label="bench", model="probe")
        response = InstitutionClient(institution).get("/accounts/login/")
        self.assertContains(response, "Hillside School")

    def test_it_sets_the_search_path_back(self):
        # Inside an outer transaction (as here) a SET LOCAL would outlive replay: the connection
        # must not go on believing it is on public while the new schema is first on the path.
        connection.set_tenant(self.northside)
        provisioning.replay_template_into("inst_replayed")
        self.assertEqual(connection.schema_name, "public")
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            self.assertNotIn("inst_replayed", cursor.fetchone()[0])
        connection.set_tenant(self.northside)
        self.assertTrue(User.objects.filter(email="sam@northside.example").exists())

    def test_it_runs_the_migrations_when_the_template_holds_what_it_cannot_replay(self):
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE VIEW "{TEMPLATE}".people AS SELECT id FROM "{TEMPLATE}".accounts_user')
        provisioning._template_ddl.clear()  # the cache key follows migrations, not hand-made changes
        try:
            with self.assertLogs("tenants.provisioning", "WARNING") as logs, \
                    pytest.MonkeyPatch.context() as patch:
                calls = []
                patch.setattr(provisioning, "migrate_into", calls.append)
                provisioning.replay_template_into("inst_replayed")
            self.assertEqual(calls, ["inst_replayed"])
            self.assertIn("relation of kind v people", logs.output[0])
        finally:
            provisioning._template_ddl.clear()

    def test_it_leaves_nothing_behind_when_a_statement_fails(self):
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            ddl = provisioning.template_ddl(cursor, TEMPLATE)
        broken = dataclasses.replace(ddl, after_rows=ddl.after_rows + "\nSELECT 1 / 0;")
        with mock.patch.object(provisioning, "template_ddl", return_value=broken), pytest.raises(DataError):
            provisioning.replay_template_into("inst_replayed")
        self.assertFalse(schema_exists("inst_replayed"))
        self.assertTrue(schema_exists(TEMPLATE))  # and the connection is still usable

    def test_it_reproduces_what_a_migration_could_add_beyond_the_current_models(self):
        # Serial and identity columns with their positions, collations, generated columns,
        # defaults, comments, unlogged tables, expression, partial and covering indexes, NULLS NOT
        # DISTINCT, a foreign key into public, a free-standing sequence, a dropped column.
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("""
                CREATE SCHEMA src;
                CREATE TABLE src.django_migrations (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL);
                INSERT INTO src.django_migrations (app, name, applied) VALUES ('a', '0001', now());
                CREATE TABLE src.parent (id serial PRIMARY KEY, code text COLLATE "C" UNIQUE,
                    n int CHECK (n > 0) DEFAULT 5, doubled int GENERATED ALWAYS AS (n * 2) STORED,
                    created timestamptz DEFAULT now(), tags text[] DEFAULT '{}'::text[],
                    always_id int GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 10));
                COMMENT ON TABLE src.parent IS 'Parent''s table';
                COMMENT ON COLUMN src.parent.code IS 'the code';
                CREATE UNLOGGED TABLE src.child (id bigserial PRIMARY KEY,
                    parent_id int NOT NULL REFERENCES src.parent(id) DEFERRABLE INITIALLY DEFERRED,
                    institution_id bigint REFERENCES public.tenants_institution(id), label varchar(20),
                    CONSTRAINT child_label_ck CHECK (label IN ('a', 'b')),
                    CONSTRAINT uq UNIQUE NULLS NOT DISTINCT (parent_id, label));
                CREATE INDEX child_lower_label ON src.child (lower(label)) WHERE label IS NOT NULL;
                CREATE INDEX child_covering ON src.child (parent_id) INCLUDE (label);
                CREATE SEQUENCE src.free_seq AS smallint START 7 INCREMENT 3 MAXVALUE 1000 CYCLE;
                ALTER TABLE src.child ADD COLUMN gone int;
                ALTER TABLE src.child DROP COLUMN gone;
                INSERT INTO src.parent (code, n) VALUES ('x', 3), ('y', 4);
                INSERT INTO src.child (parent_id, label) VALUES (1, 'a');
                SELECT nextval('src.free_seq');
            """)
        provisioning._template_ddl.clear()
        try:
            with override_settings(TENANT_BASE_SCHEMA="src"):
                provisioning.replay_template_into("dst")
        finally:
            provisioning._template_ddl.clear()
        self.assertEqual(differences(describe_schema("src"), describe_schema("dst"), ignore_casts=True), [])
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO dst.parent (code, n) VALUES ('z', 1) RETURNING id, always_id, doubled")
            self.assertEqual(cursor.fetchone(), (3, 120, 2))  # sequences go on from the template's
            cursor.execute("SELECT nextval('dst.free_seq')")
            self.assertEqual(cursor.fetchone(), (10,))

"""Creating an institution's schema, admin and domain: a resumable, step-by-step job.

Design note
- Three ways to build the schema, chosen by PROVISIONING_METHOD. bench/provisioning.py times the
  whole job for each with 1,000 institutions present and compares every new schema's catalog
  with the template's (bench/results/latest.md has the figures):
  - "migrate" (django-tenants): run every tenant migration into an empty schema. The reference
    the others must reproduce, but ~2 s here: per migration, Django renders model states and
    introspects the catalog (whose size grows with every institution), then post_migrate.
  - "clone" (django-tenants): its clone_schema() PL/pgSQL copies TENANT_BASE_SCHEMA. Also ~2 s:
    its catalog queries go through information_schema views and scan every schema's entries
    (100-200 ms each at 1,000 institutions: table grants, identity columns, views). And it is not a
    faithful copy: it renames Django's `..._uniq` unique constraints to `..._key` (a later
    migration that drops one by name fails), makes integer identity sequences bigint, and adds
    explicit grants.
  - "replay" (ours, the fastest: ~0.15-0.3 s, most of it PostgreSQL creating ~190 relations):
    the template's DDL is read once per process from the catalog with pg_get_constraintdef() and
    friends, its own objects named bare; each institution then gets, in one transaction, CREATE
    SCHEMA, the DDL with the new schema alone on the search_path (SET LOCAL, set back before
    commit), the template's rows (django_migrations, content types, permissions) by INSERT ...
    SELECT, and its sequences' state by setval(). The capture (~0.1 s) is cached per template
    state (its schema oid and applied migrations: migrate_all is what changes the template; a
    hand-made change to the template needs a worker restart). Differences from the template: none,
    except that a partial index's predicate or a CHECK may come back with its casts elsewhere (as with
    pg_dump/pg_restore). Anything the capture does not reproduce (views, functions, triggers,
    types, rules, policies, grants, column options, inheritance...) is detected by _UNSUPPORTED_SQL;
    replay then runs the migrations instead and logs a warning.
  The template must be migrated whenever migrations run: `manage.py migrate_all`.
- Each step is recorded on the ProvisioningJob when it finishes, so a worker killed mid-way is
  re-run from the first unfinished step. The schema step is one transaction (clone, replay) or a
  series of idempotent migrations (migrate); a schema found incomplete on a re-run is finished by
  running the migrations, so a re-run never finds half a schema it cannot finish.
- The job refuses to run when already done, or after MAX_ATTEMPTS attempts (a poison job would
  otherwise be redelivered forever with acks_late).
- Never run this inside a web request: it is sent to Celery by tenants.actions.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.clone import CLONE_SCHEMA_FUNCTION
from django_tenants.utils import schema_context, schema_exists, tenant_context

from accounts.models import Role, User
from tenants.models import Institution, ProvisioningJob

logger = logging.getLogger(__name__)


class ProvisioningRefused(RuntimeError):
    pass


def provision(job_id):
    job = _claim(job_id)
    if job is None:
        return None
    started = time.perf_counter()
    institution = job.institution
    try:
        for step in ProvisioningJob.STEPS:
            if step in job.completed_steps:
                continue
            STEP_FUNCTIONS[step](job, institution)
            job.completed_steps = [*job.completed_steps, step]
            job.save(update_fields=["completed_steps"])
    except Exception as exc:
        connection.set_schema_to_public()
        logger.exception("Provisioning of institution %s failed at attempt %s", institution.pk, job.attempts)
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        if job.attempts >= ProvisioningJob.MAX_ATTEMPTS:
            job.state = ProvisioningJob.State.FAILED
            Institution.objects.filter(pk=institution.pk).update(status=Institution.Status.FAILED)
        else:
            job.state = ProvisioningJob.State.QUEUED
        job.save(update_fields=["error", "state"])
        raise
    job.state = ProvisioningJob.State.DONE
    job.finished_at = timezone.now()
    job.duration_ms = int((time.perf_counter() - started) * 1000)
    job.error = ""
    job.save(update_fields=["state", "finished_at", "duration_ms", "error"])
    return job


def _claim(job_id):
    """Mark the job running; None when there is nothing (more) to do."""
    with transaction.atomic():
        job = ProvisioningJob.objects.select_for_update().select_related("institution").get(pk=job_id)
        if job.state == ProvisioningJob.State.DONE:
            return None
        if job.attempts >= ProvisioningJob.MAX_ATTEMPTS:
            raise ProvisioningRefused(f"Provisioning job {job_id} has failed {job.attempts} times; not retrying.")
        job.attempts += 1
        job.state = ProvisioningJob.State.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.method = settings.PROVISIONING_METHOD
        job.save(update_fields=["attempts", "state", "started_at", "method"])
    return job


def _create_schema(job, institution):
    name = institution.schema_name
    if schema_exists(name):
        if _schema_is_complete(name):
            return
        # Only "migrate" leaves part of a schema behind (it commits migration by migration; clone and
        # replay are one transaction each): finish it the same way.
        migrate_into(name)
        return
    SCHEMA_BUILDERS[settings.PROVISIONING_METHOD](name)


def _create_admin(job, institution):
    from accounts.actions import do_create_user

    with tenant_context(institution):
        if not User.objects.filter(email=job.admin_email.lower()).exists():
            do_create_user(job.admin_email, job.admin_name or "Institution admin", Role.INSTITUTION_ADMIN,
                           acting_user=None)


def _open(job, institution):
    institution.status = Institution.Status.READY
    institution.save(update_fields=["status"])


STEP_FUNCTIONS = {
    ProvisioningJob.Step.SCHEMA: _create_schema,
    ProvisioningJob.Step.ADMIN: _create_admin,
    ProvisioningJob.Step.READY: _open,
}


# --- Three ways to build a schema -------------------------------------------------------------

def clone_template_into(schema_name):
    """Copy the migrated template schema (tables, sequences, rows such as django_migrations and
    content types) in one transaction. The clone_schema() function is installed by migrate_all,
    not here: re-creating its 4,000 lines of PL/pgSQL cost more than the copy itself."""
    if not _clone_function_installed():
        install_clone_function()
    with transaction.atomic(), connection.cursor() as cursor:
        connection.set_schema_to_public()
        cursor.execute("SELECT public.clone_schema(%s, %s, 'DATA')", [settings.TENANT_BASE_SCHEMA, schema_name])


def migrate_into(schema_name):
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')
    call_command("migrate_schemas", schema_name=schema_name, tenant=True, interactive=False, verbosity=0)
    connection.set_schema_to_public()


SCHEMA_BUILDERS = {
    "clone": lambda name: clone_template_into(name),
    "migrate": lambda name: migrate_into(name),
    "replay": lambda name: replay_template_into(name),
}


def _schema_is_complete(schema_name):
    with schema_context(schema_name), connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL", [f'"{schema_name}".django_migrations']
        )
        has_table = cursor.fetchone()[0]
        if not has_table:
            return False
        cursor.execute(f'SELECT count(*) FROM "{schema_name}".django_migrations')
        count = cursor.fetchone()[0]
        cursor.execute(f'SELECT count(*) FROM "{settings.TENANT_BASE_SCHEMA}".django_migrations')
        return count >= cursor.fetchone()[0]


def _clone_function_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('public.clone_schema(text, text, public.cloneparms[])') IS NOT NULL")
        return cursor.fetchone()[0]


def install_clone_function():
    db_user = settings.DATABASES["default"].get("USER") or "postgres"
    with connection.cursor() as cursor:
        cursor.execute(CLONE_SCHEMA_FUNCTION.format(db_user=db_user))


def ensure_template_schema(verbosity=1):
    """Create and migrate the template schema that new institutions are cloned from."""
    name = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
    call_command("migrate_schemas", schema_name=name, tenant=True, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()
    install_clone_function()


# --- "replay": the template's DDL, read from the catalog once per process ----------------------

class TemplateNotReplayable(RuntimeError):
    """The template holds objects that replay does not reproduce (views, functions, triggers...)."""


@dataclass(frozen=True)
class TemplateDDL:
    key: tuple
    before_rows: str  # CREATE SEQUENCE / CREATE TABLE, names unqualified: run with search_path = new schema
    after_rows: str  # constraints, indexes, OWNED BY and comments, after the rows are in (as pg_dump does)
    tables: tuple  # (quoted table, quoted column list, has identity column) for copying rows
    sequences: tuple  # quoted sequence names, for copying their state (last_value, is_called)
    relations: tuple  # (name, relkind) of every relation in the template, checked after every replay


_template_ddl = {}
_template_ddl_lock = threading.Lock()


def replay_template_into(schema_name):
    """Create the schema and replay the template's captured DDL and rows into it, in one transaction.

    Runs the migrations instead when the template holds objects replay does not handle (see
    _UNSUPPORTED_SQL): slower, but the reference every other method is compared with.
    """
    template = settings.TENANT_BASE_SCHEMA
    connection.set_schema_to_public()
    try:
        with connection.cursor() as cursor:
            ddl = template_ddl(cursor, template)
    except TemplateNotReplayable as exc:
        logger.warning("Template schema cannot be replayed (%s); running the migrations instead.", exc)
        migrate_into(schema_name)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        new, tpl = _qi(schema_name), _qi(template)
        copy_rows = [
            f"INSERT INTO {new}.{table} ({columns}){' OVERRIDING SYSTEM VALUE' if identity else ''} "
            f"SELECT {columns} FROM {tpl}.{table};"
            for table, columns, identity in ddl.tables
        ]
        copy_sequences = [
            f"SELECT setval({_literal(new + '.' + seq)}, last_value, is_called) FROM {tpl}.{seq};"
            for seq in ddl.sequences
        ]
        cursor.execute("SELECT current_setting('search_path')")
        previous_search_path = cursor.fetchone()[0]
        cursor.execute(f"CREATE SCHEMA {new}")
        # Local to this transaction (reverted by its rollback or a savepoint's) and set back below,
        # so the connection's remembered search_path (TENANT_LIMIT_SET_CALLS) stays true.
        cursor.execute("SELECT set_config('search_path', %s, true)", [new])
        cursor.execute("\n".join([ddl.before_rows, *copy_rows, *copy_sequences, ddl.after_rows]))
        cursor.execute("SELECT set_config('search_path', %s, true)", [previous_search_path])
        # Every relation of the template, by name and kind, is now in the new schema (index lookups:
        # a scan of pg_class would cost ~40 ms with 1,000 institutions).
        names, kinds = zip(*ddl.relations, strict=True)
        cursor.execute(_FOUND_RELATIONS_SQL, [list(names), list(kinds), schema_name])
        found = cursor.fetchone()[0]
        if found != len(ddl.relations):
            raise RuntimeError(f"Replay made {found} of the template's {len(ddl.relations)} relations in {schema_name}")


def template_ddl(cursor, template):
    """The template's DDL, captured once per process and template state (its namespace oid and its
    applied migrations: migrate_all is the only thing that changes the template)."""
    cursor.execute("SELECT oid, to_regclass(%s) IS NOT NULL FROM pg_namespace WHERE nspname = %s",
                   [f"{_qi(template)}.django_migrations", template])
    row = cursor.fetchone()
    if row is None or not row[1]:
        raise RuntimeError(f"Template schema {template} is missing or not migrated: run manage.py migrate_all.")
    cursor.execute(f"SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) "
                   f"FROM {_qi(template)}.django_migrations")
    key = (connection.settings_dict["NAME"], template, row[0], cursor.fetchone()[0])
    ddl = _template_ddl.get(template)
    if ddl is not None and ddl.key == key:
        return ddl
    with _template_ddl_lock, transaction.atomic():  # set_config(..., is_local) needs a transaction
        ddl = _capture_template_ddl(cursor, template, key)
        _template_ddl[template] = ddl
    return ddl


def _qi(name):
    return '"' + name.replace('"', '""') + '"'


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


_FOUND_RELATIONS_SQL = """
    SELECT count(*) FROM unnest(%s::text[], %s::text[]) AS t(name, kind)
    JOIN pg_class c ON c.relname = t.name AND c.relkind::text = t.kind
    WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %s)
"""

# Anything a Django migration (or RunSQL) could put in the template that the capture below does not
# reproduce. One row per offending object; an empty result means replay is exact. Column options:
# only n_distinct* can be set by users (the PostgreSQL here also stamps its own pg_attver on every
# column, which CREATE TABLE does by itself).
_UNSUPPORTED_SQL = r"""
WITH ns AS (SELECT %(ns)s::oid AS oid),
rel AS (SELECT c.* FROM pg_class c WHERE c.oid = ANY(%(oids)s::oid[]))
SELECT 'relation of kind ' || relkind::text, relname::text FROM rel WHERE relkind NOT IN ('r', 'S', 'i')
UNION ALL SELECT 'table with options, grants, row security or partitions', relname FROM rel
    WHERE relkind IN ('r', 'S') AND (reloptions IS NOT NULL OR relacl IS NOT NULL OR relrowsecurity
                                     OR relispartition OR relhassubclass)
UNION ALL SELECT 'inheritance', rel.relname FROM pg_inherits i JOIN rel ON rel.oid = i.inhrelid
UNION ALL SELECT 'invalid or clustered index', relname FROM rel JOIN pg_index i ON i.indexrelid = rel.oid
    WHERE NOT i.indisvalid OR i.indisclustered OR NOT i.indisready
UNION ALL SELECT 'column with options, grants, storage or statistics target', rel.relname || '.' || a.attname
    FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type ty ON ty.oid = a.atttypid
    WHERE rel.relkind = 'r' AND (a.attacl IS NOT NULL
                                 OR EXISTS (SELECT 1 FROM unnest(a.attoptions) o WHERE o LIKE 'n\_distinct%%')
                                 OR a.attfdwoptions IS NOT NULL
                                 OR a.attstattarget >= 0 OR a.attstorage <> ty.typstorage
                                 OR a.attcompression <> '')
UNION ALL SELECT 'type', t.typname FROM pg_type t, ns WHERE t.typnamespace = ns.oid
    AND NOT EXISTS (SELECT 1 FROM rel WHERE rel.reltype = t.oid)
    AND NOT EXISTS (SELECT 1 FROM rel JOIN pg_type e ON e.oid = rel.reltype WHERE e.typarray = t.oid)
UNION ALL SELECT 'function', proname FROM pg_proc p, ns WHERE p.pronamespace = ns.oid
UNION ALL SELECT 'collation', collname FROM pg_collation c, ns WHERE c.collnamespace = ns.oid
UNION ALL SELECT 'operator', oprname FROM pg_operator o, ns WHERE o.oprnamespace = ns.oid
UNION ALL SELECT 'operator family', opfname FROM pg_opfamily o, ns WHERE o.opfnamespace = ns.oid
UNION ALL SELECT 'text search configuration', cfgname FROM pg_ts_config c, ns WHERE c.cfgnamespace = ns.oid
UNION ALL SELECT 'statistics object', stxname FROM pg_statistic_ext s, ns WHERE s.stxnamespace = ns.oid
UNION ALL SELECT 'conversion', conname FROM pg_conversion c, ns WHERE c.connamespace = ns.oid
UNION ALL SELECT 'trigger', tgname FROM pg_trigger t JOIN rel ON rel.oid = t.tgrelid WHERE NOT t.tgisinternal
UNION ALL SELECT 'rule', rulename FROM pg_rewrite r JOIN rel ON rel.oid = r.ev_class
UNION ALL SELECT 'policy', polname FROM pg_policy p JOIN rel ON rel.oid = p.polrelid
UNION ALL SELECT 'constraint of kind ' || contype::text, conname FROM pg_constraint k JOIN rel ON rel.oid = k.conrelid
    WHERE k.contype NOT IN ('p', 'u', 'f', 'c', 'x')
UNION ALL SELECT 'comment on a constraint', k.conname FROM pg_constraint k JOIN rel ON rel.oid = k.conrelid
    JOIN pg_description d ON d.classoid = 'pg_constraint'::regclass AND d.objoid = k.oid
UNION ALL SELECT 'extension member', rel.relname FROM pg_depend d JOIN rel ON rel.oid = d.objid
    WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'
UNION ALL SELECT 'schema grants or comment', nspname FROM pg_namespace n, ns
    WHERE n.oid = ns.oid AND (n.nspacl IS NOT NULL
                              OR EXISTS (SELECT 1 FROM pg_description d WHERE d.objoid = n.oid
                                         AND d.classoid = 'pg_namespace'::regclass))
UNION ALL SELECT 'default privileges', 'pg_default_acl' FROM pg_default_acl a, ns WHERE a.defaclnamespace = ns.oid
"""

_SEQUENCES_SQL = """
SELECT quote_ident(s.relname), format_type(q.seqtypid, NULL), q.seqstart, q.seqincrement, q.seqmin, q.seqmax,
       q.seqcache, q.seqcycle, d.deptype, quote_ident(t.relname), quote_ident(a.attname), s.relpersistence
FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE s.oid = ANY(%(oids)s::oid[]) AND s.relkind = 'S'
ORDER BY s.relname
"""

_TABLES_SQL = """
SELECT quote_ident(c.relname), c.relpersistence FROM pg_class c
WHERE c.oid = ANY(%(oids)s::oid[]) AND c.relkind = 'r' ORDER BY c.relname
"""

_COLUMNS_SQL = """
SELECT quote_ident(c.relname), quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
       CASE WHEN a.attcollation <> ty.typcollation
            THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
WHERE c.oid = ANY(%(oids)s::oid[]) AND c.relkind = 'r'
ORDER BY c.relname, a.attnum
"""

_CONSTRAINTS_SQL = """
SELECT quote_ident(c.relname), quote_ident(k.conname), pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
WHERE k.conrelid = ANY(%(oids)s::oid[])
ORDER BY k.contype = 'f', c.relname, k.conname
"""

_INDEXES_SQL = """
SELECT pg_get_indexdef(i.indexrelid),
       'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname)
       || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' USING ',
       'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname)
       || ' ON ' || quote_ident(c.relname) || ' USING '
FROM pg_index i JOIN pg_namespace n ON n.oid = %(ns)s
JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
WHERE i.indrelid = ANY(%(oids)s::oid[]) AND c.relkind = 'r'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                  AND k.contype IN ('p', 'u', 'x'))
ORDER BY ic.relname
"""

_COMMENTS_SQL = """
SELECT CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'i' THEN 'INDEX' WHEN 'S' THEN 'SEQUENCE' END,
       quote_ident(c.relname), quote_ident(a.attname), quote_literal(d.description)
FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
WHERE c.oid = ANY(%(oids)s::oid[])
ORDER BY c.relname, d.objsubid
"""


def _capture_template_ddl(cursor, template, key):
    ns = key[2]
    # One scan of pg_class for the template's relations; every other query looks them up by oid
    # through the catalogs' indexes (scanning by namespace cost ~50 ms per query at 1,000 schemas).
    cursor.execute("SELECT oid, relname::text, relkind::text FROM pg_class WHERE relnamespace = %s ORDER BY 2", [ns])
    rows = cursor.fetchall()
    params = {"ns": ns, "oids": [oid for oid, _, _ in rows]}
    relations = tuple((name, kind) for _, name, kind in rows)
    cursor.execute(_UNSUPPORTED_SQL, params)
    unsupported = cursor.fetchall()
    if unsupported:
        raise TemplateNotReplayable("; ".join(f"{kind} {name}" for kind, name in unsupported[:10]))
    # pg_get_*def() name objects of the search_path unqualified, all others qualified: with only the
    # template on the path, the DDL names the template's own objects bare, ready to be replayed into
    # any schema put first on the path, and keeps references elsewhere (public) explicit.
    cursor.execute("SELECT current_setting('search_path')")
    previous_search_path = cursor.fetchone()[0]
    cursor.execute("SELECT set_config('search_path', %s, true)", [_qi(template)])
    try:
        fetch = {}
        for name, sql in [("sequences", _SEQUENCES_SQL), ("tables", _TABLES_SQL), ("columns", _COLUMNS_SQL),
                          ("constraints", _CONSTRAINTS_SQL), ("indexes", _INDEXES_SQL),
                          ("comments", _COMMENTS_SQL)]:
            cursor.execute(sql, params)
            fetch[name] = cursor.fetchall()
    finally:
        cursor.execute("SELECT set_config('search_path', %s, true)", [previous_search_path])

    def sequence_options(seq, *, with_type=True):
        _, type_, start, increment, minimum, maximum, cache, cycle = seq[:8]
        # An identity sequence takes its column's type (PostgreSQL refuses AS there).
        return (f"{f'AS {type_} ' if with_type else ''}INCREMENT BY {increment} MINVALUE {minimum} "
                f"MAXVALUE {maximum} START WITH {start} CACHE {cache} {'CYCLE' if cycle else 'NO CYCLE'}")

    identity_sequences = {}
    before, after, sequences = [], [], []
    for seq in fetch["sequences"]:
        name, deptype, table, column = seq[0], seq[8], seq[9], seq[10]
        sequences.append(name)
        if deptype == "i":
            identity_sequences[(table, column)] = f"SEQUENCE NAME {name} {sequence_options(seq, with_type=False)}"
            continue
        unlogged = "UNLOGGED " if seq[11] == "u" else ""  # a serial of an unlogged table is unlogged too
        before.append(f"CREATE {unlogged}SEQUENCE {name} {sequence_options(seq)};")
        if deptype == "a":
            after.append(f"ALTER SEQUENCE {name} OWNED BY {table}.{column};")

    columns_by_table = {}
    for table, column, type_, notnull, default, identity, generated, collation in fetch["columns"]:
        parts = [column, type_]
        if collation:
            parts.append(f"COLLATE {collation}")
        if generated == "s":
            parts.append(f"GENERATED ALWAYS AS ({default}) STORED")
        elif identity:
            kind = "ALWAYS" if identity == "a" else "BY DEFAULT"
            parts.append(f"GENERATED {kind} AS IDENTITY ({identity_sequences[(table, column)]})")
        elif default is not None:
            parts.append(f"DEFAULT {default}")
        if notnull:
            parts.append("NOT NULL")
        columns_by_table.setdefault(table, []).append((column, " ".join(parts), bool(identity), generated == "s"))

    tables = []
    for table, persistence in fetch["tables"]:
        columns = columns_by_table.get(table, [])
        unlogged = "UNLOGGED " if persistence == "u" else ""
        before.append(f"CREATE {unlogged}TABLE {table} ({', '.join(c[1] for c in columns)});")
        insertable = [c[0] for c in columns if not c[3]]
        if insertable:
            tables.append((table, ", ".join(insertable), any(c[2] for c in columns)))

    constraints = [f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition};"
                   for table, name, definition in fetch["constraints"]]
    indexes = []
    for definition, qualified_start, bare_start in fetch["indexes"]:
        # pg_get_indexdef() always qualifies the table: name it bare, like everything else here.
        if not definition.startswith(qualified_start):
            raise TemplateNotReplayable(f"index definition not understood: {definition}")
        indexes.append(f"{bare_start}{definition[len(qualified_start):]};")
    comments = [f"COMMENT ON {'COLUMN' if column else kind} {table}{'.' + column if column else ''} IS {text};"
                for kind, table, column, text in fetch["comments"]]
    return TemplateDDL(
        key=key,
        before_rows="\n".join(before),
        after_rows="\n".join(constraints + indexes + after + comments),
        tables=tuple(tables),
        sequences=tuple(sequences),
        relations=relations,
    )

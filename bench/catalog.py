"""Describe a schema from the PostgreSQL catalog, independent of its name, to compare two schemas.

Used to check that a provisioned institution's schema is the template's twin: same tables,
columns, defaults, identities, constraints, indexes, sequences (options, owner and state),
comments, grants, and the same rows in the tables the template fills (django_migrations,
content types, permissions). Everything is deparsed with only that schema on the search_path,
so its own objects appear unqualified and a reference to another schema (say, a foreign key
into the template instead of into itself) shows up as a difference.
"""

import re

from django.db import connection, transaction

# Columns whose values legitimately differ between two schemas built at different times.
VOLATILE_COLUMNS = {("django_migrations", "applied")}

_QUERIES = {
    "relations": """
        SELECT c.relname, c.relkind, c.relpersistence, c.reloptions::text,
               c.relacl IS NOT NULL AS has_grants, c.relrowsecurity
        FROM pg_class c WHERE c.relnamespace = %(ns)s ORDER BY 1""",
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attcollation::regcollation::text,
               a.attstorage, a.attstattarget,
               row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) AS position
        FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = %(ns)s AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1, 2""",
    "constraints": """
        SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.convalidated,
               CASE WHEN k.confrelid = 0 THEN NULL
                    WHEN (SELECT relnamespace FROM pg_class WHERE oid = k.confrelid) = %(ns)s THEN 'own schema'
                    ELSE (SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = k.confrelid) END
        FROM pg_constraint k LEFT JOIN pg_class c ON c.oid = k.conrelid
        WHERE k.connamespace = %(ns)s ORDER BY 1, 2""",
    "indexes": """
        SELECT ic.relname, c.relname,
               regexp_replace(pg_get_indexdef(i.indexrelid), ' ON \\S+ USING ', ' ON <table> USING '),
               i.indisunique, i.indisprimary, i.indisvalid, i.indimmediate
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
        WHERE c.relnamespace = %(ns)s ORDER BY 1""",
    "sequences": """
        SELECT s.relname, format_type(q.seqtypid, NULL), q.seqstart, q.seqincrement, q.seqmin, q.seqmax,
               q.seqcache, q.seqcycle, d.deptype, t.relname, a.attname
        FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid
        LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
             AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        LEFT JOIN pg_class t ON t.oid = d.refobjid
        LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE s.relnamespace = %(ns)s ORDER BY 1""",
    "comments": """
        SELECT c.relname, d.objsubid, d.description FROM pg_description d
        JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
        WHERE c.relnamespace = %(ns)s ORDER BY 1, 2""",
    "triggers": """
        SELECT c.relname, t.tgname, t.tgisinternal FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = %(ns)s AND NOT t.tgisinternal ORDER BY 1, 2""",
    "functions": "SELECT proname FROM pg_proc WHERE pronamespace = %(ns)s ORDER BY 1",
    "types": """
        SELECT t.typname, t.typtype FROM pg_type t WHERE t.typnamespace = %(ns)s
        AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid OR c.reltype = t.typelem) ORDER BY 1""",
    "policies": """
        SELECT c.relname, p.polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
        WHERE c.relnamespace = %(ns)s ORDER BY 1, 2""",
}


def describe_schema(schema, *, data_tables=None):
    """A name-free description of `schema`. data_tables: tables whose rows to include (by default
    every table; pass the template's non-empty tables to ignore rows added after provisioning)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema])
        row = cursor.fetchone()
        if row is None:
            raise LookupError(f"no schema {schema}")
        ns = row[0]
        cursor.execute("SELECT set_config('search_path', %s, true)", ['"' + schema.replace('"', '""') + '"'])
        described = {}
        for name, sql in _QUERIES.items():
            cursor.execute(sql, {"ns": ns})
            described[name] = [tuple(r) for r in cursor.fetchall()]
        tables = [r[0] for r in described["relations"] if r[1] == "r"]
        # rows: the tables' content without surrogate keys (id, *_id); row_ids: with them. A schema
        # migrated from scratch numbers its content types in another order than a template that
        # was migrated step by step as the code grew: same rows, other ids.
        described["rows"] = {}
        described["row_ids"] = {}
        described["sequence_state"] = {}
        for table in tables if data_tables is None else [t for t in tables if t in data_tables]:
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum", [f'"{table}"']
            )
            columns = [c for (c,) in cursor.fetchall() if (table, c) not in VOLATILE_COLUMNS]
            natural = [c for c in columns if c != "id" and not c.endswith("_id")] or columns
            for key, cols in (("rows", natural), ("row_ids", columns)):
                column_list = ", ".join(f'"{c}"' for c in cols)
                cursor.execute(
                    f'SELECT count(*), md5(coalesce(string_agg(r::text, \'|\' ORDER BY r::text), \'\')) '
                    f'FROM (SELECT {column_list} FROM "{table}") r'
                )
                described[key][table] = tuple(cursor.fetchone())
        owned = {r[0]: r[9] for r in described["sequences"]}
        for seq, table in owned.items():
            if data_tables is None or table in data_tables:
                cursor.execute(f'SELECT last_value, is_called FROM "{seq}"')
                described["sequence_state"][seq] = tuple(cursor.fetchone())
    return described


def non_empty_tables(schema):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY 1", [schema]
        )
        tables = [t for (t,) in cursor.fetchall()]
        full = []
        for table in tables:
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{schema}"."{table}")')
            if cursor.fetchone()[0]:
                full.append(table)
    return full


# Lists whose items are named by their first field (others: by table and name).
_NAMED_BY_FIRST = {"relations", "sequences", "indexes", "functions", "types"}
_CAST = re.compile(r"::[a-z ]+(\[\])?|[()]")


def _without_casts(item):
    """An index or constraint with casts and parentheses taken out of its definition: deparsing
    and parsing again (as replay and pg_dump/pg_restore do) may write the same predicate with its
    casts in other places, e.g. `x = ANY ((ARRAY['a'::varchar])::text[])` vs
    `x = ANY (ARRAY[('a'::varchar)::text])`."""
    return tuple(" ".join(_CAST.sub("", v).split()) if isinstance(v, str) else v for v in item)


def differences(expected, actual, *, limit=20, ignore_casts=False):
    """Human-readable differences between two descriptions ([] when they match). ignore_casts:
    compare index and constraint definitions without their casts (see _without_casts)."""
    if ignore_casts:
        expected, actual = dict(expected), dict(actual)
        for key in ("indexes", "constraints"):
            expected[key] = [_without_casts(i) for i in expected[key]]
            actual[key] = [_without_casts(i) for i in actual[key]]
    found = []
    for key in expected.keys() | actual.keys():
        a, b = expected.get(key), actual.get(key)
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list):
            sa, sb = set(a), set(b)
            # Pair an item that is only on one side with its namesake on the other: "changed".
            width = 1 if key in _NAMED_BY_FIRST else 2
            only_a = {item[:width]: item for item in sa - sb}
            only_b = {item[:width]: item for item in sb - sa}
            for name in sorted(only_a.keys() | only_b.keys(), key=repr):
                if name in only_a and name in only_b:
                    found.append(f"{key}: changed {only_a[name]} -> {only_b[name]}")
                elif name in only_a:
                    found.append(f"{key}: missing {only_a[name]}")
                else:
                    found.append(f"{key}: extra   {only_b[name]}")
            if sa == sb:
                found.append(f"{key}: same items in another order")
        elif isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(a.keys() | b.keys()):
                if a.get(k) != b.get(k):
                    found.append(f"{key}[{k}]: template {a.get(k)} vs {b.get(k)}")
        else:
            found.append(f"{key}: {a!r} vs {b!r}")
    return found[:limit] + ([f"... and {len(found) - limit} more"] if len(found) > limit else [])

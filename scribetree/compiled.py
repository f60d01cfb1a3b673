"""Read queries that the ORM compiles once per process and that then run with new values.

For a one-row read on a hot path, building the queryset and compiling it to SQL cost more than
running it: ~0.8 ms of a ~6 ms autosave, against ~0.3 ms to send the query and read the row
(bench/profile_request.py under py-spy). The SQL never changes between requests; only the values
do. `CompiledQuery` has the ORM write the SQL once, with a stand-in value for each parameter, and
afterwards only executes it and builds the instance with `Model.from_db`, as the ORM would.

It is schema-neutral: the compiled SQL names no schema, and django-tenants points each request's
connection at its institution with `search_path` before the query runs, exactly as for any ORM
query (tests/test_compiled_query.py runs one compiled query in two institutions).

Deliberately narrow, so that it can only ever return what the ORM would:
- every parameter must be an exact match (`field=value`); a lookup that rewrites its value
  (`__in`, `__contains`, ...) is refused when the query is compiled;
- fields whose database value needs converting (JSON, ...) are refused;
- one row at most (LIMIT 1); use it with a filter on a unique key.

Hand-written: no maintained library caches compiled SQL for Django (django-cachalot and cacheops
cache results, which here would be wrong: the row changes with every save).
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections

# Stand-in values, far outside any id or number a real parameter can hold.
_STAND_IN = -7_310_000_000_000


class CompiledQuery:
    """`CompiledQuery(Model, fields, lambda a, b: Model.objects.filter(x=a, y=b))`, then
    `.first(a=..., b=...)`: the instance with only `fields` loaded (as `.only(*fields)`), or None."""

    def __init__(self, model, fields, build):
        self.model = model
        wanted = {model._meta.get_field(name).attname if name != "pk" else model._meta.pk.attname
                  for name in fields}
        # Model.from_db expects the values in the order of the model's concrete fields.
        self.attnames = [f.attname for f in model._meta.concrete_fields if f.attname in wanted]
        if len(self.attnames) != len(wanted):
            raise ImproperlyConfigured(f"{model.__name__}: not concrete fields: {sorted(wanted - set(self.attnames))}")
        self.build = build
        self.parameters = build.__code__.co_varnames[:build.__code__.co_argcount]
        self._compiled = {}  # database alias -> (sql, slots)

    def compile(self, using=DEFAULT_DB_ALIAS):
        stand_ins = {name: _STAND_IN - i for i, name in enumerate(self.parameters)}
        queryset = self.build(**stand_ins).values_list(*self.attnames)[:1]
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        if compiler.get_converters([column for column, _, _ in compiler.select]):
            raise ImproperlyConfigured(f"{self.model.__name__}: a field needs converting; use the ORM")
        by_value = {value: name for name, value in stand_ins.items()}
        slots = [(True, by_value[param]) if isinstance(param, int) and param in by_value else (False, param)
                 for param in params]
        used = [name for is_parameter, name in slots if is_parameter]
        if sorted(used) != sorted(self.parameters):
            raise ImproperlyConfigured(
                f"{self.model.__name__}: each parameter must be used once, as an exact match ({self.parameters})")
        return sql, slots

    def first(self, using=DEFAULT_DB_ALIAS, **values):
        if using not in self._compiled:
            self._compiled[using] = self.compile(using)
        sql, slots = self._compiled[using]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[name] if is_parameter else name for is_parameter, name in slots])
            row = cursor.fetchone()
        return None if row is None else self.model.from_db(using, self.attnames, row)

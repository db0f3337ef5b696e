"""Small SQL builders for the hot write paths that skip the ORM's compile step (it costs
~0.5 ms of CPU per statement, more than the statement itself; docs/performance.md)."""

from __future__ import annotations

import weakref

from django.db import connection, models


def case_by_id(values: dict, cast: str = "") -> tuple[str, list]:
    """`CASE id WHEN %s THEN %s ... END` over `values` {pk: value} and its parameters;
    `cast` (e.g. "NUMERIC") types each value the same way on SQLite and PostgreSQL."""
    then = f"CAST(%s AS {cast})" if cast else "%s"
    sql = "CASE id " + " ".join(f"WHEN %s THEN {then}" for _ in values) + " END"
    return sql, [x for pair in values.items() for x in pair]


def add_by_id(table: str, column: str, deltas: dict, *, lock: str, wrap: str = "{}"):
    """One UPDATE adding `deltas` {pk: amount} to `column` of `table`, and its parameters.
    `wrap` shapes the new value ("ROUND({}, 2)"). Several rows are locked in primary-key
    order first with `lock` ("FOR UPDATE", "FOR NO KEY UPDATE"; an UPDATE's own row order
    follows its plan), so two writers sharing rows queue instead of deadlocking."""
    if len(deltas) == 1:
        ((pk, delta),) = deltas.items()
        value = wrap.format(f"{column} + %s")
        return f"UPDATE {table} SET {column} = {value} WHERE id = %s", [delta, pk]
    cases, params = case_by_id(deltas)
    marks = ", ".join("%s" for _ in deltas)
    order = f" ORDER BY id {lock}" if connection.features.has_select_for_update else ""
    value = wrap.format(f"{column} + {cases}")
    sql = (
        f"UPDATE {table} SET {column} = {value}"
        f" WHERE id IN (SELECT id FROM {table} WHERE id IN ({marks}){order})"
    )
    return sql, params + list(deltas)


class Rows:
    """A model's columns for a SELECT written out by hand, and its instances built from
    the rows as the ORM builds them (`Model.from_db` after each field's database
    converters: booleans, dates and decimals on SQLite, phone numbers, JSON), for the
    hot reads whose compile step costs more than the query (the order confirm's lock
    with its lines and their products: ~5 ms of CPU through the ORM).

    `Rows(Order, "o")` reads every concrete field of the order under the alias `o`;
    `select` gives the column list, `build(row, start)` the instance whose columns start
    at `row[start]` (None when its primary key is NULL, a LEFT JOIN's missing row)."""

    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self._pk = next(n for n, f in enumerate(self.fields) if f.primary_key)
        self._converters = weakref.WeakKeyDictionary()  # per connection (ops instance)

    @property
    def table(self) -> str:
        return f"{connection.ops.quote_name(self.model._meta.db_table)} {self.alias}"

    @property
    def select(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(f.column)}" for f in self.fields)

    def converters(self) -> list[tuple[int, list, object]]:
        """[(column index, converters, expression)] of this connection, as the ORM's
        compiler computes them; cached per connection."""
        ops = connection.ops
        found = self._converters.get(ops)
        if found is None:
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                funcs = ops.get_db_converters(column) + column.get_db_converters(connection)
                if funcs:
                    found.append((index, funcs, column))
            self._converters[ops] = found
        return found

    def build(self, row, start: int = 0):
        values = list(row[start : start + self.width])
        if values[self._pk] is None:
            return None
        for index, funcs, column in self.converters():
            value = values[index]
            for func in funcs:
                value = func(value, column, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.names, values)


def cache_related(obj, name: str, value) -> None:
    """What select_related stores: `obj.<name>` answers `value` without a query."""
    obj._state.fields_cache[name] = value


def insert_sql(objs: list, fields: list | None = None) -> tuple[str, list]:
    """The `INSERT INTO ... VALUES (...), ...` of `objs` (one model) and its parameters,
    each value prepared by its field as the ORM's InsertQuery prepares it (`pre_save`,
    `get_db_prep_save`), without that compile step. `fields`: default every concrete
    field but an auto-incremented primary key."""
    opts = type(objs[0])._meta
    if fields is None:
        fields = [f for f in opts.concrete_fields if not isinstance(f, models.AutoField)]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    if len(objs) > 1 and _unnest(fields):
        # as Django's PostgreSQL compiler does: one array per column, so the statement's
        # text (and psycopg's parse of it) does not change with the number of rows
        types = [f.db_type(connection).split("(")[0] for f in fields]
        arrays = ", ".join(f"(%s)::{t}[]" for t in types)
        return f"{head} SELECT * FROM UNNEST({arrays})", [list(c) for c in zip(*rows, strict=True)]
    row = f"({', '.join('%s' for _ in fields)})"
    return f"{head} VALUES {', '.join(row for _ in objs)}", [v for r in rows for v in r]


def _unnest(fields: list) -> bool:
    """Whether PostgreSQL takes these fields' values as arrays (Django's own test in
    `SQLInsertCompiler.assemble_as_sql`)."""
    return connection.vendor == "postgresql" and not any(
        hasattr(f, "get_placeholder")
        or (f.target_field if f.is_relation else f).get_internal_type() not in connection.data_types
        for f in fields
    )


def insert_all(objs: list) -> None:
    """`Model.objects.bulk_create(objs)` for new rows of one model, written out: one
    `insert_sql` ... RETURNING id per batch (the backend's batch size), the primary keys
    set from RETURNING. For the stock documents' movements and audit events, whose
    bulk_create compile step cost more CPU than the INSERT itself. Sends no signal, as
    bulk_create sends none."""
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    if not connection.features.can_return_rows_from_bulk_insert or not isinstance(
        opts.pk, models.AutoField
    ):
        model._base_manager.bulk_create(objs)
        return
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    for obj in objs:
        if obj.pk is not None:
            raise ValueError("insert_all takes new rows only")
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    size = max(connection.ops.bulk_batch_size(fields, objs), 1)
    returning = f" RETURNING {connection.ops.quote_name(opts.pk.column)}"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            sql, params = insert_sql(batch, fields)
            cursor.execute(sql + returning, params)
            for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = pk
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias

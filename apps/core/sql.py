"""Small SQL builders for the hot write paths that skip the ORM's compile step (it costs
~0.5 ms of CPU per statement, more than the statement itself; docs/performance.md)."""

from __future__ import annotations

import contextlib
import functools
import inspect
import weakref

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init


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


def by_vendor(forward: dict[str, list[str]], backward: dict[str, list[str]]):
    """A migration operation running the statements `forward[vendor]` (and, reversed,
    `backward[vendor]`) on the database's vendor ("postgresql", "sqlite"): the same
    object written in each one's dialect (a trigger, its function)."""
    from django.db import migrations

    def run(statements: dict[str, list[str]]):
        def apply(apps, schema_editor):
            for sql in statements[schema_editor.connection.vendor]:
                schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run(forward), run(backward), elidable=False)


def insert_trigger(
    table: str, name: str, function: str, *, postgresql: str, sqlite: str, fill: str
):
    """A migration operation: trigger `name` after every INSERT into `table`, then `fill`
    for the rows inserted before it existed; reversed, the trigger (and its function)
    dropped. On PostgreSQL a statement-level trigger running function `function`, whose
    statement `postgresql` reads the statement's inserted rows as the table `inserted`
    (one set-based statement however many rows); on SQLite a row-level one (it has no
    other kind) running `sqlite`, which reads the row as `NEW`."""
    pg_function = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {postgresql};
    RETURN NULL;
END $$;
"""
    pg_trigger = (
        f"CREATE TRIGGER {name} AFTER INSERT ON {table} REFERENCING NEW TABLE AS inserted"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    )
    sqlite_trigger = (
        f"CREATE TRIGGER {name} AFTER INSERT ON {table} FOR EACH ROW BEGIN {sqlite}; END"
    )
    return by_vendor(
        {"postgresql": [pg_function, pg_trigger, fill], "sqlite": [sqlite_trigger, fill]},
        {
            "postgresql": [
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"DROP FUNCTION IF EXISTS {function}()",
            ],
            "sqlite": [f"DROP TRIGGER IF EXISTS {name}"],
        },
    )


def fillfactor(table: str, percent: int):
    """A migration operation leaving `100 - percent` % of each new heap page of `table` free
    on PostgreSQL (nothing on SQLite): room for the next versions of rows updated in place,
    so an update of a column no index covers stays a HOT update (no new index entries; the
    page prunes its dead versions itself) instead of moving the row to another page."""
    return by_vendor(
        {"postgresql": [f"ALTER TABLE {table} SET (fillfactor = {int(percent)})"], "sqlite": []},
        {"postgresql": [f"ALTER TABLE {table} RESET (fillfactor)"], "sqlite": []},
    )


def _db():
    """The default alias's connection object itself: `django.db.connection` is a proxy
    that looks the thread's connection up on every attribute (~15 µs per field value)."""
    return connections[DEFAULT_DB_ALIAS]


def db_converters(expression, db) -> list:
    """The functions the ORM's compiler passes a value of `expression` (a column or an
    annotation) through as it reads a row on the connection `db`: the backend's, then the
    expression's own (booleans, dates and decimals on SQLite, an annotation's declared
    type)."""
    return db.ops.get_db_converters(expression) + expression.get_db_converters(db)


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

    @functools.cached_property
    def table(self) -> str:
        """`"table" alias`, for FROM and JOIN."""
        return f"{_db().ops.quote_name(self.model._meta.db_table)} {self.alias}"

    @functools.cached_property
    def select(self) -> str:
        """`alias."column", ...` of every concrete field, in `build`'s order."""
        quote = _db().ops.quote_name
        return ", ".join(f"{self.alias}.{quote(f.column)}" for f in self.fields)

    @staticmethod
    def offsets(rows: dict[str, Rows]) -> dict[str, int]:
        """{name: index of its first column} for several Rows selected side by side."""
        found, at = {}, 0
        for name, reader in rows.items():
            found[name], at = at, at + reader.width
        return found

    def converters(self, db) -> list[tuple[int, list, object]]:
        """[(column index, converters, expression)] on the connection `db`, as the ORM's
        compiler computes them; cached per connection."""
        found = self._converters.get(db.ops)
        if found is None:
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                funcs = db_converters(column, db)
                if funcs:
                    found.append((index, funcs, column))
            self._converters[db.ops] = found
        return found

    def build(self, row, start: int = 0):
        values = list(row[start : start + self.width])
        if values[self._pk] is None:
            return None
        db = _db()
        for index, funcs, column in self.converters(db):
            value = values[index]
            for func in funcs:
                value = func(value, column, db)
            values[index] = value
        model, through = self.model, self._through
        if through is None or pre_init.has_listeners(model) or post_init.has_listeners(model):
            return model.from_db(db.alias, self.names, values)
        # what Model.__init__ (positional values) and from_db leave, without their loop
        obj = model.__new__(model)
        state = ModelState()
        state.adding, state.db = False, db.alias
        attrs = obj.__dict__
        attrs["_state"] = state
        attrs.update(zip(self.names, values, strict=True))
        for index, name in through:
            setattr(obj, name, values[index])
        return obj

    @functools.cached_property
    def _through(self) -> list[tuple[int, str]] | None:
        """For `build`: the fields whose value must be set through their class's
        descriptor (one that does more than store it, e.g. a phone number's), or None
        when the model has its own `__init__` or `from_db` (then it builds through
        them). A fresh instance holds no related object and no file, so a foreign key's
        or file's descriptor would only store the value."""
        model = self.model
        if (
            model.__init__ is not models.Model.__init__
            or model.from_db.__func__ is not models.Model.from_db.__func__
        ):
            return None
        return [(index, name) for index, name in enumerate(self.names) if set_through(model, name)]


def set_through(model, name: str) -> bool:
    """Whether a fresh instance's attribute `name` must be set through its class's
    descriptor: one that does more than store the value (a phone number's parses it). A
    fresh instance holds no related object and no file, so a foreign key's or a file's
    descriptor would only store it (`Rows.build`, `bulkload.instance_maker`)."""
    found = inspect.getattr_static(model, name, None)
    return hasattr(type(found), "__set__") and not isinstance(
        found, (ForeignKeyDeferredAttribute, FileDescriptor)
    )


@functools.cache
def _first_plan(model, alias: str, where: str, also: str) -> tuple[Rows, str]:
    rows = Rows(model, alias)
    columns = f"{rows.select}, {also}" if also else rows.select
    return rows, f"SELECT {columns} FROM {rows.table} WHERE {where} LIMIT 1"


def first_row(model, alias: str, where: str, params=()):
    """The instance of the first `model` row matching `where` (SQL with %s placeholders,
    its columns under `alias`), None when none: for a read on every request whose ORM
    compile step costs more than the statement (~1 ms of CPU against ~0.3 ms). Bound on
    the server (`server_binding`), so PostgreSQL prepares it on each connection."""
    rows, row = first_values(model, alias, where, params)
    return rows.build(row) if row is not None else None


def first_values(
    model, alias: str, where: str, params=(), also: str = ""
) -> tuple[Rows, tuple | None]:
    """`first_row`'s row as the database gives it (None when none), with the `Rows` that
    builds its instance: a row kept across requests is built into a new instance each time.
    `also`: more SQL columns after the model's (the row's last values; `build` ignores them)."""
    rows, sql = _first_plan(model, alias, where, also)
    with server_binding(), _db().cursor() as cursor:
        cursor.execute(sql, params)
        return rows, cursor.fetchone()


def cache_related(obj, name: str, value) -> None:
    """What select_related stores: `obj.<name>` answers `value` without a query."""
    obj._state.fields_cache[name] = value


@functools.cache
def _insert_plan(model, vendor: str, mark: str = "%s") -> tuple[list, str, str, str]:
    """(fields, head, row, arrays) of `insert_sql` for `model` on `vendor`: every concrete
    field but an auto-incremented primary key, `INSERT INTO table (columns)`, the
    placeholders of one row, and `UNNEST(%s::type[], ...)` when several rows can go as
    one array per column (PostgreSQL, on the conditions Django's own compiler applies in
    `SQLInsertCompiler.assemble_as_sql`), else "". `mark` is the arrays' placeholder:
    `%b` (psycopg dumps the array in binary) on a cursor binding on the server."""
    db = _db()
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row = f"({', '.join('%s' for _ in fields)})"
    arrays = ""
    if vendor == "postgresql" and not any(
        hasattr(f, "get_placeholder")
        or (f.target_field if f.is_relation else f).get_internal_type() not in db.data_types
        for f in fields
    ):
        types = [f.db_type(db).split("(")[0] for f in fields]
        arrays = f"UNNEST({', '.join(f'({mark})::{t}[]' for t in types)})"
    return fields, f"INSERT INTO {quote(model._meta.db_table)} ({columns})", row, arrays


_AWARE = object()  # a datetime field: passed as is only when aware

# Inside `server_binding`, rows up to this many values in all go as VALUES with one
# parameter per value: psycopg dumps a scalar in C, while an array parameter is built
# element by element in Python (~80 µs for a 5-row movement INSERT against ~16 µs as
# scalars). The statement's text then depends on the number of rows, so each row count
# is prepared on its own; larger inserts keep the arrays (one text whatever the rows, and
# far from PostgreSQL's 65,535 parameters).
VALUES_PARAMS = 1000


@functools.cache
def _preparers(model, vendor: str) -> list[tuple]:
    """Per field of `insert_sql`'s row: (field, attname, whether its `pre_save` does more
    than read the attribute, the value types its `get_db_prep_save` passes through
    unchanged on this backend or None, and the wrapper it applies to them). On
    PostgreSQL with psycopg 3 a plain string, Decimal, bool, UUID, aware datetime, primary
    key or None goes as it is, an integer in the psycopg type the field's column takes
    (`ops.adapt_integerfield_value`); anything else (JSON, IP addresses, expressions,
    other fields) through the field itself. ~250 values a 5-line confirm."""
    import datetime as dt
    import decimal
    import uuid

    from django.db.models.fields import AutoFieldMixin

    db = _db()
    ints = getattr(db.ops, "integerfield_type_map", None) if vendor == "postgresql" else None
    plan = []
    for f in _insert_plan(model, vendor)[0]:
        target = f.target_field if f.is_relation else f
        kind, types, wrap = type(target), None, None
        if ints is None:
            pass
        elif isinstance(target, AutoFieldMixin):
            types = (int,)
        elif kind in (models.CharField, models.TextField):
            types = (str,)
        elif kind in (models.DecimalField,):
            types = (decimal.Decimal,)
        elif kind in (models.BooleanField,):
            types = (bool,)
        elif kind in (models.UUIDField,):
            types = (uuid.UUID,)
        elif kind in (models.DateTimeField,):
            types, wrap = (dt.datetime,), _AWARE
        elif target.get_internal_type() in ints and kind.get_db_prep_value is (
            models.IntegerField.get_db_prep_value
        ):
            types, wrap = (int,), ints[target.get_internal_type()]
        own_pre_save = type(f).pre_save is not models.Field.pre_save
        plan.append((f, f.attname, own_pre_save, types, wrap))
    return plan


def _prepared(obj, plan: list[tuple], db) -> list:
    """`obj`'s values as `get_db_prep_save(pre_save(obj, True))` gives them (`_preparers`)."""
    values = []
    for f, attname, own_pre_save, types, wrap in plan:
        value = f.pre_save(obj, True) if own_pre_save else getattr(obj, attname)
        if types is None:
            value = f.get_db_prep_save(value, db)
        elif value is None:
            pass
        elif type(value) not in types:
            value = f.get_db_prep_save(value, db)
        elif wrap is _AWARE:
            if value.tzinfo is None:
                value = f.get_db_prep_save(value, db)
        elif wrap is not None:
            value = wrap(value)
        values.append(value)
    return values


def insert_sql(objs: list, model=None) -> tuple[str, list]:
    """The INSERT of `objs` (new rows of one model) and its parameters, each value
    prepared by its field as the ORM's InsertQuery prepares it (`pre_save`,
    `get_db_prep_save`), without that compile step. Several rows go as one array per
    column on PostgreSQL (`INSERT ... SELECT * FROM UNNEST(...)`, as Django's compiler
    sends them), so the statement's text does not grow with the rows; inside
    `server_binding` those arrays go in binary (no quoting and escaping of each element
    into an array literal, ~1 ms of CPU a 5-line confirm), and a few rows (at most
    VALUES_PARAMS values) as VALUES, one parameter per value. A row is an instance of
    `model` (by default the first row's class) or any object with its fields' attnames
    (`apps.core.audit.audit_rows`)."""
    db = _db()
    mark = "%b" if binds_on_server(db) else "%s"
    model = model or type(objs[0])
    fields, head, row, arrays = _insert_plan(model, db.vendor, mark)
    plan = _preparers(model, db.vendor)
    rows = [_prepared(obj, plan, db) for obj in objs]
    few = mark == "%b" and len(objs) * len(fields) <= VALUES_PARAMS
    if len(objs) > 1 and arrays and not few:
        return f"{head} SELECT * FROM {arrays}", [list(c) for c in zip(*rows, strict=True)]
    return f"{head} VALUES {', '.join(row for _ in objs)}", [v for r in rows for v in r]


def insert_all(objs: list, model=None, *, before: tuple[str, list] | None = None) -> None:
    """`Model.objects.bulk_create(objs)` for new rows of one model, written out: one
    `insert_sql` ... RETURNING id per batch (the backend's batch size), the primary keys
    set from RETURNING on the rows that are model instances (plain rows, see
    `insert_sql`, get none). For the stock documents' movements and audit events, whose
    bulk_create compile step cost more CPU than the INSERT itself. Sends no signal, as
    bulk_create sends none. `before` (`name AS (...)` CTEs and their parameters) is sent
    with the first batch's INSERT, in the same statement."""
    if not objs:
        return
    db = _db()
    model = model or type(objs[0])
    opts = model._meta
    instances = [obj for obj in objs if isinstance(obj, models.Model)]
    if not db.features.can_return_rows_from_bulk_insert or not isinstance(
        opts.pk, models.AutoField
    ):
        if before is not None:
            with db.cursor() as cursor:
                cursor.execute(f"WITH {before[0]} SELECT 1", before[1])
        rows = [obj if isinstance(obj, models.Model) else model(**vars(obj)) for obj in objs]
        model._base_manager.bulk_create(rows)
        return
    for obj in instances:
        if obj.pk is not None:
            raise ValueError("insert_all takes new rows only")
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    fields = _insert_plan(model, db.vendor)[0]
    size = max(db.ops.bulk_batch_size(fields, objs), 1)
    returning = f" RETURNING {db.ops.quote_name(opts.pk.column)}"
    with db.cursor() as cursor:
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            sql, params = insert_sql(batch, model)
            if before is not None and start == 0:
                sql, params = f"WITH {before[0]} {sql}", [*before[1], *params]
            cursor.execute(sql + returning, params)
            for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                if isinstance(obj, models.Model):
                    obj.pk = pk
    for obj in instances:
        obj._state.adding = False
        obj._state.db = db.alias


def binds_on_server(db) -> bool:
    """Whether cursors opened on `db` (a connection object) now bind their parameters on
    the server: inside `server_binding`, or with the `server_side_binding` option."""
    if db.vendor != "postgresql" or db.connection is None:
        return False
    from django.db.backends.postgresql.base import Cursor

    return db.connection.cursor_factory is not Cursor


@functools.cache
def _cache_long_statements() -> None:
    """psycopg parses a statement's `%s` placeholders with a regex on every execute
    unless the statement is at most 4096 bytes with at most 50 parameters (then the
    parse is cached, 128 statements): a 5-line confirm's last statement (~4,100 bytes,
    158 parameters) paid ~0.5 ms of CPU for it each time. Its text is the same for a
    given number of lines, so it is worth caching; the cache stays bounded by its size.
    The limits are psycopg's private module settings: a psycopg without them (renamed in
    an upgrade) only loses this cache, nothing else changes."""
    try:
        from psycopg import _queries
    except ImportError:
        return
    for name, floor in (
        ("MAX_CACHED_STATEMENT_LENGTH", 32768),
        ("MAX_CACHED_STATEMENT_PARAMS", 1000),
    ):
        if isinstance(getattr(_queries, name, None), int):
            setattr(_queries, name, max(getattr(_queries, name), floor))


@contextlib.contextmanager
def server_binding():
    """PostgreSQL: every cursor opened on this thread's connection inside the block binds
    its parameters on the server (Django's `ServerBindingCursor`, as with the
    `server_side_binding` option) instead of quoting them into the text as Django's default
    cursor does. Only such statements can be prepared: psycopg prepares one sent
    `prepare_threshold` times on a connection (our settings: 5, unless PG_PREPARE=off), so
    a hot path whose statements keep the same text skips PostgreSQL's parse and plan (a
    5-line order confirm: ~3 ms of server time) and psycopg's quoting of every value.
    Nothing on SQLite, or when the connection already binds on the server."""
    db = _db()
    if db.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import Cursor, ServerBindingCursor

    _cache_long_statements()
    db.ensure_connection()
    raw = db.connection
    if raw.cursor_factory is not Cursor:
        yield
        return
    raw.cursor_factory = ServerBindingCursor
    try:
        yield
    finally:
        raw.cursor_factory = Cursor


def written_in(sql: str, params, raw) -> str:
    """`sql` (Django's `%s` placeholders) with `params` written into it as literals of the
    types psycopg binds them as on the server (`CAST('1' AS smallint)`, `CAST(0 AS
    bigint)`; a text stays an untyped literal, as psycopg binds it), quoted by psycopg
    (`Transformer.as_literal`, what Django's default cursor writes). Typed, the statement
    is planned as the bound one: an untyped `0` is an integer, and a UNION ALL of it with
    a bigint column is no longer flattened (one store's page 2 took a parallel plan, 5x
    slower). `raw`: the psycopg connection."""
    from psycopg.adapt import PyFormat, Transformer

    transformer = Transformer(raw)
    types = raw.adapters.types

    def literal(value) -> str:
        text = transformer.as_literal(value).decode()
        if value is None:
            return text
        dumper = transformer.get_dumper(value, PyFormat.AUTO).upgrade(value, PyFormat.AUTO)
        info = types.get(dumper.oid) if dumper.oid else None
        return f"CAST({text} AS {info.regtype})" if info is not None else text

    return sql % tuple(literal(value) for value in params)


@contextlib.contextmanager
def planned_once():
    """PostgreSQL, inside `server_binding`: the statements sent in the block go with their
    parameters written into the text (`written_in`), so a prepared one has no parameters,
    and PostgreSQL plans a statement without parameters once per connection, for the very
    values it holds. With parameters, a statement whose generic plan PostgreSQL judges
    worse than its custom ones is planned again on every run (the product list by one
    store's stock: ~1.7 ms of planning a page, docs/performance.md "The one-store page
    planned once per connection"). For statements whose texts repeat (a list's first
    pages): each distinct text is one more statement for psycopg to count and prepare
    (`prepared_max` of them a connection, the least recently used deallocated).
    Nothing elsewhere (SQLite, or a cursor that quotes its parameters anyway)."""
    db = _db()
    if not binds_on_server(db):
        yield
        return

    def literal(execute, sql, params, many, context):
        if params and not many and isinstance(params, list | tuple):
            sql, params = written_in(sql, params, db.connection), None
        return execute(sql, params, many, context)

    with db.execute_wrapper(literal):
        yield

"""Bulk loading for benchmark data (`seed_demo --scale`): the fast paths, one place.

- `rows_insert`: PostgreSQL `COPY` (about ten times faster than INSERTs for millions of
  rows), `executemany` INSERTs elsewhere (SQLite: slower, same rows).
- `ids_reserve`: primary keys for rows that others point at, taken before writing them
  (PostgreSQL: the table's own sequence; SQLite: after the highest id, as the one writer).
- `load_deferred`, `restore_meanwhile`, `analyze`: indexes and keys dropped for a load and
  added back, and fresh statistics after it (apps/core/bulkload_indexes.py).
- `trigger_off`: one of a table's triggers off for a load whose rows a later step makes
  what that trigger would (PostgreSQL).
- `forked_map` and `rows_pack`: rows computed in forked worker processes (no database
  access there) as ready COPY text, streamed into this process's connection and
  transaction: Python builds rows on one core while PostgreSQL parses them on the other.

Rows written here skip the services on purpose, like a data migration: the builders that
call them (apps/*/demo_scale.py) compute every figure with the services' own rules, so
`check_books` holds on the result.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import itertools
import multiprocessing
import operator
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, models
from django.utils import timezone
from psycopg._copy_base import format_row_text  # the C version with psycopg[binary]
from psycopg.adapt import Transformer


def _table(model_or_table) -> str:
    return model_or_table if isinstance(model_or_table, str) else model_or_table._meta.db_table


def _defaults(model, columns: Sequence[str]) -> tuple[list[str], tuple]:
    """The model's other columns and their default values (computed once), so rows stay
    valid when a column is added later; an automatic primary key is left to the table."""
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in columns or (field.primary_key and field.get_internal_type() in AUTO):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = timezone.now()
        else:
            value = field.get_default() if field.has_default() else None
        names.append(field.column)
        values.append(field.get_db_prep_save(value, connection))
    return names, tuple(values)


AUTO = {"AutoField", "BigAutoField", "SmallAutoField"}


def rows_insert(model_or_table, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert plain tuples (in `columns` order) into a table; returns how many.

    Given a model, its columns not named here get their field default (e.g. a column
    another change adds later)."""
    table = _table(model_or_table)
    if not isinstance(model_or_table, str):
        extra_columns, extra = _defaults(model_or_table, columns)
        if extra_columns:
            columns = [*columns, *extra_columns]
            rows = (tuple(row) + extra for row in rows)
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    return _executemany(table, columns, rows)


def _executemany(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """INSERT the rows in batches (SQLite and other non-COPY databases)."""
    count = 0
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"
    batch: list = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append([_sqlite(v) for v in row])
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


class Packed(NamedTuple):
    """Rows of one table ready to write: COPY text on PostgreSQL, else the tuples."""

    table: str
    columns: tuple[str, ...]
    data: bytes | list
    count: int


def rows_pack(model_or_table, columns: Sequence[str], rows: Iterable[Sequence]) -> Packed:
    """The rows of `rows_insert`, prepared without the database (e.g. in a `forked_map`
    worker); `packed_insert` writes them. On PostgreSQL: the COPY text psycopg's
    `write_row` would send, made by the worker instead of row by row here."""
    table = _table(model_or_table)
    extra: tuple = ()
    if not isinstance(model_or_table, str):
        extra_columns, extra = _defaults(model_or_table, columns)
        columns = [*columns, *extra_columns]
    if connection.vendor != "postgresql":
        data = [tuple(row) + extra for row in rows]
        return Packed(table, tuple(columns), data, len(data))
    # psycopg's own COPY row formatter (its C version; what `write_row` sends), with the
    # connection's adapters: reading them needs no round trip, so a worker may call it
    transformer, text, count = Transformer(connection.connection), bytearray(), 0
    for row in rows:
        format_row_text(tuple(row) + extra if extra else row, transformer, text)
        count += 1
    return Packed(table, tuple(columns), bytes(text), count)


def packed_insert(packed: Packed) -> int:
    """Write rows prepared by `rows_pack`; returns how many."""
    if not packed.count:
        return 0
    if connection.vendor != "postgresql":
        return _executemany(packed.table, packed.columns, packed.data)
    with connection.cursor() as cursor:
        sql = f"COPY {packed.table} ({', '.join(packed.columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            copy.write(packed.data)
    return packed.count


def forked_map(func: Callable, parts: Iterable, shared=None, *, workers: int = 2) -> Iterator:
    """`func(shared, part)` for every part, yielded in order.

    On PostgreSQL the calls run in `workers` forked processes while the caller consumes
    the results (e.g. `packed_insert`s them into its COPYs, in its own transaction): the
    rows are computed on one core while the server parses the previous ones on the other.
    `func` must not touch the database (the connection belongs to this process): plain
    inputs in (ids reserved here beforehand; `shared` reaches the workers by the fork, not
    pickled), plain results out (`rows_pack`). At most `workers + 1` results wait. Each
    worker has its own random state: a part seeds its own generators, so the data do not
    depend on which process computed it. Elsewhere (SQLite): the calls run here, in turn.
    """
    global _shared
    if connection.vendor != "postgresql":
        for part in parts:
            yield func(shared, part)
        return
    _shared = shared
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            todo = iter(parts)
            waiting = collections.deque(
                pool.apply_async(_forked, (func, part)) for part in _take(todo, workers + 1)
            )
            while waiting:
                result, cpu = waiting.popleft().get()
                _worker_cpu[0] += cpu
                waiting.extend(pool.apply_async(_forked, (func, p)) for p in _take(todo, 1))
                yield result
    finally:
        _shared = None


_shared = None


def _take(iterator: Iterator, count: int) -> list:
    return list(itertools.islice(iterator, count))


def _forked(func: Callable, part):
    started = time.process_time()
    result = func(_shared, part)
    return result, time.process_time() - started


def worker_cpu() -> float:
    """CPU seconds `forked_map`'s workers have spent in their calls so far."""
    return _worker_cpu[0]


_worker_cpu = [0.0]


def objects_insert(model, objects: Sequence) -> int:
    """Insert unsaved model instances (every concrete column, defaults as the instances
    have them; the primary key if the first one has it, else the table's)."""
    if not objects:
        return 0
    now = timezone.now()
    with_pk = objects[0].pk is not None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    getters = []
    for field in fields:
        if isinstance(field, models.FileField):
            getters.append(lambda obj, name=field.attname: getattr(obj, name).name or "")
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            getters.append(lambda obj, name=field.attname: getattr(obj, name) or now)
        else:
            getters.append(operator.attrgetter(field.attname))
    return rows_insert(
        model._meta.db_table,
        [f.column for f in fields],
        (tuple(get(obj) for get in getters) for obj in objects),
    )


def instance_maker(model) -> Callable[..., models.Model]:
    """`make(**values)`: an unsaved instance of `model`, as `model(**values)` makes it, for
    rows a builder writes with `objects_insert` (values by attribute name: `customer_id`,
    not `customer`). It skips `Model.__init__`'s work per field (an invoice: ~33 µs against
    ~8 µs here; ~3 s of the benchmark data's 100,000): the defaults of the fields not given are
    computed once (a callable one is called for each instance that lacks it). A model with
    its own `__init__`, `pre_init`/`post_init` receivers, or a field whose descriptor does
    more than store the value (a phone number's) is made by `model(**values)`."""
    from django.db.models.base import ModelState
    from django.db.models.signals import post_init, pre_init

    from .sql import set_through

    fields = model._meta.concrete_fields
    plain = (
        model.__init__ is models.Model.__init__
        and not pre_init.has_listeners(model)
        and not post_init.has_listeners(model)
        and not any(set_through(model, f.attname) for f in fields)
    )
    if not plain:
        return model
    names = {f.attname for f in fields}
    called = [f for f in fields if f.has_default() and callable(f.default)]
    fixed = {f.attname: f.get_default() for f in fields if f not in called}
    computed = [(f.attname, f.get_default) for f in called]
    new = model.__new__

    def make(**values) -> models.Model:
        unknown = values.keys() - names
        if unknown:
            raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
        obj = new(model)
        attrs = obj.__dict__
        attrs["_state"] = ModelState()
        attrs.update(fixed)
        for name, default in computed:
            if name not in values:
                attrs[name] = default()
        attrs.update(values)
        return obj

    return make


def rows_update(model, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """UPDATE rows by primary key: each row is the new values of `columns`, then the pk.

    One prepared statement sent many times (psycopg pipelines them): unlike the ORM's
    bulk_update, whose CASE WHEN over every key costs quadratic time at thousands of rows.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    sql = f"UPDATE {table} SET {sets} WHERE id = %s"
    adapt = _sqlite if connection.vendor != "postgresql" else None
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[adapt(v) for v in row] if adapt else row for row in rows])


def _sqlite(value):
    """A value as Django writes it to SQLite (UUIDs as 32 hex digits, datetimes in UTC)."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def ids_reserve(model, count: int) -> list[int]:
    """`count` new integer primary keys of `model`'s table, in increasing order."""
    if count <= 0:
        return []
    table = _table(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


class UuidMaker:
    """Distinct UUIDs that follow each other (a random prefix, then a counter): index
    inserts land at the end of the B-tree instead of all over it, and making a million
    costs a fraction of uuid4()'s time."""

    def __init__(self):
        self.prefix = uuid.uuid4().int >> 64 << 64
        self.n = 0

    def __call__(self) -> uuid.UUID:
        self.n += 1
        # what uuid.UUID(int=...) stores, without its argument checks (the value is in
        # range by construction): a third of the time, for millions of keys
        made = _new(uuid.UUID)
        _set(made, "int", self.prefix | self.n)
        _set(made, "is_safe", uuid.SafeUUID.unknown)
        return made


_new, _set = object.__new__, object.__setattr__


@contextlib.contextmanager
def trigger_off(model, name: str):
    """PostgreSQL: trigger `name` of `model`'s table off in the block, on again after it
    (within the caller's transaction: a rollback restores it too; the ALTER TABLE locks
    the table, so no other writer's insert can miss it). Elsewhere: nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
        yield
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")

"""Indexes and keys around a bulk load (`seed_demo --scale`; apps/core/bulkload.py writes
the rows).

- `load_deferred`: on PostgreSQL, drop a table's foreign keys and plain indexes for the
  load and add them back afterwards: one join checks every row's keys and an index is
  sorted once, instead of a trigger query and an index insert per row.
- `restore_meanwhile`: inside a load, those indexes and keys added back in a thread on the
  same connection while a builder computes rows without the database (the two cores busy);
  `loads_ahead` names the tables later builders still load, which it leaves alone.
- `restore_pending`: the trigram (GIN) indexes a load's outermost transaction committed
  without, built right after the commit in another connection while the caller goes on
  (PostgreSQL builds a GIN index in one process, B-trees with parallel workers): listed in
  `core.PendingIndex` in the loading transaction, each row deleted in the transaction
  that builds its index, so a stopped run leaves the list for the next one.
- `analyze`: fresh planner statistics after a load (autovacuum may be off); all tables in
  two connections at once after the load has committed.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time

from django.db import connection, transaction

from .bulkload import _table


class _Deferred:
    """What a load dropped: the definitions to add back, and the tables done."""

    def __init__(self):
        self.tables: set[str] = set()
        self.indexes: list[tuple[str, str]] = []  # (table, definition)
        self.keys: list[tuple[str, str, str]] = []
        self.timings: list[tuple[float, str]] = []  # (seconds, what) of each step added back
        self.early: list[tuple[float, str]] = []  # the same, of those added back `meanwhile`
        self.restored: set[str] = set()  # `what` of the steps added back early (`meanwhile`)
        self.ahead: set[str] = set()  # tables later builders load (`loads_ahead`)
        self.prepared = False

    def drop(self, models) -> None:
        with connection.cursor() as cursor:
            # rows written so far have their deferred key checks now: a table with
            # pending trigger events cannot be altered
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for model in models:
                table = _table(model)
                if table in self.tables:
                    continue
                self.tables.add(table)
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    self.keys.append((table, name, definition))
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s"
                    " AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM"
                    " pg_constraint c WHERE c.conname = i.indexname)",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    self.indexes.append((table, definition))
                    cursor.execute(f'DROP INDEX "{name}"')

    def steps(self) -> list[tuple[str, str, str]]:
        """(table, statement, what) of everything to add back, indexes first."""
        return [(table, d, d) for table, d in self.indexes] + [
            (table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}', f"{table}.{name}")
            for table, name, definition in self.keys
        ]

    def prepare(self, execute) -> None:
        """Once per transaction, before the first step is added back."""
        if self.prepared:
            return
        self.prepared = True
        # each index sorted in memory, and each key checked by one in-memory hash join
        # (millions of journal lines against their entries) instead of spilling to disk
        execute("SET LOCAL maintenance_work_mem = '1GB'")
        execute("SET LOCAL work_mem = '256MB'")

    def restore(self, execute, *, skip=frozenset(), stop=None, timings=None, later=None) -> None:
        """Add back every step not done yet, but those of the tables in `skip`; before
        each one, `stop()` (if given) may end it early. (seconds, what) of each step go
        to `timings` (default: `self.timings`). With a list `later`, the GIN indexes go
        there as (table, statement) instead of being built."""
        timings = self.timings if timings is None else timings
        # deferred foreign-key checks of the rows written so far run now: an index is not
        # built over a table with pending trigger events
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.prepare(execute)
        for table, sql, what in self.steps():
            if table in skip or what in self.restored:
                continue
            if stop is not None and stop():
                break
            if later is not None and _GIN.search(sql):
                later.append((table, sql))
                self.restored.add(what)
                continue
            started = time.monotonic()
            execute(sql)
            timings.append((time.monotonic() - started, what))
            self.restored.add(what)
        execute("SET CONSTRAINTS ALL DEFERRED")


_active: list[_Deferred] = []
_GIN = re.compile(r"^CREATE INDEX \S+ ON \S+ USING gin ")


@contextlib.contextmanager
def load_deferred(*models, report=None):
    """PostgreSQL: drop the foreign keys and plain indexes of these tables, yield, then
    add them back. Use inside the loading transaction.

    A foreign key added to a filled table is checked by one join over all rows instead of
    a trigger query per inserted row, and an index built once sorts instead of inserting
    row by row; both fail, and the transaction with them, if a loaded row breaks them.
    Primary keys, unique and check constraints stay in place throughout. Indexes that
    back no constraint (lookups, sorting, partial unique indexes) are rebuilt from their
    own definitions. Nested inside another load_deferred (seed_demo wraps every builder
    in one), the tables join the outer one and everything is added back once, at its
    end. `report(timings, early=...)`, if given to the outermost one, receives the
    (seconds, what) of every index and key added back at the end, and of those added
    back early (`restore_meanwhile`). Elsewhere (SQLite): nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if _active:
        _active[-1].drop(models)
        yield
        return
    deferred = _Deferred()
    deferred.drop(models)
    _active.append(deferred)
    try:
        yield
    finally:
        _active.pop()
    # the load's own transaction is the outermost one: its GIN indexes are built after its
    # commit, in another connection (`restore_pending`), instead of inside it
    later = [] if connection.in_atomic_block and not connection.savepoint_ids else None
    with connection.cursor() as cursor:
        deferred.restore(cursor.execute, later=later)
    if later:
        from .models import PendingIndex

        PendingIndex.objects.bulk_create(
            [PendingIndex(table=table, statement=sql) for table, sql in later]
        )
    if report is not None:
        report(deferred.timings, early=deferred.early)


def pending_tables() -> set[str]:
    """The tables with an index `restore_pending` has still to build."""
    if connection.vendor != "postgresql":
        return set()
    from .models import PendingIndex

    return set(PendingIndex.objects.values_list("table", flat=True))


def restore_pending() -> list[tuple[float, str]]:
    """Build every index a committed load left to build (`core.PendingIndex`), each in
    its own transaction with its row's deletion, then ANALYZE their tables; returns the
    (seconds, statement) of each. Run outside a transaction; a row another process is
    building is left to it. Elsewhere (SQLite): nothing."""
    if connection.vendor != "postgresql":
        return []
    from .models import PendingIndex

    timings, tables = [], set()
    for pk in PendingIndex.objects.order_by("pk").values_list("pk", flat=True):
        started = time.monotonic()
        with transaction.atomic():
            row = PendingIndex.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:
                continue
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
                # built meanwhile by hand, or by a run stopped after its CREATE: kept
                cursor.execute(
                    re.sub(
                        r"^CREATE (UNIQUE )?INDEX ", r"CREATE \1INDEX IF NOT EXISTS ", row.statement
                    )
                )
            row.delete()
        timings.append((time.monotonic() - started, row.statement))
        tables.add(row.table)
    if tables:
        _analyze_tables(sorted(tables))
    return timings


class InThread:
    """`func(*args)` in a thread with its own database connection (Django's are per
    thread), closed when it ends; `result()` waits for it and returns its value or raises
    its exception in the caller's thread."""

    def __init__(self, func, *args):
        self._value, self._failed = None, []
        self._thread = threading.Thread(target=self._run, args=(func, *args))
        self._thread.start()

    def _run(self, func, *args):
        try:
            self._value = func(*args)
        except BaseException as exc:  # raised again by result()
            self._failed.append(exc)
        finally:
            connection.close()

    def result(self):
        self._thread.join()
        if self._failed:
            raise self._failed[0]
        return self._value


def restored_early() -> tuple[int, float]:
    """How many indexes and keys `restore_meanwhile` has added back so far in the current
    load, and their seconds ((0, 0.0) outside a load)."""
    if not _active:
        return 0, 0.0
    early = _active[0].early
    return len(early), sum(seconds for seconds, _ in early)


@contextlib.contextmanager
def loads_ahead(*models):
    """Inside a load_deferred: the tables in `models` are still to be loaded (by the
    builders that come later), so `restore_meanwhile` leaves their indexes and keys
    alone in this block as well as those it is given. Elsewhere: just the block."""
    if not _active:
        yield
        return
    deferred = _active[0]
    before = deferred.ahead
    deferred.ahead = before | {_table(m) for m in models}
    try:
        yield
    finally:
        deferred.ahead = before


@contextlib.contextmanager
def restore_meanwhile(*loading, finish: bool = True):
    """While the block computes rows without the database, add back in a thread, on this
    process's connection and in its transaction, the indexes and keys the enclosing
    `load_deferred` dropped, but those of the tables in `loading` (the ones still to be
    written): the server builds them on the other core instead of at the end of the load.

    The block must not use the database meanwhile (the thread has the connection: a query
    would wait for the statement in progress, a COPY would break the protocol). When the
    block ends, this waits for the thread to add back the rest of those steps (they would
    take the connection as long later on), or with `finish=False` only for the statement
    in progress (a short block followed by a longer one: the rest waits for the next). A
    table written after its indexes and keys are back gets their entries and checks row
    by row (correct, slower): name every table the builder still loads (those of the
    builders after it: `loads_ahead`). Elsewhere (SQLite, or outside a load_deferred):
    just the block."""
    if connection.vendor != "postgresql" or not _active:
        yield
        return
    deferred = _active[0]
    skip = {_table(m) for m in loading} | deferred.ahead
    connection.ensure_connection()
    raw = connection.connection  # psycopg's own: Django's connection object is per thread
    done, failed = threading.Event(), []

    def run():
        try:
            deferred.restore(raw.execute, skip=skip, stop=done.is_set, timings=deferred.early)
        except BaseException as exc:  # raised again in the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="restore_meanwhile")
    thread.start()
    try:
        yield
    except BaseException:
        done.set()  # the block failed: the statement in progress, and no more
        raise
    finally:
        if not finish:
            done.set()
        thread.join()
    if failed:
        raise failed[0]


def analyze(*models, workers: int = 1, skip=frozenset()) -> None:
    """ANALYZE these tables (all tables without arguments, but those in `skip`) on
    PostgreSQL; all tables in `workers` connections at once, the largest first, when
    called outside a transaction (after a load has committed: each table's lock is held
    only while it is analysed)."""
    if connection.vendor != "postgresql":
        return
    if models:
        _analyze_tables([_table(m) for m in models])
        return
    with connection.cursor() as cursor:
        # every table a plain ANALYZE covers (system catalogs too), by size
        cursor.execute(
            "SELECT c.oid::regclass::text, pg_relation_size(c.oid) FROM pg_class c"
            " WHERE c.relkind IN ('r', 'm', 'p') AND c.relpersistence <> 't'"
            " ORDER BY 2 DESC, 1"
        )
        tables = [(name, size) for name, size in cursor.fetchall() if name not in skip]
    if workers <= 1 or connection.in_atomic_block:
        # (inside a transaction another connection would wait for the tables it loaded)
        _analyze_tables([name for name, _ in tables])
        return
    shares: list[list[str]] = [[] for _ in range(workers)]
    sizes = [0] * workers
    for name, size in tables:  # each next largest to the least loaded connection
        least = sizes.index(min(sizes))
        shares[least].append(name)
        sizes[least] += size + 8192
    others = [InThread(_analyze_tables, share) for share in shares[1:]]
    try:
        _analyze_tables(shares[0])
    finally:
        for other in others:
            other.result()


def _analyze_tables(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")

"""Reference lists kept per process, as fresh as a read at the start of the request.

Every page reads a few short lists that almost never change: the company settings row (the
title, the base currency), and a filter bar's stores, categories, currencies or posting
sources. Each was one statement per request, ~0.3 ms of CPU with its compile and instances
(docs/performance.md, "Reference lists from the session's statement").

The stamp: one row (`ReferenceStamp`) whose value a database trigger replaces with a new
random number in every transaction that inserts, updates or deletes a row of a stamped
table (`STAMPED_TABLES`; the trigger is installed by each table's own migration through
`stamp_trigger`). The session's statement, which a logged-in GET request runs anyway, reads
the value (`apps.accounts.sessions`); `cached(key, load)` then answers what it loaded under
that same value earlier in this process, or loads it now and keeps it. So a page never
shows a list older than the state at its session read: a change commits the new stamp with
the new rows, and any process reading the new stamp has not loaded under it yet.

- Only GET/HEAD requests have a memo (`request_context.memo_for`), so a request that writes
  (and every job, command or API call without a session) reads the tables as before.
- The stamp is random, not a counter, so a rolled-back change (every TestCase) can never
  come back with the number of a list kept from inside that transaction.
- Without the row the value is NULL and nothing is kept (a flush, which empties it,
  writes it again with a new value: `post_migrate`, apps/core/apps.py).
- Kept values are shared by the threads of a process: callers must not change them
  (`CompanySettings.load` builds a new instance from the kept row each time).
- Any number of processes and machines: each checks its kept lists against the one
  database row. A read replica would have to serve neither the stamp nor these lists (a
  lagging copy could be kept under a newer stamp): they read the default database.
"""

from __future__ import annotations

from django.db import migrations

from .request_context import request_memo
from .sql import by_vendor

STAMP_TABLE = "core_referencestamp"
# Tables whose every change moves the stamp. `cached` refuses a key naming another table.
STAMPED_TABLES = frozenset(
    {
        "core_companysettings",
        "django_content_type",
        "inventory_store",
        "catalog_category",
        "finance_currency",
        # People and their roles: the session's user (apps.accounts.backends), the movement
        # list's "User" options.
        "accounts_user",
        "accounts_user_groups",
        "auth_group",
    }
)
_MEMO_KEY = "reference_stamp"
_kept: dict[str, tuple[int, object]] = {}


def stamp_select() -> str:
    """A scalar subquery of the stamp's value (NULL without the row), for a SELECT list."""
    return f"(SELECT r.value FROM {STAMP_TABLE} r WHERE r.id = 1)"


def stamp_seen(value: int | None) -> None:
    """The stamp this GET request read (from the session's statement)."""
    memo = request_memo()
    if memo is not None and value is not None:
        memo[_MEMO_KEY] = value


def cached(table: str, key: str, load):
    """`load()`'s value, kept in this process under the request's stamp: what `load` reads
    must come only from `table` (and other stamped tables). Without a stamp in this request,
    `load()` as it is."""
    if table not in STAMPED_TABLES:
        raise ValueError(f"{table} has no reference stamp trigger")
    memo = request_memo()
    stamp = memo.get(_MEMO_KEY) if memo is not None else None
    if stamp is None:
        return load()
    kept = _kept.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    value = load()
    _kept[key] = (stamp, value)
    return value


def cached_covering(table: str, key: str, load, wanted) -> dict:
    """`cached(table, key, load)` for a dict by primary key that must hold every key of
    `wanted` (None ignored): the kept dict, plus `load(pk__in=...)` for keys it lacks,
    rows added since the request read its stamp (read now, not kept). `load(**where)`
    filters its rows by `where`; with none, it loads them all."""
    kept = cached(table, key, load)
    missing = set(wanted) - kept.keys() - {None}
    if not missing:
        return kept
    return {**kept, **load(pk__in=missing)}


def forget() -> None:
    """Drop every kept list (tests that compare a kept value with a fresh one)."""
    _kept.clear()


# --- the trigger, per vendor --------------------------------------------------------------

# PostgreSQL: one statement-level trigger per table (a bulk change moves the stamp once).
_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION core_reference_stamp_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {STAMP_TABLE} SET value = floor(random() * 9007199254740991)::bigint WHERE id = 1;
    RETURN NULL;
END $$;
"""
_PG_TRIGGER = (
    "CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
    " FOR EACH STATEMENT EXECUTE FUNCTION core_reference_stamp_move();"
)
# SQLite: row-level triggers only, one per kind of change.
_SQLITE_TRIGGER = (
    "CREATE TRIGGER {name}_{event} AFTER {event} ON {table} FOR EACH ROW BEGIN"
    f" UPDATE {STAMP_TABLE} SET value = random() & 9007199254740991 WHERE id = 1; END;"
)
_EVENTS = ("insert", "update", "delete")


def trigger_name(table: str) -> str:
    """The name of `table`'s trigger (on SQLite, the prefix of its three)."""
    return f"{table}_reference_stamp"


def stamp_trigger(table: str) -> migrations.RunPython:
    """The migration operation that makes every change of `table` move the stamp."""
    if table not in STAMPED_TABLES:
        raise ValueError(f"add {table} to STAMPED_TABLES first")
    name = trigger_name(table)
    return by_vendor(
        {
            "postgresql": [_PG_FUNCTION, _PG_TRIGGER.format(name=name, table=table)],
            "sqlite": [_SQLITE_TRIGGER.format(name=name, event=e, table=table) for e in _EVENTS],
        },
        {
            "postgresql": [f"DROP TRIGGER IF EXISTS {name} ON {table};"],
            "sqlite": [f"DROP TRIGGER IF EXISTS {name}_{e};" for e in _EVENTS],
        },
    )

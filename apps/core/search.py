"""Text searches over the big lists (journal, orders, invoices, payments).

A contains-search of three or more characters is served on PostgreSQL by the tables'
trigram indexes (`gin_trgm_ops` on `UPPER(column)`, each app's migrations): the planner
ORs bitmap scans of them and sorts the few rows found. One or two characters make no
trigram, so only reading the rows can show that a rare pair ("zz") is absent, and an index
scan that cannot filter is the slowest way to read them (1.3 s over the journal's 1.7
million entries). `contains` writes such a search as `STRPOS`, which no index serves: the
planner walks the list's order, and `latest_only` ends that walk after the latest
SHORT_SEARCH_ROWS rows, with a note on the list saying so.
"""

from __future__ import annotations

import datetime as dt

from django.db import connections, router
from django.db.models import BooleanField, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Sign, StrIndex, Upper
from django.db.models.lookups import Exact
from django.utils import timezone

# Characters a search needs before the trigram indexes serve it (pg_trgm's trigrams).
TRIGRAM = 3
# How many of the latest rows a shorter search reads at most (~20 ms of filtering).
SHORT_SEARCH_ROWS = 20_000


def is_short(text: str) -> bool:
    return len(text) < TRIGRAM


def contains(text: str, *fields: str) -> Q:
    """Rows with `text` in one of `fields`, in any case (as `icontains`). A short text is
    written `SIGN(STRPOS(...)) = 1`: the planner, which has no statistics for it, takes an
    equality to hold for 0.5 % of rows (`STRPOS(...) > 0`: a third), so with another sort it
    reads the cut's range and sorts it rather than walking that sort's index through every
    row in the hope of finding a page early (journal `q=zz&sort=total`: 2,676 -> 8 ms)."""
    match = Q()
    for field in fields:
        if is_short(text):
            match |= Q(Exact(Sign(StrIndex(Upper(field), Upper(Value(text)))), 1))
        else:
            match |= Q(**{f"{field}__icontains": text})
    return match


def cut(model, fields: tuple[str, ...], rows: int | None = None) -> tuple | None:
    """The values of `fields` at the `rows`-th latest row of `model` in that order (an
    index of the same order walked from its newest end), or None when the table has no
    more rows than that."""
    rows = SHORT_SEARCH_ROWS if rows is None else rows
    latest = model._base_manager.order_by(*(f"-{name}" for name in fields))
    found = list(latest.values_list(*fields)[rows : rows + 1])
    return found[0] if found else None


def latest_only(filterset, queryset, text: str, fields: tuple[str, ...], noun: str):
    """For a short `text`, `queryset` limited to its latest SHORT_SEARCH_ROWS rows in the
    order of `fields` (the list's default order, which an index serves: the condition is
    that index's range, so a walk of it ends there), and the filter set's `search_note`
    saying so; else, or when the table is not that big, `queryset` unchanged."""
    bound = latest_bound(queryset.model, text, fields)
    if bound is None:
        return queryset
    condition, day = bound
    filterset.search_note = short_search_note(f"the latest {SHORT_SEARCH_ROWS:,} {noun}", day, noun)
    return queryset.filter(condition)


def latest_bound(model, text: str, fields: tuple[str, ...]) -> tuple[Q, dt.date] | None:
    """For a short `text`, the condition "among the latest SHORT_SEARCH_ROWS rows of `model`
    in the order of `fields`" (`(fields) >= (the cut's values)`, a range of that order's
    index) and the cut's first value (its day); None for a longer text, a table not that
    big, or a cut whose first field is empty (where rows without one fall in the order
    differs by database: first on PostgreSQL, last on SQLite). A row whose first field is
    empty never meets the condition."""
    if not is_short(text):
        return None
    values = cut(model, fields)
    if values is None or values[0] is None:
        return None
    day = values[0]
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day)
    return _at_or_after(model, fields, values), day


def short_search_note(what: str, day: dt.date, noun: str) -> str:
    """The line above a list whose short search `latest_bound` limits to `what`."""
    return (
        f"A search of one or two characters looks at {what} only (dated {day:%d %b %Y} or"
        f" later). Type three or more characters to search all {noun}."
    )


def _at_or_after(model, fields: tuple[str, ...], values: tuple) -> Q:
    """`(fields) >= (values)` as one row comparison: PostgreSQL reads it as a range of a
    multi-column index in that order (SQLite compares row values the same way)."""
    if len(fields) == 1:
        return Q(**{f"{fields[0]}__gte": values[0]})
    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(name).column)}"
        for name in fields
    )
    placeholders = ", ".join(["%s"] * len(fields))
    params = tuple(
        model._meta.get_field(name).get_db_prep_value(value, connection)
        for name, value in zip(fields, values, strict=True)
    )
    condition = RawSQL(f"({columns}) >= ({placeholders})", params, output_field=BooleanField())
    return Q(condition)

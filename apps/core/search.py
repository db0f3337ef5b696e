"""Text searches over the big lists (journal, orders, invoices, payments).

A contains-search of three or more characters is served on PostgreSQL by the tables'
trigram indexes (`gin_trgm_ops` on `UPPER(column)`, each app's migrations): the planner
ORs bitmap scans of them and sorts the few rows found. One or two characters make no
trigram, so only reading the rows can show that a rare pair ("zz") is absent, and an index
scan that cannot filter is the slowest way to read them (1.3 s over the journal's 1.7
million entries). `contains` writes such a search as `STRPOS`, which no index serves: the
planner walks the list's order, and `latest_only` ends that walk at the dates of the latest
SHORT_SEARCH_ROWS rows, with a note on the list saying so.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Value
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.utils import timezone

# Characters a search needs before the trigram indexes serve it (pg_trgm's trigrams).
TRIGRAM = 3
# How many of the latest rows a shorter search reads at most (~20 ms of filtering).
SHORT_SEARCH_ROWS = 20_000


def is_short(text: str) -> bool:
    return len(text) < TRIGRAM


def contains(text: str, *fields: str) -> Q:
    """Rows with `text` in one of `fields`, in any case (as `icontains`)."""
    match = Q()
    for field in fields:
        if is_short(text):
            match |= Q(GreaterThan(StrIndex(Upper(field), Upper(Value(text))), 0))
        else:
            match |= Q(**{f"{field}__icontains": text})
    return match


def since_date(model, date_field: str, rows: int | None = None) -> dt.date | None:
    """The date of the `rows`-th latest row of `model` by `date_field` (its index walked
    from the newest end), or None when the table has no more rows than that."""
    rows = SHORT_SEARCH_ROWS if rows is None else rows
    dates = model._base_manager.order_by(f"-{date_field}").values_list(date_field, flat=True)
    found = list(dates[rows : rows + 1])
    return found[0] if found else None


def latest_only(filterset, queryset, text: str, date_field: str, noun: str):
    """For a short `text`, `queryset` limited to the dates of the latest SHORT_SEARCH_ROWS
    rows, and the filter set's `search_note` saying so; else, or when the table is not that
    big, `queryset` unchanged."""
    if not is_short(text):
        return queryset
    since = since_date(queryset.model, date_field)
    if since is None:
        return queryset
    if isinstance(since, dt.datetime):  # a moment: from the start of its minute, local time
        since = timezone.localtime(since).replace(second=0, microsecond=0)
        shown = f"{since:%d %b %Y %H:%M}"
    else:
        shown = f"{since:%d %b %Y}"
    filterset.search_note = (
        f"A search of one or two characters looks at the {noun} dated {shown} or later."
        f" Type three or more characters to search all {noun}."
    )
    return queryset.filter(**{f"{date_field}__gte": since})

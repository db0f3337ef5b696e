"""Deep pages of the product list: the page's keys first, then its rows (a "deferred join").

`ORDER BY ... LIMIT 26 OFFSET 4975` makes PostgreSQL build every row the OFFSET skips:
the joins to category and currency and the stock status for 5,001 products to keep 26.
Past `DEEP` rows, the page's primary keys are picked by the same ordered queryset with
nothing but its key selected (a walk of the sort's index), and the rows are read for
those keys only, in a second statement (`WHERE id IN (...)`, no ORDER BY) and put in the
keys' order in Python. Two statements, not one with the keys as a subquery: building and
compiling the subquery's copy of the list's queryset cost ~2,600 Python calls a page,
more than the round trip (page 200: 18.2 -> 14.3-15.4 ms in one process, 2026-11-30). A
product deleted between the two is left out of the page. The order must be total (end
with the primary key) for the keys to be a page of it; other orders slice the queryset as
before."""

from __future__ import annotations

from django.db.models import F, OrderBy, QuerySet

from apps.core.paged import PagedOrder
from apps.core.run_order import RunOrder

# From this offset on, a page reads its keys first (page 21 at 25 rows a page). Shallower
# pages skip too few rows for the second ORDER BY to pay for itself.
DEEP = 500

# A page ending past this row reads the rows' count (the pager's, or one COUNT where the
# list pages lazily) and, in the list's second half, its keys from the other end. Before
# it, walking the keys from the front costs less than a COUNT.
FROM_THE_END = 20_000

_KEYS = {"pk", "-pk", "id", "-id"}


def _ends_with_key(queryset: QuerySet) -> bool:
    """The ordering ends with the primary key, so no two rows tie."""
    order = queryset.query.order_by
    if not order:
        return False
    last = order[-1]
    if isinstance(last, str):
        return last in _KEYS
    if isinstance(last, OrderBy) and isinstance(last.expression, F):
        return last.expression.name in ("pk", "id")
    return False


class KeysFirst(PagedOrder):
    """`queryset` (ordered, the order ending with its primary key) sliced a page at a
    time, deep pages by their keys first."""

    def __init__(self, queryset: QuerySet):
        self.queryset = self.ordered = queryset

    def _paged(self, start: int, stop: int) -> bool:
        return start >= DEEP

    def _from_the_end(self) -> int:
        return FROM_THE_END

    def _page(self, start: int, stop: int) -> list:
        keys = None
        if stop > self._from_the_end():
            total = self.count()  # the pager's if it counted, else one COUNT
            if start >= total:
                return []
            stop = min(stop, total)
            if total - start < stop:
                # Nearer the end: the keys read from the other end of the order (its exact
                # reverse: the order ends with the primary key), total - start of them
                # instead of stop (the log's page 40,000 of a million rows: 2.3 s -> 0.1).
                found = self.queryset.reverse().values_list("pk", flat=True)
                keys = list(found[total - stop : total - start])
                keys.reverse()
        if keys is None:
            keys = list(self.queryset.values_list("pk", flat=True)[start:stop])
        found = {row.pk: row for row in self.queryset.order_by().filter(pk__in=keys)}
        return [found[key] for key in keys if key in found]


def keys_first(data):
    """`data` wrapped in KeysFirst where its order allows, else `data` itself."""
    if isinstance(data, QuerySet) and _ends_with_key(data):
        return KeysFirst(data)
    return data


class RunsThenKeysFirst(RunOrder):
    """A RunOrder (the list sorted by SKU, category or active) whose pages past `most`,
    read with the one ORDER BY, read their keys first as the list's other deep pages do."""

    def __getitem__(self, key):
        slice_ = isinstance(key, slice) and key.stop is not None
        if slice_ and not self._paged(key.start or 0, key.stop):
            deep = KeysFirst(self.ordered)
            deep._count = self._count  # the pager's, if it counted
            return deep[key]
        return super().__getitem__(key)

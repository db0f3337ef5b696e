"""What a list read a page at a time in its own way (inventory's StoreStockOrder and
RunOrder, catalog's KeysFirst) shows
django-tables2: slicing (its paginator), `count()`, `len()` and `model`; iteration (the
CSV export) reads the plain ordered queryset."""

from __future__ import annotations

from django.db.models import F, OrderBy, QuerySet


class PagedOrder:
    """Subclasses set `queryset` (the filtered rows), `ordered` (the same rows in the whole
    order the pages stand for) and write `_page(start, stop)`; `_paged(start, stop)` may send
    a slice to `ordered` instead (e.g. deep pages, where one sort costs less). `counted`,
    if set, is the same rows counted without what only the order needs (a join every row
    has)."""

    queryset: QuerySet
    ordered: QuerySet
    counted: QuerySet | None = None
    _count: int | None = None

    @property
    def model(self):
        return self.queryset.model

    def count(self) -> int:
        """The rows' count, kept: the pager counts first, and a page near the end reads it
        again to read itself from the other end (catalog's KeysFirst, StoreStockOrder)."""
        if self._count is None:
            rows = self.queryset if self.counted is None else self.counted
            self._count = rows.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self.ordered)

    def __getitem__(self, key):
        if isinstance(key, int):
            if key < 0:
                raise ValueError("Negative indexing is not supported.")
            rows = self[key : key + 1]
            if not rows:
                raise IndexError(key)
            return rows[0]
        if key.step is not None or (key.start or 0) < 0 or (key.stop or 0) < 0:
            raise ValueError("Only forward slices without a step are supported.")
        start = key.start or 0
        if key.stop is None or not self._paged(start, key.stop):
            return list(self.ordered[key])
        if key.stop <= start:
            return []
        return self._page(start, key.stop)

    def _paged(self, start: int, stop: int) -> bool:
        return True

    def _page(self, start: int, stop: int) -> list:
        raise NotImplementedError


# --- Deep pages by their keys first ------------------------------------------------------
# Deep pages of a list: the page's keys first, then its rows (a "deferred join").
#
# `ORDER BY ... LIMIT 26 OFFSET 4975` makes PostgreSQL build every row the OFFSET skips:
# the joins to category and currency and the stock status for 5,001 products to keep 26.
# Past `DEEP` rows, the page's primary keys are picked by the same ordered queryset with
# nothing but its key selected (a walk of the sort's index), and the rows are read for
# those keys only, in a second statement (`WHERE id IN (...)`, no ORDER BY) and put in the
# keys' order in Python. Two statements, not one with the keys as a subquery: building and
# compiling the subquery's copy of the list's queryset cost ~2,600 Python calls a page,
# more than the round trip (page 200: 18.2 -> 14.3-15.4 ms in one process, 2026-11-30). A
# product deleted between the two is left out of the page. The order must be total (end
# with the primary key) for the keys to be a page of it; other orders slice the queryset as
# before.

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

    def __init__(self, queryset: QuerySet, *, counted: QuerySet | None = None):
        self.queryset = self.ordered = queryset
        self.counted = counted

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

"""Deep pages of the product list: the page's keys first, then its rows (a "deferred join").

`ORDER BY ... LIMIT 26 OFFSET 4975` makes PostgreSQL build every row the OFFSET skips:
the joins to category and currency and the stock status for 5,001 products to keep 26.
Past `DEEP` rows, the page's primary keys are picked by the same ordered queryset with
nothing but its key selected (a walk of the sort's index), and the rows are read for
those keys only, in one statement: `WHERE id IN (SELECT id ... LIMIT n OFFSET o)
ORDER BY ...`. The order must be total (end with the primary key) for the two orders to
agree on ties; other orders slice the queryset as before."""

from __future__ import annotations

from django.db.models import F, OrderBy, QuerySet

from apps.core.paged import PagedOrder

# From this offset on, a page reads its keys first (page 21 at 25 rows a page). Shallower
# pages skip too few rows for the second ORDER BY to pay for itself.
DEEP = 500

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

    def _page(self, start: int, stop: int) -> list:
        keys = self.queryset.values("pk")[start:stop]
        return list(self.queryset.filter(pk__in=keys))


def keys_first(data):
    """`data` wrapped in KeysFirst where its order allows, else `data` itself."""
    if isinstance(data, QuerySet) and _ends_with_key(data):
        return KeysFirst(data)
    return data

"""A list ordered by a key with few values (the stock list by store), a page at a time.

Sorted by store name and then the product, a page of the stock list was one ORDER BY over
the join of every level with its store: PostgreSQL read and sorted all 300,000 levels for
each page (~400 ms). The order splits into one run per store, in the stores' name order,
and each run is a range of the levels' `(store, product)` unique index, already in product
order. A page at offset O of n rows needs at most O + n rows of each run: each run is read
from its index up to that many rows, and the page is the n rows after O of their union in
(run, product) order. One statement picks the page's keys; the rows are then read with
every column and annotation of the list's queryset, sorted (n rows) in the same order.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import F, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL


class RunOrder:
    """`queryset` ordered by `order` (its whole ORDER BY, e.g. store name then product),
    where `runs` are the filters of the leading key's values in that order (one store
    each) and `within` orders the rows of one run by an index (the product).

    What django-tables2 needs of its data: slicing (its paginator), `count()` and
    `model`; iteration (the CSV export) reads the plain ordered queryset."""

    def __init__(self, queryset: QuerySet, *, runs: list[Q], within: str, order: tuple[str, ...]):
        self.queryset = queryset
        self.model = queryset.model
        self.runs = runs
        self.within = within
        self.ordered = queryset.order_by(*order)

    def count(self) -> int:
        return self.queryset.count()

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
        if key.stop is None or not self.runs:
            return list(self.ordered[key])
        if key.stop <= start:
            return []
        return self._page(start, key.stop)

    def _page(self, start: int, stop: int) -> list:
        descending = self.within.startswith("-")
        column = self.within.lstrip("-")
        parts = [
            self.queryset.filter(run)
            .annotate(
                run_pk=F("pk"), run_no=Value(i, output_field=IntegerField()), run_by=F(column)
            )
            .order_by(self.within)
            .values_list("run_pk", "run_no", "run_by")
            for i, run in enumerate(self.runs)
        ]
        try:
            compiled = [part.query.sql_with_params() for part in parts]
        except EmptyResultSet:  # a filter that matches nothing
            return list(self.ordered[start:stop])
        union = " UNION ALL ".join(
            f"SELECT * FROM ({sql} LIMIT %s) run_{i}" for i, (sql, _) in enumerate(compiled)
        )
        direction = "DESC" if descending else "ASC"
        sql = (
            f"SELECT run_pk FROM ({union}) page ORDER BY run_no ASC, run_by {direction}"
            " LIMIT %s OFFSET %s"
        )
        params = [*(p for _, part in compiled for p in (*part, stop)), stop - start, start]
        return list(self.ordered.filter(pk__in=RawSQL(sql, params)))

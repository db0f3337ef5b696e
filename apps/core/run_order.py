"""A list ordered by a key with few values (the stock list by store, category or alert
level), a page at a time.

Sorted by store name and then the product, a page of the stock list was one ORDER BY over
the join of every level with its store: PostgreSQL read and sorted all 300,000 levels for
each page (~400 ms). The order splits into one run per store, in the stores' name order,
and each run is a range of the levels' `(store, product)` unique index, already in product
order (a category's run: its products' `(category, name)` index). A page at offset O of n
rows needs the first O + n rows of the runs in turn: each run is read from its index up to
what the runs before it left of that many rows, and the page is the n rows after O of
their union in (run, keys) order. One statement picks the page's keys; the rows are then
read with every column and annotation of the list's queryset, sorted (n rows) the same way.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from apps.core.paged import PagedOrder


class RunOrder(PagedOrder):
    """`queryset` ordered by `keys` (its whole ORDER BY, e.g. store name then product),
    read in `parts`: filters that split the rows into runs, each run read in the order
    `within` that an index gives it (a store's levels by product), which must agree with
    `keys` inside the run. A part's number leads the page's order: parts numbered alike
    are merged by `keys` (the levels whose threshold is the default, set or not).
    A page that would read more than `most` rows from the runs together is read with the
    one ORDER BY instead: deep in the list, one sort of the table costs less than every
    run read up to the page. `chained=False` limits every run to the page's end instead
    of to what the runs before it left: when every run is short or cheap to read that
    far, a constant LIMIT lets PostgreSQL plan each run for a page of rows (the chained
    LIMIT's subquery is unknown when planning: it started parallel workers for 51 rows)."""

    def __init__(
        self,
        queryset: QuerySet,
        *,
        parts: list[tuple[int, Q]] | list[tuple[int, Q, tuple[str, ...]]],
        within: tuple[str, ...],
        keys: tuple[str, ...],
        descending: bool,
        order: tuple[str, ...] | None = None,
        most: int | None = None,
        chained: bool = True,
    ):
        self.queryset = queryset
        # A part may bring its own `within` as a third item (an order that needs no index
        # where the part is small: the product list's prices in other currencies).
        self.parts = [(part[0], part[1]) for part in parts]
        self.descending = descending
        sign = "-" if descending else ""
        self.within_of = [
            tuple(sign + name for name in (part[2] if len(part) > 2 else within)) for part in parts
        ]
        self.keys = keys
        self.most = most
        self.chained = chained
        self.ordered = queryset.order_by(*(sign + name for name in (order or keys)))

    def _paged(self, start: int, stop: int) -> bool:
        return bool(self.parts) and (self.most is None or stop * self._widest() <= self.most)

    def _widest(self) -> int:
        """The most parts that share a number (are read side by side)."""
        numbers = [number for number, _ in self.parts]
        return max(numbers.count(n) for n in set(numbers))

    def _page(self, start: int, stop: int) -> list:
        keys = {f"run_key{i}": F(name) for i, name in enumerate(self.keys)}
        parts = [
            self.queryset.filter(run)
            .annotate(run_pk=F("pk"), run_no=Value(number, output_field=IntegerField()), **keys)
            .order_by(*within)
            .values_list("run_pk", "run_no", *keys)
            for (number, run), within in zip(self.parts, self.within_of, strict=True)
        ]
        try:
            compiled = [part.query.sql_with_params() for part in parts]
        except EmptyResultSet:  # a filter that matches nothing
            return list(self.ordered[start:stop])
        # A run takes what the runs before it leave of the first `stop` rows: the page's
        # run is read up to the page, the runs after it not at all (LIMIT 0).
        greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
        runs, params = [], []
        for i, ((number, _), (sql, part_params)) in enumerate(
            zip(self.parts, compiled, strict=True)
        ):
            chain = self.parts[:i] if self.chained else []
            before = [j for j, (n, _) in enumerate(chain) if n < number]
            left = "".join(f" - (SELECT COUNT(*) FROM run_{j})" for j in before)
            runs.append(f"run_{i} AS (SELECT * FROM ({sql} LIMIT {greatest}(%s{left}, 0)) r)")
            params += [*part_params, stop]
        union = " UNION ALL ".join(f"SELECT * FROM run_{i}" for i in range(len(runs)))
        direction = "DESC" if self.descending else "ASC"
        order = ", ".join(f"{name} {direction}" for name in keys)
        sql = (
            f"WITH {', '.join(runs)} SELECT run_pk FROM ({union}) page"
            f" ORDER BY run_no ASC, {order} LIMIT %s OFFSET %s"
        )
        params += [stop - start, start]
        return list(self.ordered.filter(pk__in=RawSQL(sql, params)))

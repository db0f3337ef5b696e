"""The product list sorted by one store's stock, a page at a time from indexes.

`annotate_products(store_id=...)` gives each product its level in the store, 0 where it
has none, and the list sorts by (that quantity, name, pk). Written as one ORDER BY over
the LEFT JOIN, PostgreSQL reads the whole catalog and sorts it for every page (~200-450
ms at 100,000 products). The order splits into runs that each come from an index:

- the products at 0 in the store, by name and pk: those with a level at 0 there (the
  levels' `(quantity, store)` index) and those with no level there. A store lacking a
  level for at most FEW_MISSING products reads those from their MissingLevel pairs
  (kept by the stock, catalog and store writers, apps/inventory/services/missing.py)
  and sorts them; a store lacking more walks the product name index, each product
  checked against the store's `(store, product)` index or one hashed pass over it (see
  `_stocked`), which finds them quickly because most products qualify;
- the products with units there, by quantity, name and pk: the same levels' index,
  each level's product looked up by key. Ascending, the lowest quantity's products
  come first; when that quantity is common in the store (thousands of levels at 1),
  they are found by walking the product name index and probing each product's level
  (see WALK), instead of reading all of them and their products to sort by name.

Ascending, the zeros come first; descending, last. A page in the second half of the
list is read from its other end, in the exact reverse order (quantity, name and pk all
flipped, `reversed`), and turned around: the last page costs what the first one does.
A page at offset O of n rows needs at most O + n rows of each part of the leading run and
only what the leading run leaves of the trailing one (PostgreSQL does not start the trailing run while the leading one fills
the page). One statement: the page's keys are picked in a subquery of the product query,
so the rows keep every annotation and join of the list's queryset.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Exists,
    Expression,
    F,
    OuterRef,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.hashable import make_hashable

from apps.core.paged import PagedOrder
from apps.core.querycache import kept
from apps.core.sql import db_converters, planned_once

from .models import MissingLevel, StockLevel

_PAGE_SQL = (
    "WITH {ctes} SELECT stock_id FROM (SELECT * FROM {runs} UNION ALL {trail})"
    " page ORDER BY stock_key {direction}, stock_name {ties}, stock_id {ties} LIMIT %s OFFSET %s"
)

# Where the page's statement goes in the statement of its rows (`_rows_sql`).
_PAGE_MARK = "SELECT NULL /* the page */"

# A page ending past this row, in the second half of the list, is read from the list's
# other end (`StoreStockOrder.reversed`): it counts the rows first (the list pages lazily:
# one COUNT, ~13 ms at 100,000 products), which a page before it (page 200) need not.
FROM_THE_END = 5_000


def _left(runs: list[str]) -> str:
    """What the runs (CTE names) already picked leave of the first `stop` rows (never
    negative: their parts may together bring more than `stop`). Two parameters: stop."""
    taken = " + ".join(f"(SELECT COUNT(*) FROM {run})" for run in runs)
    return f"(CASE WHEN %s > {taken} THEN %s - ({taken}) ELSE 0 END)"


class StoreStockOrder(PagedOrder):
    """`queryset` (a product list annotated by `annotate_products` for `store_id`, with
    its filters) ordered by the store's on-hand, then name, then pk: the same rows in the
    same order as `queryset.order_by(on_hand, "name", "pk")`, sliced page by page."""

    def __init__(
        self, queryset: QuerySet, *, store_id: int, descending: bool, ties_descending=False
    ):
        self.queryset = queryset
        self.store_id = store_id
        self.descending = descending
        # Equal quantities by name and pk descending: the exact reverse of the other
        # direction's order, which a page near the end is read from (see `_page`).
        self.ties_descending = ties_descending
        self.ties = ("-name", "-pk") if ties_descending else ("name", "pk")
        on_hand = F("on_hand").desc() if descending else F("on_hand").asc()
        # The order it stands for, whole: counts, iteration and empty querysets use it.
        self.ordered = queryset.order_by(on_hand, *self.ties)

    def reversed(self) -> StoreStockOrder:
        """The same rows in the exact reverse order."""
        other = StoreStockOrder(
            self.queryset,
            store_id=self.store_id,
            descending=not self.descending,
            ties_descending=not self.ties_descending,
        )
        other._count = self._count
        return other

    def _runs(self) -> tuple[list[QuerySet], list[QuerySet] | None, list[QuerySet]]:
        """(zeros, low, held): the parts of the products at 0 in the store, the walk for
        the lowest quantity's products (hashed or probing, one of the two runs: see
        HASH_MAX; ascending only, else None; see WALK) and
        the products with units there, each as (stock_id, stock_name, stock_key) in its
        index's order.

        Each part is the list's queryset with its on-hand written as what it is there:
        0 in the zeros (a stock status filter then folds to true or false), the level's
        quantity in the held (the filter on it makes the join an inner one, driven by
        the quantity index)."""
        on_hand = self.queryset.query.annotations["on_hand"]  # COALESCE(level.quantity, 0)
        quantity = on_hand.get_source_expressions()[0]
        zero = Value(0, output_field=BigIntegerField())
        level = F("store_level__quantity")
        columns = ("stock_id", "stock_name", "stock_key")
        lean = _without_annotations(self.queryset)
        at_zero = _written_as(lean, on_hand, zero).annotate(
            stock_id=F("pk"), stock_name=F("name"), stock_key=zero
        )
        no_level = _without_level_join(at_zero)
        few = _few_missing()
        zeros = [
            at_zero.alias(level_quantity=level).filter(level_quantity=0),
            no_level.filter(few).filter(_MissingIn(F("pk"), self.store_id)),
            no_level.alias(stocked=_stocked(self.store_id)).filter(stocked=0).filter(~few),
        ]
        held = (
            _written_as(lean, on_hand, quantity)
            .annotate(stock_id=F("pk"), stock_name=F("name"), stock_key=level)
            .filter(stock_key__gt=0)
            .order_by(level.desc() if self.descending else level.asc(), *self.ties)
        )
        low = None
        if not self.descending:
            lowest = _lowest()
            walked = _without_level_join(
                _written_as(lean, on_hand, lowest).annotate(
                    stock_id=F("pk"), stock_name=F("name"), stock_key=lowest
                )
            )
            walked = walked.filter(_walk_lowest())
            hashed = _hash_lowest()
            low = [
                walked.filter(hashed)
                .alias(at_lowest=_stocked(self.store_id, quantity=lowest))
                .filter(at_lowest=1),
                walked.filter(~hashed).filter(_LevelIs(F("pk"), self.store_id, lowest)),
            ]
            # the rest of the held run: above the lowest quantity when the walk took it
            held = held.filter(stock_key__gt=_below_held())
        return (
            [part.order_by(*self.ties).values_list(*columns) for part in zeros],
            None
            if low is None
            else [part.order_by(*self.ties).values_list(*columns) for part in low],
            [held.values_list(*columns)],
        )

    def _parts_key(self) -> tuple | None:
        """What the runs' parts are made of (see `_compiled`); None for a filter that
        matches nothing (an invalid filter form)."""
        query = self.queryset.query
        try:
            where = query.get_compiler(self.queryset.db).compile(query.where)
        except EmptyResultSet:
            return None
        return (
            "inventory.store_order",
            self.queryset.db,
            where[0],
            make_hashable(where[1]),
            self.store_id,
            self.descending,
            self.ties_descending,
            FEW_MISSING,
            WALK,
            HASH_MAX,
        )

    def _compiled(self, key: tuple):
        """(lead, low, trail): the runs' parts as (sql, params), `low` None when
        descending; None for a filter that matches nothing.

        Kept per process (apps.core.querycache.kept) by what they are made of
        (`_parts_key`): the list's filters (its WHERE compiled: one small compile instead
        of five queries built and compiled, ~40 % of the page's Python), the store, the
        direction and this module's thresholds. The list's base queryset is the same for
        a store (the view's `built_once`), so equal WHERE clauses give equal parts."""
        return kept(key, self._compile)

    def _rows_sql(self, key: tuple) -> tuple[str, str, tuple, tuple] | None:
        """The statement of the page's rows, `ordered` restricted to the keys the page's
        statement picks, split where that statement goes: (before, after, the parameters
        before it, those after it). Kept per process by the parts' key and the list's
        annotations and columns (expressions compare and hash by what they are made of;
        the base queryset's are the same objects on every request, which keep their
        hash): building and compiling it was ~0.4 ms of a page's Python. None where the
        ORM must build the rows: related rows selected alongside."""
        query = self.ordered.query
        try:
            key = (
                *key,
                "rows",
                tuple(query.annotations.items()),
                frozenset(query.annotation_select_mask or ()),
                frozenset(query.deferred_loading[0]),
                query.deferred_loading[1],
            )
            hash(key)
        except TypeError:  # an expression made of something unhashable
            return None
        return kept(key, self._rows_statement)

    def _rows_statement(self) -> tuple[str, str, tuple, tuple] | None:
        queryset = self.ordered.filter(pk__in=RawSQL(_PAGE_MARK, ()))
        if queryset.query.select_related:
            return None
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
        before, after = sql.split(_PAGE_MARK)
        taken = before.replace("%%", "").count("%s")
        return before, after, tuple(params[:taken]), tuple(params[taken:])

    def _compile(self):
        zeros, low, held = self._runs()
        lead, trail = (held, zeros) if self.descending else (zeros, held)
        try:
            return (
                [part.query.sql_with_params() for part in lead],
                [part.query.sql_with_params() for part in low] if low is not None else None,
                [part.query.sql_with_params() for part in trail],
            )
        except EmptyResultSet:
            return None

    def _page(self, start: int, stop: int) -> list:
        if stop > FROM_THE_END:
            total = self.count()
            if start >= total:
                return []
            stop = min(stop, total)
            if total - start < stop:
                # Nearer the end: the same rows read from the other end of the list, where
                # the runs need total - start rows rather than stop (the last page of a
                # store's 100,000 products: 276-414 ms -> that of a first page).
                rows = self.reversed()._page(total - stop, total - start)
                rows.reverse()
                return rows
        key = self._parts_key()
        compiled = None if key is None else self._compiled(key)
        if compiled is None:
            return list(self.ordered[start:stop])
        lead, low, trail = compiled
        lead_sql = " UNION ALL ".join(
            f"SELECT * FROM ({sql} LIMIT %s) lead_{i}" for i, (sql, _) in enumerate(lead)
        )
        ctes = [_gate_sql()]
        params = [self.store_id, self.store_id]
        if low is not None:
            ctes.append(_LOW_SQL)
            walk = WALK * stop
            params += [self.store_id, max(walk, HASH_MAX), self.store_id, walk, HASH_MAX]
        ctes.append(f"lead AS ({lead_sql})")
        params += [p for _, part in lead for p in (*part, stop)]
        runs = ["lead"]
        if low is not None:
            low_sql = " UNION ALL ".join(
                f"SELECT * FROM ({sql} LIMIT {_left(runs)}) low_{i}"
                for i, (sql, _) in enumerate(low)
            )
            ctes.append(f"low AS ({low_sql})")
            params += [p for _, part in low for p in (*part, stop, stop)]
            runs.append("low")
        trail_sql = " UNION ALL ".join(
            f"SELECT * FROM ({sql} LIMIT {_left(runs)}) trail_{i}"
            for i, (sql, _) in enumerate(trail)
        )
        params += [p for _, part in trail for p in (*part, stop, stop)]
        sql = _PAGE_SQL.format(
            ctes=", ".join(ctes),
            runs=" UNION ALL SELECT * FROM ".join(runs),
            trail=trail_sql,
            direction="DESC" if self.descending else "ASC",
            ties="DESC" if self.ties_descending else "ASC",
        )
        params += [stop - start, start]
        rows = self._rows_sql(key)
        # Planned once per connection (its generic plan with parameters is costed above
        # the custom ones, so PostgreSQL planned it on every page: half its server time).
        with planned_once():
            if rows is None:
                return list(self.ordered.filter(pk__in=RawSQL(sql, params)))
            before, after, params_before, params_after = rows
            statement = f"{before}{sql}{after}"
            manager = self.model._base_manager.db_manager(self.queryset.db)
            found = list(manager.raw(statement, (*params_before, *params, *params_after)))
        return self._converted(found)

    def _converted(self, found: list) -> list:
        """Rows of a raw query with their annotations converted as the ORM converts them
        (a raw query converts the model's fields only)."""
        connection = connections[self.queryset.db]
        for name, expression in self.ordered.query.annotation_select.items():
            for converter in db_converters(expression, connection):
                for row in found:
                    setattr(row, name, converter(getattr(row, name), expression, connection))
        return found


def _stocked(store_id: int, *, quantity=None) -> Case:
    """1 if the product has a level in the store, else 0: a correlated subplan, which
    PostgreSQL runs per product as the name index is walked or hashed once over the
    store's levels, whichever it expects cheaper. (Written as NOT EXISTS, PostgreSQL
    makes it an anti join, which it may run as a parallel index walk: each worker then
    reads its share of the index to the end before the page's first rows come, 100,000
    products where the products without a level are few.)"""
    level = StockLevel.objects.filter(store_id=store_id, product_id=OuterRef("pk"))
    if quantity is not None:
        level = level.filter(quantity=quantity)
    return Case(When(Exists(level), then=Value(1)), default=Value(0))


# A store missing at most this many levels reads its unstocked products from their pairs
# (a sort of at most this many rows); more, the product name index is walked instead.
FEW_MISSING = 1000


def _gate_sql() -> str:
    """The page statement's first CTE: true if the store lacks a level for at most
    FEW_MISSING products, its MissingLevel pairs counted up to one past that, read once
    for the two parts that use it (as a subquery in each, it was counted twice).

    The pairs are read as a range of the `(store, product)` index in its order, which
    the planner answers with an index scan that stops after FEW_MISSING + 1 entries
    whatever the statistics say. Written as `store_id = %s`, with the pairs' statistics
    older than a store's 100,000 pairs (as after the bench's store is created: the
    estimate was 505), it chose a bitmap scan, which reads the store's whole index range
    before the LIMIT applies (3-13 ms per page against 0.3 ms)."""
    return (
        f"stock_gate AS MATERIALIZED (SELECT COUNT(*) <= {FEW_MISSING} AS few FROM"
        f" (SELECT 1 FROM {MissingLevel._meta.db_table}"
        " WHERE (store_id, product_id) > (%s, 0) AND store_id <= %s"
        f" ORDER BY store_id, product_id LIMIT {FEW_MISSING + 1}) pairs)"
    )


def _few_missing() -> RawSQL:
    """The store lacks at most FEW_MISSING levels (the page statement's `stock_gate`).
    Uncorrelated, so PostgreSQL evaluates it once and runs only one of the two parts that
    find the products without a level."""
    return RawSQL("(SELECT few FROM stock_gate)", [], output_field=BooleanField())


# Ascending, a page reaching the held run needs the products at the store's lowest
# positive quantity by name. Through the quantity index PostgreSQL reads every level at
# that quantity, fetches each one's product for its name and sorts them (a store holding
# the whole catalog has ~3,150 levels at 1: ~15,000 buffers, 60-120 ms at load 9).
# Walked, the product name index gives the order and each product is checked until the
# page is full (~600-750 products for 26 rows). It is taken when at least WALK times the
# page's end (`stop`) of the store's levels hold that quantity: the walk then passes at
# most 1/WALK of the catalog (~2,500 of 100,000 products for the first page); fewer,
# reading and sorting them costs less.
WALK = 40

# How a walked product is checked. Fewer than HASH_MAX levels at the lowest quantity:
# against those levels' products, read once from the quantity index into a hash (an
# EXISTS on the product's key, which PostgreSQL runs as a hashed subplan: 3,147 entries
# in ~20 buffers at scale 100,000, the page's statement 1.6-1.7 -> 1.2-1.3 ms, the walk's
# buffers 2,365 -> 44-77). More: each product's level probed through
# the `(store, product)` index (~4 buffers a product; a scalar subquery, `_LevelIs`,
# which PostgreSQL can neither hash nor turn into a (parallel) semi join), since so
# common a quantity fills the page within a few hundred products while the hash would
# grow with the store (100,000 levels at 1: ~10 ms to read them all).
HASH_MAX = 10_000

# The page statement's CTE of the lowest positive quantity in the store (the levels'
# `(quantity, store)` index: its first entry for the store), whether it is common enough
# to walk and whether the walk hashes: its levels counted up to the larger of WALK * stop
# and HASH_MAX (one index range, in a CTE of its own: in a subquery of `stock_low`,
# PostgreSQL copied the count into both comparisons and counted twice). No positive
# level: `lowest` is NULL, `walk` false. Parameters: store, that larger count, store,
# WALK * stop, HASH_MAX.
_LOW_SQL = (
    "stock_common AS MATERIALIZED (SELECT lowest, (SELECT COUNT(*) FROM (SELECT 1 FROM"
    f" {StockLevel._meta.db_table} WHERE store_id = %s AND quantity = lowest LIMIT %s)"
    " levels) AS common FROM (SELECT (SELECT quantity FROM"
    f" {StockLevel._meta.db_table} WHERE store_id = %s AND quantity > 0"
    " ORDER BY quantity LIMIT 1) AS lowest) found), stock_low AS MATERIALIZED (SELECT"
    " lowest, common >= %s AS walk, common < %s AS hashed FROM stock_common)"
)


def _lowest() -> RawSQL:
    return RawSQL("(SELECT lowest FROM stock_low)", [], output_field=BigIntegerField())


def _walk_lowest() -> RawSQL:
    """The lowest quantity is walked (`stock_low`): uncorrelated, evaluated once."""
    return RawSQL("(SELECT walk FROM stock_low)", [], output_field=BooleanField())


def _hash_lowest() -> RawSQL:
    """The walk checks each product against the lowest quantity's levels hashed once
    (`stock_low`: fewer than HASH_MAX of them), not a probe of its level each."""
    return RawSQL("(SELECT hashed FROM stock_low)", [], output_field=BooleanField())


def _below_held() -> RawSQL:
    """What the rest of the held run starts above: the lowest quantity when the walk took
    its products, else 0."""
    return RawSQL(
        "(SELECT CASE WHEN walk THEN lowest ELSE 0 END FROM stock_low)",
        [],
        output_field=BigIntegerField(),
    )


class _LevelIs(Expression):
    """The product's (`pk`) level in the store holds `quantity`: a correlated scalar
    subquery on the `(store, product)` unique index."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, pk, store_id: int, quantity):
        super().__init__()
        self.pk = pk
        self.store_id = store_id
        self.quantity = quantity

    def get_source_expressions(self):
        return [self.pk, self.quantity]

    def set_source_expressions(self, exprs):
        self.pk, self.quantity = exprs

    def as_sql(self, compiler, connection):
        pk, pk_params = compiler.compile(self.pk)
        quantity, quantity_params = compiler.compile(self.quantity)
        level = (
            f"(SELECT quantity FROM {StockLevel._meta.db_table}"
            f" WHERE store_id = %s AND product_id = {pk})"
        )
        return f"{level} = {quantity}", (self.store_id, *pk_params, *quantity_params)


class _MissingIn(Expression):
    """The product (`pk`) has no level in the store: among the store's MissingLevel
    pairs. On PostgreSQL `= ANY(ARRAY(...))`, the pairs read once (an InitPlan) and the
    products fetched by primary key, then sorted by name; as `IN (...)` the planner may
    make it a semi join and walk the name index probing the pairs, the very pass over
    the catalog this avoids."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, pk, store_id: int):
        super().__init__()
        self.pk = pk
        self.store_id = store_id

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.pk)
        pairs = f"SELECT product_id FROM {MissingLevel._meta.db_table} WHERE store_id = %s"
        if connection.vendor == "postgresql":
            return f"{sql} = ANY(ARRAY({pairs}))", (*params, self.store_id)
        return f"{sql} IN ({pairs})", (*params, self.store_id)


def _without_level_join(queryset: QuerySet) -> QuerySet:
    """`queryset` (written with its on-hand as 0) without its LEFT JOIN to the store's
    level (`annotate_products`' FilteredRelation `store_level`): in the parts of products
    with no level there nothing reads it any more, and the compiler leaves out a join no
    expression refers to (refcount 0). Kept, it cost a probe per product, or, misplanned
    for a deep page of a store lacking most products, a pass over the store's levels for
    each product (10 s for page 200 of a store holding 200 products)."""
    clone = queryset.all()
    clone.query.alias_refcount["store_level"] = 0
    return clone


def _without_annotations(queryset: QuerySet) -> QuerySet:
    """`queryset` without its annotations (the price in base currency, the on-hand, the
    stock status, ...): the parts select only their key, name and stock key, and its
    filters hold their own copies of what they compare, so nothing reads them there.
    Kept, each part cloned them and `_written_as` copied each one to replace the
    on-hand inside it: more Python per page than compiling the parts."""
    clone = queryset.all()
    clone.query.annotations = {}
    clone.query.set_annotation_mask(())
    return clone


def _written_as(queryset: QuerySet, expression, replacement) -> QuerySet:
    """`queryset` with `expression` replaced by `replacement` in its filters and
    annotations (Django's own `replace_expressions`, as constraint validation uses it)."""
    clone = queryset.all()
    query = clone.query
    replacements = {expression: replacement}
    query.where = query.where.replace_expressions(replacements)
    query.annotations = {
        name: annotation.replace_expressions(replacements)
        for name, annotation in query.annotations.items()
    }
    return clone

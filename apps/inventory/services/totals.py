"""Stored totals the levels imply: each product's on-hand total (ProductTotal.units)
and each store's units, value and products held (StoreTotal).

`totals_move` runs in the same transaction as the level update it follows
(`levels._levels_update`): two statements whatever the number of lines, with rows locked
in primary-key order (product totals, then stores), after the levels and before the
ledger's accounts, the same order in every stock service, so no two of them deadlock.
The product's own row is not written: its total lives in a narrow row of its own (a
stock movement used to update the product's row, with an entry in each of its ~19
indexes); the row is only locked FOR KEY SHARE, to read its alert threshold as a
threshold change (FOR UPDATE, alerts.py) leaves it.
Every product has its row from its insertion, whatever inserts it (the ORM,
`bulk_create`, raw SQL, a COPY): a database trigger on the product table makes it at 0
(migration inventory 0014), so the UPDATE above always finds it.
`onhand_rebuild` recomputes everything from the levels, for bulk loaders that write
levels directly (the demo and scale seeders).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum

from apps.catalog.models import Product
from apps.core.sql import add_by_id
from apps.finance.money import quantize

from ..models import ProductTotal, StockLevel, StoreTotal
from .missing import missing_levels_rebuild

_PRODUCT = Product._meta.db_table
_PRODUCT_TOTAL = ProductTotal._meta.db_table
_STORE_TOTAL = StoreTotal._meta.db_table
_LEVEL = StockLevel._meta.db_table


def totals_move(levels: dict, quantity: dict[int, int], value: dict[int, Decimal]) -> None:
    """Apply the net change of locked levels (`levels` {pk: level after the change},
    `quantity`/`value` {pk: signed delta}) to their products' and stores' totals, and to
    the stores' low/out counters by the products' alert thresholds as the totals'
    UPDATE returns them. SQLite, which runs one writer at a time."""
    products, rows, marks = _deltas(levels, quantity, value)
    with connection.cursor() as cursor:
        sql, params = add_by_id(_PRODUCT_TOTAL, "units", products, lock="FOR UPDATE")
        alert = f"(SELECT p.alert_threshold FROM {_PRODUCT} p WHERE p.id = {_PRODUCT_TOTAL}.id)"
        cursor.execute(f"{sql} RETURNING id, {alert}", params)
        alert = dict(cursor.fetchall())
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for store_id, product_id, before, after, fresh in marks:
            low, out = _status(after, alert[product_id])
            was_low, was_out = (0, 0) if fresh else _status(before, alert[product_id])
            counts[store_id][0] += low - was_low
            counts[store_id][1] += out - was_out
        cursor.execute(*_stores_sql([(*row, *counts[row[0]]) for row in rows]))


def _status(quantity: int, alert: int | None) -> tuple[int, int]:
    """(low, out) of a level: 1 where it counts, by its product's alert threshold."""
    if alert is None:
        return 0, 0
    return int(0 < quantity <= alert), int(quantity == 0)


def totals_move_with(
    levels_update: tuple[str, list],
    levels: dict,
    quantity: dict[int, int],
    value: dict[int, Decimal],
) -> int:
    """PostgreSQL: run the levels' UPDATE (`levels_update`, sql and params) and the
    totals_move statements as one (data-modifying CTEs); returns how many levels the
    UPDATE changed. The product totals are locked and updated before the stores' totals
    (the upsert joins the alert thresholds their UPDATE returns), the same order as in
    totals_move."""
    ctes, params = totals_ctes(levels_update, levels, quantity, value)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {ctes} SELECT count(*) FROM levels", params)
        return cursor.fetchone()[0]


def totals_ctes(
    levels_update: tuple[str, list],
    levels: dict,
    quantity: dict[int, int],
    value: dict[int, Decimal],
) -> tuple[str, list]:
    """`totals_move_with`'s data-modifying CTEs (`levels`, `totals_locked`, `products`,
    `stores`) and their
    parameters, for a statement that also writes other rows (`stock_sell`'s entry). Its
    caller reads `stores` before anything it locks after the store totals (the accounts)
    and counts `levels`, the rows the conditional UPDATE changed."""
    products, rows, marks = _deltas(levels, quantity, value)
    sql, params = levels_update
    products_sql, products_params = _products_sql(products)
    stores_sql, stores_params = _stores_sql_joined(rows, marks)
    ctes = f"levels AS ({sql} RETURNING 1), {products_sql}, stores AS ({stores_sql} RETURNING 1)"
    return ctes, [*params, *products_params, *stores_params]


def _deltas(levels: dict, quantity: dict[int, int], value: dict[int, Decimal]):
    """{product pk: units} and [(store pk, units, value, held, levels created)], both in
    key order, every product and store touched (its total is locked and its product's
    alert threshold read even when its units do not change), and per level (store,
    product, quantity before, after, 1 if created in this transaction)."""
    products: dict[int, int] = defaultdict(int)
    stores: dict[int, list] = defaultdict(lambda: [0, Decimal(0), 0, 0])
    marks = []
    for pk, level in levels.items():
        delta = quantity[pk]
        products[level.product_id] += delta
        store = stores[level.store_id]
        store[0] += delta
        store[1] += value[pk]
        store[2] += (level.quantity > 0) - (level.quantity - delta > 0)
        fresh = int(getattr(level, "fresh", False))
        store[3] += fresh
        marks.append(
            (level.store_id, level.product_id, level.quantity - delta, level.quantity, fresh)
        )
    return dict(sorted(products.items())), sorted((pk, *f) for pk, f in stores.items()), marks


def _products_sql(deltas: dict[int, int]) -> tuple[str, list]:
    """PostgreSQL: the CTEs `totals_locked` and `products` (id, alert): the product totals
    locked in key order (documents sharing products queue) with their products' rows
    FOR KEY SHARE (a threshold change's FOR UPDATE is waited for, and its new alert
    threshold read), then moved by the deltas."""
    pairs = ", ".join("(%s::bigint, %s::bigint)" for _ in deltas)
    sql = (
        f"totals_locked AS (SELECT t.id, p.alert_threshold AS alert, v.delta"
        f" FROM (VALUES {pairs}) AS v(id, delta) JOIN {_PRODUCT_TOTAL} t ON t.id = v.id"
        f" JOIN {_PRODUCT} p ON p.id = v.id ORDER BY t.id FOR NO KEY UPDATE OF t"
        " FOR KEY SHARE OF p),"
        f" products AS (UPDATE {_PRODUCT_TOTAL} AS t SET units = t.units + l.delta"
        " FROM totals_locked l WHERE t.id = l.id RETURNING t.id, l.alert)"
    )
    return sql, [x for pair in deltas.items() for x in pair]


_UPSERT = (
    " ON CONFLICT (store_id) DO UPDATE SET units = t.units + excluded.units,"
    " value = ROUND(t.value + excluded.value, 2), held = t.held + excluded.held,"
    " levels = t.levels + excluded.levels, low = t.low + excluded.low,"
    " out = t.out + excluded.out"
)
_COLUMNS = "store_id, units, value, held, levels, low, out"


def _stores_sql(rows: list[tuple]) -> tuple[str, list]:
    """An upsert (PostgreSQL and SQLite) of [(store, units, value, held, levels, low,
    out)] deltas: the store's row is created by its first change; VALUES in store order,
    so rows are locked in that order."""
    values = ", ".join("(%s, %s, %s, %s, %s, %s, %s)" for _ in rows)
    sql = f"INSERT INTO {_STORE_TOTAL} AS t ({_COLUMNS}) VALUES {values}{_UPSERT}"
    return sql, [x for row in rows for x in row]


def _stores_sql_joined(rows: list[tuple], marks: list[tuple]) -> tuple[str, list]:
    """PostgreSQL, inside totals_move_with: the upsert with the low/out deltas counted
    from the levels' marks joined to the `products` CTE's alert thresholds."""
    stores = ", ".join("(%s, %s, %s, %s, %s)" for _ in rows)
    levels = ", ".join("(%s, %s, %s, %s, %s)" for _ in marks)
    was = "l.fresh = 0 AND "
    low = "l.{0} > 0 AND l.{0} <= p.alert"
    out = "p.alert IS NOT NULL AND l.{0} = 0"
    sql = (
        f"INSERT INTO {_STORE_TOTAL} AS t ({_COLUMNS}) SELECT v.store_id, v.units,"
        " v.value, v.held, v.levels,"
        f" SUM(CASE WHEN {low.format('after')} THEN 1 ELSE 0 END"
        f" - CASE WHEN {was}{low.format('before')} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {out.format('after')} THEN 1 ELSE 0 END"
        f" - CASE WHEN {was}{out.format('before')} THEN 1 ELSE 0 END)"
        f" FROM (VALUES {stores}) AS v(store_id, units, value, held, levels)"
        f" JOIN (VALUES {levels}) AS l(store_id, product_id, before, after, fresh)"
        " ON l.store_id = v.store_id JOIN products p ON p.id = l.product_id"
        " GROUP BY v.store_id, v.units, v.value, v.held, v.levels ORDER BY v.store_id"
        f"{_UPSERT}"
    )
    return sql, [x for row in rows for x in row] + [x for row in marks for x in row]


def onhand_rebuild() -> None:
    """Recompute every product's on-hand total and alert threshold, every store's
    totals and low/out counters, and the (store, product) pairs without a level
    (MissingLevel), from the levels.

    For bulk loaders that write StockLevel rows without the stock services (COPY, demo
    history); call it in their transaction, after the levels. Rows already right are not
    rewritten. Set-based (one grouped pass over the levels, then a join): a subquery per
    product would scan the levels once per product while a bulk load has their indexes
    dropped (100,000 products x 300,000 levels).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_PRODUCT_TOTAL} AS pt (id, units) SELECT p.id, COALESCE(t.total, 0)"
            f" FROM {_PRODUCT} p LEFT JOIN (SELECT product_id, SUM(quantity) AS total"
            f" FROM {_LEVEL} GROUP BY product_id) AS t ON t.product_id = p.id WHERE TRUE"
            " ON CONFLICT (id) DO UPDATE SET units = excluded.units"
            " WHERE pt.units <> excluded.units"
        )
    StoreTotal.objects.all().delete()
    figures = (
        StockLevel.objects.order_by()
        .values("store_id")
        .annotate(units=Sum("quantity"), worth=Sum("value"))
    )
    held = dict(
        StockLevel.objects.filter(quantity__gt=0)
        .order_by()
        .values("store_id")
        .annotate(n=Count("pk"))
        .values_list("store_id", "n")
    )
    StoreTotal.objects.bulk_create(
        StoreTotal(
            store_id=row["store_id"],
            units=row["units"] or 0,
            value=quantize(row["worth"] or 0, 2),
            held=held.get(row["store_id"], 0),
            levels=row["levels"],
        )
        for row in figures.annotate(levels=Count("pk"))
    )
    from .alerts import alerts_rebuild  # it builds on this module's upsert

    alerts_rebuild()
    missing_levels_rebuild()

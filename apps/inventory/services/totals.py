"""Stored totals the levels imply: each product's on-hand total (Product.on_hand_total)
and each store's units, value and products held (StoreTotal).

`totals_move` runs in the same transaction as the level update it follows
(`levels._levels_update`): two statements whatever the number of lines, with rows locked
in primary-key order (products, then stores), after the levels and before the ledger's
accounts, the same order in every stock service, so no two of them deadlock.
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

from ..models import StockLevel, StoreTotal

_PRODUCT = Product._meta.db_table
_STORE_TOTAL = StoreTotal._meta.db_table
_LEVEL = StockLevel._meta.db_table


def totals_move(levels: dict, quantity: dict[int, int], value: dict[int, Decimal]) -> None:
    """Apply the net change of locked levels (`levels` {pk: level after the change},
    `quantity`/`value` {pk: signed delta}) to their products' and stores' totals."""
    products, rows = _deltas(levels, quantity, value)
    with connection.cursor() as cursor:
        if products:
            cursor.execute(*_products_sql(products))
        if rows:
            cursor.execute(*_stores_sql(rows))


def totals_move_with(
    levels_update: tuple[str, list],
    levels: dict,
    quantity: dict[int, int],
    value: dict[int, Decimal],
) -> int:
    """PostgreSQL: run the levels' UPDATE (`levels_update`, sql and params) and the
    totals_move statements as one (data-modifying CTEs); returns how many levels the
    UPDATE changed. The products are locked and updated before the stores' totals (the
    upsert reads their count first), the same order as in two statements."""
    products, rows = _deltas(levels, quantity, value)
    sql, params = levels_update
    parts, after = [f"levels AS ({sql} RETURNING 1)"], "TRUE"
    if products:
        products_sql, products_params = _products_sql(products)
        parts.append(f"products AS ({products_sql} RETURNING 1)")
        params += products_params
        after = "(SELECT count(*) FROM products) >= 0"
    if rows:
        stores_sql, stores_params = _stores_sql(rows, after=after)
        parts.append(f"stores AS ({stores_sql} RETURNING 1)")
        params += stores_params
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT count(*) FROM levels", params)
        return cursor.fetchone()[0]


def _deltas(levels: dict, quantity: dict[int, int], value: dict[int, Decimal]):
    """{product pk: units} and [(store pk, units, value, held)], both in key order,
    without the zero changes."""
    products: dict[int, int] = defaultdict(int)
    stores: dict[int, list] = defaultdict(lambda: [0, Decimal(0), 0])
    for pk, level in levels.items():
        delta = quantity[pk]
        products[level.product_id] += delta
        store = stores[level.store_id]
        store[0] += delta
        store[1] += value[pk]
        store[2] += (level.quantity > 0) - (level.quantity - delta > 0)
    products = {pk: d for pk, d in sorted(products.items()) if d}
    rows = sorted((pk, *figures) for pk, figures in stores.items() if any(figures))
    return products, rows


def _products_sql(deltas: dict[int, int]) -> tuple[str, list]:
    # several products are locked in key order first: documents sharing products queue
    return add_by_id(_PRODUCT, "on_hand_total", deltas, lock="FOR UPDATE")


def _stores_sql(rows: list[tuple], after: str = "") -> tuple[str, list]:
    """An upsert (PostgreSQL and SQLite): the store's row is created by its first change;
    VALUES in store order, so rows are locked in that order. `after`: a condition the
    rows are read under (in one statement with the products', their count)."""
    values = ", ".join("(%s, %s, %s, %s)" for _ in rows)
    source = f"VALUES {values}"
    if after:
        source = f"SELECT * FROM ({source}) AS v WHERE {after}"
    sql = (
        f"INSERT INTO {_STORE_TOTAL} AS t (store_id, units, value, held) {source}"
        " ON CONFLICT (store_id) DO UPDATE SET units = t.units + excluded.units,"
        " value = ROUND(t.value + excluded.value, 2), held = t.held + excluded.held"
    )
    return sql, [x for row in rows for x in row]


def onhand_rebuild() -> None:
    """Recompute every product's on-hand total and every store's totals from the levels.

    For bulk loaders that write StockLevel rows without the stock services (COPY, demo
    history); call it in their transaction, after the levels. Rows already right are not
    rewritten. Set-based (one grouped pass over the levels, then a join): a subquery per
    product would scan the levels once per product while a bulk load has their indexes
    dropped (100,000 products x 300,000 levels).
    """
    level = _LEVEL
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_PRODUCT} SET on_hand_total = t.total FROM (SELECT product_id,"
            f" SUM(quantity) AS total FROM {level} GROUP BY product_id) AS t"
            f" WHERE {_PRODUCT}.id = t.product_id AND {_PRODUCT}.on_hand_total <> t.total"
        )
        cursor.execute(
            f"UPDATE {_PRODUCT} SET on_hand_total = 0 WHERE on_hand_total <> 0 AND NOT EXISTS"
            f" (SELECT 1 FROM {level} l WHERE l.product_id = {_PRODUCT}.id)"
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
        )
        for row in figures
    )

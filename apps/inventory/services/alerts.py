"""The stores' low and out-of-stock counters (StoreTotal.low, .out) and the products'
stored alert threshold (Product.alert_threshold) they are counted by.

A level counts as out at 0 units and as low at 1..alert threshold, when its product has
one (active and not in the trash: its own threshold, else the company default). The stock
services move the counters with the levels (totals.py), reading each product's alert
threshold from the UPDATE that locks its row. What changes a threshold goes through
`apps.catalog.hooks.stock_alerts_change`, which calls, in one transaction:
1. `alerts_lock`: the company settings row (shared; exclusive for the default), then
   the affected products' levels (primary-key order), then the products: the stock
   services' order after the settings row, which they never take, so no cycle;
2. the write itself (a product, the company default, the trash);
3. `alerts_sync`: each affected product's stored threshold is set from its fields, and
   its levels are counted out of the old figure and into the new one.
A level created meanwhile by a stock service waits for the product's row lock and then
reads the new threshold. `onhand_rebuild` recounts everything for bulk loaders;
check_books compares the counters with `alert_recount`.
"""

from __future__ import annotations

from django.db import connection

from apps.catalog.models import Product
from apps.core.models import CompanySettings

from ..models import StockLevel, StoreTotal
from .totals import _stores_sql

_PRODUCT = Product._meta.db_table
_LEVEL = StockLevel._meta.db_table
_SETTINGS = CompanySettings._meta.db_table
_STORE_TOTAL = StoreTotal._meta.db_table


def _products_where(product_ids: list[int] | None, alias: str = "") -> tuple[str, list]:
    """Which products a change touches: the given ones, or those following the default."""
    if product_ids is None:
        return f"{alias}low_stock_threshold IS NULL", []
    marks = ", ".join("%s" for _ in product_ids)
    return f"{alias}id IN ({marks})", list(product_ids)


def alerts_lock(*, product_ids: list[int] | None) -> int | None:
    """Take a threshold change's locks, in this order: the company settings row (shared
    by product changes, exclusive for a change of the default, so the products following
    the default cannot change while the default does, and a product change reads the
    default its sync stores), then the affected products' levels (primary-key order),
    then the products (`product_ids`; None: those without a threshold of their own), the
    stock services' order. Returns the default read under the shared lock (a product
    change's sync uses it), else None. SQLite runs one writer at a time: nothing to lock."""
    if not connection.features.has_select_for_update or product_ids == []:
        return None
    mode = "UPDATE" if product_ids is None else "SHARE"
    where, params = _products_where(product_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT default_low_stock_threshold FROM {_SETTINGS} WHERE id = 1 FOR {mode}"
        )
        row = cursor.fetchone()
        cursor.execute(
            f"SELECT id FROM {_LEVEL} WHERE product_id IN (SELECT id FROM {_PRODUCT}"
            f" WHERE {where}) ORDER BY id FOR UPDATE",
            params,
        )
        cursor.execute(f"SELECT id FROM {_PRODUCT} WHERE {where} ORDER BY id FOR UPDATE", params)
    return row[0] if row and product_ids is not None else None


def _default() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT default_low_stock_threshold FROM {_SETTINGS} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else CompanySettings.load().default_low_stock_threshold


def _new_alert(default_param: str = "%s") -> str:
    return (
        "CASE WHEN p.active AND p.deleted_at IS NULL"
        f" THEN COALESCE(p.low_stock_threshold, {default_param}) END"
    )


def _status_sums(alert: str) -> str:
    return (
        f"SUM(CASE WHEN l.quantity > 0 AND l.quantity <= {alert} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN l.quantity = 0 AND {alert} IS NOT NULL THEN 1 ELSE 0 END)"
    )


def alerts_sync(*, product_ids: list[int] | None, default: int | None = None) -> None:
    """After a change of thresholds, active flags or the trash (inside
    `hooks.stock_alerts_change`): move the affected products' levels from the counts of
    their stored alert threshold to those of the new one, then store it. Three
    statements (and the default's read, unless `alerts_lock` returned it); nothing
    written when no threshold changed."""
    if product_ids == []:
        return
    if default is None:
        default = _default()
    where, params = _products_where(product_ids, "p.")
    new = _new_alert()
    changed = f"{where} AND p.alert_threshold IS DISTINCT FROM {new}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.store_id, {_status_sums(new)}, {_status_sums('p.alert_threshold')}"
            f" FROM {_LEVEL} l JOIN {_PRODUCT} p ON p.id = l.product_id WHERE {changed}"
            " GROUP BY l.store_id ORDER BY l.store_id",
            [default, default, *params, default],
        )
        rows = [
            (store_id, 0, 0, 0, 0, low - was_low, out - was_out)
            for store_id, low, out, was_low, was_out in cursor.fetchall()
            if (low, out) != (was_low, was_out)
        ]
        if rows:
            cursor.execute(*_stores_sql(rows))
        cursor.execute(
            f"UPDATE {_PRODUCT} AS p SET alert_threshold = {new} WHERE {changed}",
            [default, *params, default],
        )


def alert_recount() -> dict[int, tuple[int, int]]:
    """{store_id: (low, out)} counted from the levels and the stored alert thresholds."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.store_id, {_status_sums('p.alert_threshold')} FROM {_LEVEL} l"
            f" JOIN {_PRODUCT} p ON p.id = l.product_id GROUP BY l.store_id"
        )
        return {store_id: (low, out) for store_id, low, out in cursor.fetchall()}


def alerts_rebuild() -> None:
    """Every product's alert threshold from its fields, and every store's counters from
    a recount (bulk loaders, through `onhand_rebuild`)."""
    default = _default()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_PRODUCT} AS p SET alert_threshold = {_new_alert()}"
            f" WHERE p.alert_threshold IS DISTINCT FROM {_new_alert()}",
            [default, default],
        )
    counts = alert_recount()
    for total in StoreTotal.objects.all():
        low, out = counts.get(total.store_id, (0, 0))
        if (total.low, total.out) != (low, out):
            StoreTotal.objects.filter(pk=total.pk).update(low=low, out=out)

"""Stock valuation as of any date, per store, product or category, set against the
Inventory account on that date (DESIGN.md §4.8, §13).

Each level stores its value now; each movement records the value it added or took. The
value on day D is therefore today's levels minus what moved after D: two grouped queries,
the second an index range on `created_at` that is short for recent dates (rather than
summing every movement since the beginning).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Max, Sum
from django.urls import reverse

from apps.catalog.models import Category, Product
from apps.finance.money import quantize
from apps.finance.selectors import base_currency_code
from apps.inventory.models import StockLevel, StockMovement, Store
from apps.ledger import chart

from ..result import INT, MONEY, TEXT, Chart, Column, Report, Table, cents, parse_date
from .aging import day_end
from .financial import balance_on

ZERO = Decimal("0.00")
GROUPS = {"store": "Store", "product": "Product", "category": "Category"}
KEYS = {"store": "store_id", "product": "product_id", "category": "product__category_id"}


def _filtered(queryset, params: dict):
    if params.get("store"):
        queryset = queryset.filter(store_id=params["store"])
    if params.get("category"):
        queryset = queryset.filter(product__category_id=params["category"])
    return queryset


def values_on(as_of: dt.date, by: str, params: dict | None = None) -> dict:
    """{group key: [quantity, value]} on `as_of` (end of the day)."""
    params = params or {}
    key = KEYS[by]
    acc: dict = defaultdict(lambda: [0, ZERO])
    levels = _filtered(StockLevel.objects.all(), params)
    for row in levels.values(k=F(key)).annotate(q=Sum("quantity"), v=Sum("value")).order_by():
        acc[row["k"]][0] += row["q"] or 0
        acc[row["k"]][1] += cents(row["v"])
    later = _filtered(StockMovement.objects.filter(created_at__gte=day_end(as_of)), params)
    for row in later.values(k=F(key)).annotate(q=Sum("quantity"), v=Sum("value")).order_by():
        acc[row["k"]][0] -= row["q"] or 0
        acc[row["k"]][1] -= cents(row["v"])
    return {k: v for k, v in acc.items() if v[0] or v[1]}


def stock_value_by_store() -> list[dict]:
    """Current value and units per active store (the dashboard's summary job)."""
    rows = (
        StockLevel.objects.filter(store__active=True, store__deleted_at__isnull=True)
        .values("store_id")
        .annotate(units=Sum("quantity"), value=Sum("value"), name=Max("store__name"))
        .order_by("name")
    )
    return [
        {
            "key": str(r["store_id"]),
            "label": r["name"],
            "units": r["units"] or 0,
            "value": cents(r["value"]),
        }
        for r in rows
    ]


def _labels(by: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if by == "store":
        return {s.pk: (s.name, "") for s in Store.all_objects.filter(pk__in=keys)}
    if by == "category":
        return {c.pk: (c.name, "") for c in Category.all_objects.filter(pk__in=keys)}
    return {
        p.pk: (f"{p.sku} {p.name}", reverse("product-detail", args=[p.pk]))
        for p in Product.all_objects.filter(pk__in=keys).only("sku", "name")
    }


def build(params: dict, progress) -> Report:
    as_of = parse_date(params["end"])
    by = params.get("group_by") or "store"
    if by not in GROUPS:
        by = "store"
    amounts = values_on(as_of, by, params)
    progress(60)
    labels = _labels(by, amounts)
    table = Table(
        title=f"Stock value by {by}",
        columns=[
            Column("group", GROUPS[by], TEXT),
            Column("quantity", "Units", INT),
            Column("unit_cost", "Average unit cost", MONEY),
            Column("value", "Value", MONEY),
        ],
    )
    for key, (quantity, value) in amounts.items():
        name, url = labels.get(key, ("(no category)" if key is None else f"#{key}", ""))
        row = {
            "group": name,
            "quantity": quantity,
            "unit_cost": quantize(value / quantity, 2) if quantity else None,
            "value": value,
        }
        if url:
            row["url"] = url
        table.rows.append(row)
    table.rows.sort(key=lambda r: (-r["value"], r["group"]))
    table.total("quantity", "value")
    total = table.totals["value"]
    tables = [table]
    figures = [("Stock value", total, MONEY), ("Units", table.totals["quantity"], INT)]
    filtered = bool(params.get("store") or params.get("category"))
    if not filtered:
        ledger = balance_on(chart.INVENTORY, as_of)
        figures.append(("Inventory account", ledger, MONEY))
        tables.append(
            Table(
                title="Reconciliation with the ledger",
                columns=[Column("line", "Line", TEXT), Column("amount", "Amount", MONEY)],
                rows=[
                    {"line": "Stock value", "amount": total},
                    {"line": f"Inventory ({chart.INVENTORY}) on {as_of}", "amount": ledger},
                    {"line": "Difference", "amount": total - ledger},
                ],
            )
        )
    progress(85)
    top = table.rows[:15]
    return Report(
        title="Stock valuation",
        subtitle=f"as of {as_of}, by {by}, in {base_currency_code()}",
        figures=figures,
        tables=tables,
        charts=[
            Chart(
                title=f"Stock value by {by}" + (" (top 15)" if len(table.rows) > 15 else ""),
                labels=[r["group"] for r in top],
                datasets=[{"label": "Value", "data": [r["value"] for r in top]}],
            )
        ],
        notes=[
            "Quantity x moving-average cost at the end of the day: today's stock levels "
            "minus the movements recorded after that day, each at the value it moved. "
            "Categories are the products' current ones."
        ],
    )

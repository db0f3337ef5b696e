"""Reads about stock shared by the screens, the dashboard, the digest job and the catalog.

Stock status of a level: "out" at 0, "low" at or below the product's threshold (or the
company default when the product has none), else "ok". The catalog reaches these
functions through `apps.catalog.hooks.stock` (it sits below inventory, DESIGN.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.catalog.models import Category, Product
from apps.core import reference
from apps.core.models import CompanySettings
from apps.finance.money import quantize

from .models import StockLevel, StockMovement, Store, StoreTotal
from .store_order import StoreStockOrder


class StockStatus:
    IN_STOCK = "ok"
    LOW = "low"
    OUT = "out"
    CHOICES = [("ok", "In stock"), ("low", "Low"), ("out", "Out of stock")]
    LABELS = dict(CHOICES)


def default_threshold() -> int:
    return CompanySettings.load().default_low_stock_threshold


def _status(quantity: str, threshold: str) -> Case:
    return Case(
        When(**{f"{quantity}__lte": 0}, then=Value(StockStatus.OUT)),
        When(**{f"{quantity}__lte": F(threshold)}, then=Value(StockStatus.LOW)),
        default=Value(StockStatus.IN_STOCK),
    )


def threshold_expression(prefix: str = ""):
    """The product's threshold, or the company default, as an SQL expression."""
    return Coalesce(
        F(f"{prefix}low_stock_threshold"),
        Value(default_threshold()),
        output_field=IntegerField(),
    )


def levels_with_status(queryset: QuerySet | None = None):
    """Levels of alive products with `threshold` and `status` annotations."""
    queryset = StockLevel.objects.all() if queryset is None else queryset
    return queryset.filter(product__deleted_at__isnull=True).annotate(
        threshold=threshold_expression("product__"),
        status=_status("quantity", "threshold"),
    )


def low_stock_levels():
    """Low or out levels of active products in active stores, by product name, product
    and store (the live product-name index, which ends with the id, serves the first
    page without sorting every low level; the id keeps products of one name apart)."""
    return (
        levels_with_status()
        .filter(
            store__active=True,
            store__deleted_at__isnull=True,
            product__active=True,
            quantity__lte=F("threshold"),
        )
        .select_related("store", "product", "product__category")
        .order_by("product__name", "product_id", "store__name")
    )


# What a stock-level row shows (StockLevelTable.rows_html, the CSV export, the product
# link), read as plain values: model instances of the level, store, product and category
# cost ~1.5 ms of a 51-row page to build (and their other columns, timestamps, notes,
# addresses, prices, ~300 datetime conversions more). The keys are the table's accessors.
LEVEL_ROW = (
    "store_id",
    "product_id",
    "quantity",
    "value",
    "unit_cost",
    "threshold",
    "status",
    "store__name",
    "product__sku",
    "product__name",
    "product__category__name",
)


def level_rows():
    """The stock list's rows: levels of alive products with status, as LEVEL_ROW dicts."""
    return levels_with_status().values(*LEVEL_ROW)


def low_level_rows():
    """The low-stock page's rows: `low_stock_levels` as LEVEL_ROW dicts."""
    return low_stock_levels().values(*LEVEL_ROW)


def available(*, store: Store | int | None, product: Product | int | None) -> int:
    if not store or not product:
        return 0
    quantities = StockLevel.objects.filter(store=store, product=product).values_list(
        "quantity", flat=True
    )
    return next(iter(quantities[:1]), 0)


@dataclass
class LevelFigures:
    quantity: int = 0
    value: Decimal = Decimal("0.00")
    unit_cost: Decimal = Decimal("0.0000")


def level_figures(*, store: Store | int, product: Product | int) -> LevelFigures:
    """Units, value and average cost of one level (zeros where none exists)."""
    row = (
        StockLevel.objects.filter(store=store, product=product)
        .values_list("quantity", "value", "unit_cost")
        .first()
    )
    return LevelFigures(*row) if row else LevelFigures()


@dataclass
class StoreSummary:
    store: Store
    products: int
    units: int
    low: int
    value: Decimal = Decimal("0.00")


def alert_counts() -> dict[int, tuple[int, int]]:
    """{store_id: (low, out)}: levels of alive, active products at 1..threshold and at 0,
    as the stock services count them (StoreTotal.low/out, one row per store)."""
    return {
        store_id: (low, out)
        for store_id, low, out in StoreTotal.objects.values_list("store_id", "low", "out")
    }


def low_stock_count() -> int:
    """How many rows `low_stock_levels` lists (low or out, active products, active
    stores), from the stores' counters: one row per store instead of a count of levels."""
    counted = StoreTotal.objects.filter(store__active=True, store__deleted_at__isnull=True)
    figures = counted.aggregate(n=Coalesce(Sum(F("low") + F("out")), 0))
    return figures["n"]


def stores_few_low(share: int) -> set[int]:
    """The stores where fewer than one level in `share` is low or out, from the stores'
    counters (the low-stock page's rows of a store, unfiltered, are its low + out)."""
    counted = StoreTotal.objects.values_list("store_id", "levels", "low", "out")
    return {pk for pk, levels, low, out in counted if (low + out) * share < levels}


def store_summaries() -> list[StoreSummary]:
    """One row per active store: products held, units, value and low/out levels, all
    from the StoreTotal row the stock services keep. One query."""
    stores = Store.objects.filter(active=True).select_related("stock_total").order_by("name")
    summaries = []
    for store in stores:
        total = getattr(store, "stock_total", None)
        summaries.append(
            StoreSummary(
                store,
                total.held if total else 0,
                total.units if total else 0,
                total.low + total.out if total else 0,
                quantize(total.value if total else 0, 2),
            )
        )
    return summaries


def dashboard_figures() -> list[tuple[str, str]]:
    """The Stock card on the dashboard: the stored store totals (units in every store,
    low/out levels of active stores) in one query, and today's movements through the
    `created_at` index."""
    active = Q(store__active=True)
    figures = StoreTotal.objects.aggregate(
        units=Coalesce(Sum("units"), 0),
        low=Coalesce(Sum("low", filter=active), 0),
        out=Coalesce(Sum("out", filter=active), 0),
    )
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = StockMovement.objects.filter(created_at__gte=start).count()
    return [
        ("Units on hand", f"{figures['units']:,}"),
        ("Low stock", f"{figures['low']:,}"),
        ("Out of stock", f"{figures['out']:,}"),
        ("Movements today", f"{today:,}"),
    ]


# --- used by the catalog screens (through apps.catalog.hooks.stock) ----------------------


def annotate_products(queryset: QuerySet, *, store_id: int | None = None) -> QuerySet:
    """Add `on_hand` (one store or all) and `stock_status` to a product queryset.

    All stores: the product's stored total (ProductTotal.units, kept by the stock
    services, one row per product joined on its key), so sorting and filtering by stock
    read a column with an index instead of summing the levels of every product. One
    store: its level, joined on the unique (store, product) row.
    """
    if store_id:
        here = FilteredRelation("stock_levels", condition=Q(stock_levels__store_id=store_id))
        queryset = queryset.annotate(store_level=here).annotate(
            on_hand=Coalesce(F("store_level__quantity"), 0)
        )
    else:
        queryset = queryset.annotate(on_hand=F("stock_total__units"))
    # The threshold only decides the status (an alias: not a selected column).
    return queryset.alias(threshold=threshold_expression()).annotate(
        stock_status=_status("on_hand", "threshold")
    )


def order_by_store_stock(queryset: QuerySet, *, store_id: int, descending: bool):
    """Products of `annotate_products(store_id=...)` by the store's on-hand, then name and
    pk, read a page at a time from indexes (apps/inventory/store_order.py)."""
    return StoreStockOrder(queryset, store_id=store_id, descending=descending)


def highest_threshold() -> int:
    """The highest low-stock threshold in use (the product index answers the MAX)."""
    highest = Product.objects.aggregate(m=Max("low_stock_threshold"))["m"] or 0
    return max(default_threshold(), highest)


def lowest_threshold() -> int:
    """The lowest low-stock threshold in use, or the company default if lower (the
    product index answers the MIN): every product in stock holds more than this."""
    lowest = Product.objects.aggregate(m=Min("low_stock_threshold"))["m"]
    default = default_threshold()
    return default if lowest is None else min(default, lowest)


def filter_status(queryset: QuerySet, status: str) -> QuerySet:
    """Products of `annotate_products` whose stock status is `status`. The status also
    bounds the on-hand, written out as ranges the on-hand index (or one store's quantity
    index) reads, instead of the CASE being evaluated for every product: out is at most 0
    (the CASE's first branch), low is above 0 and at most the highest threshold, in stock
    above the lowest threshold. One store's stock order then finds that no level holding
    units is out, and that no product without one (or, in stock, at a quantity that is
    low for every product) qualifies, without reading them: one store descending, out,
    97-152 -> 22 ms; ascending, in stock, its walk of the lowest quantity is skipped.
    """
    queryset = queryset.filter(stock_status=status)
    if status == StockStatus.OUT:
        return queryset.filter(on_hand__lte=0)
    if status == StockStatus.LOW:
        return queryset.filter(on_hand__gt=0, on_hand__lte=highest_threshold())
    return queryset.filter(on_hand__gt=max(0, lowest_threshold()))


def store_choices() -> list[tuple[int, str]]:
    """(id, name) of the active stores (a filter bar's options; kept per process while the
    reference stamp stays the same: apps.core.reference). A new list each call."""
    return list(reference.cached(Store._meta.db_table, "inventory.store_choices", _store_choices))


def _store_choices() -> tuple[tuple[int, str], ...]:
    return tuple(Store.objects.filter(active=True).values_list("pk", "name"))


def store_ids_by_name() -> list[int]:
    """Every store's id (deleted ones too), in name order: the stock list's runs when it is
    sorted by store."""
    return _ids_by_name(Store)


def category_ids_by_name() -> list[int]:
    """Every category's id (deleted ones too), in name order: the stock list's runs when
    it is sorted by category."""
    return _ids_by_name(Category)


def _ids_by_name(model) -> list[int]:
    """`model`'s ids in name order, kept per process while the reference stamp stays the
    same (its table is a stamped one). A new list each call."""
    table = model._meta.db_table

    def load() -> tuple[int, ...]:
        return tuple(model.all_objects.order_by("name").values_list("pk", flat=True))

    return list(reference.cached(table, f"{table}.ids_by_name", load))


def product_stock(product: Product) -> list[dict]:
    """Every active store with this product's quantity (0 where it never was), status,
    value and moving-average unit cost (base currency)."""
    levels = {
        store_id: (value, unit_cost)
        for store_id, value, unit_cost in StockLevel.objects.filter(product=product).values_list(
            "store_id", "value", "unit_cost"
        )
    }
    level = StockLevel.objects.filter(store=OuterRef("pk"), product=product).values("quantity")
    threshold = product.low_stock_threshold
    stores = Store.objects.filter(active=True).annotate(
        quantity=Coalesce(Subquery(level[:1], output_field=IntegerField()), 0),
        threshold=Value(default_threshold() if threshold is None else threshold),
        status=_status("quantity", "threshold"),
    )
    rows = []
    for s in stores:
        value, unit_cost = levels.get(s.pk, (None, None))
        rows.append(
            {
                "store": s,
                "quantity": s.quantity,
                "status": s.status,
                "value": quantize(value, 2) if value is not None else None,
                "unit_cost": quantize(unit_cost, 4) if unit_cost else None,
            }
        )
    return rows


# The columns a movement row shows (tables.movement_rows_html): the movement's notes,
# transfer and category, and the stores' and user's other columns (their timestamps
# among them) are left unread.
MOVEMENT_ROW_FIELDS = (
    "created_at",
    "movement_type",
    "store__name",
    "related_store__name",
    "product_id",
    "product_sku",
    "product_name",
    "quantity",
    "previous_quantity",
    "new_quantity",
    "unit_cost",
    "value",
    "reason",
    "reference",
    "user__full_name",
    "user__email",
)


def recent_movements(product: Product, limit: int = 10) -> list[StockMovement]:
    return list(
        StockMovement.objects.filter(product=product)
        .select_related("store", "user", "related_store")
        .only(*MOVEMENT_ROW_FIELDS)
        .order_by("-id")[:limit]
    )


def product_delete_guard(product: Product) -> str:
    """Refuse to trash a product while units of it sit in any store."""
    on_hand = StockLevel.objects.filter(product=product).aggregate(u=Sum("quantity"))["u"] or 0
    if on_hand:
        return f"{product.sku} still has {on_hand} units in stock. Remove or adjust them first."
    return ""

"""Stock invariants for check_books (DESIGN.md §4.1 quantities, §4.8 value)."""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import Lag

from apps.core.books import CheckResult, register

from .models import StockLevel, StockMovement


@register(
    "inventory.stock_levels_match_movements",
    "Every stock level equals the sum of its movements and is never negative.",
)
def stock_levels_match_movements() -> CheckResult:
    sums = {
        (row["store_id"], row["product_id"]): row["total"]
        for row in StockMovement.objects.order_by()
        .values("store_id", "product_id")
        .annotate(total=Sum("quantity"))
    }
    violations = []
    counted = 0
    for store_id, product_id, quantity in StockLevel.objects.values_list(
        "store_id", "product_id", "quantity"
    ).iterator(chunk_size=5000):
        counted += 1
        expected = sums.pop((store_id, product_id), 0)
        if quantity < 0:
            violations.append(f"store {store_id} product {product_id}: level {quantity} < 0")
        if quantity != expected:
            violations.append(
                f"store {store_id} product {product_id}: level {quantity}, movements sum to {expected}"
            )
    for (store_id, product_id), total in sums.items():
        if total:
            violations.append(
                f"store {store_id} product {product_id}: no level, movements sum to {total}"
            )
    return CheckResult(counted=counted, violations=violations)


def _figures(units, value, held) -> str:
    return f"{units} units worth {value} in {held} products"


@register(
    "inventory.stock_totals",
    "Every product has an on-hand total and it equals the sum of its levels; every "
    "store's stored units, value and products held equal its levels'.",
)
def stock_totals() -> CheckResult:
    from apps.catalog.models import Product
    from apps.finance.money import quantize

    from .models import StoreTotal

    sums = dict(
        StockLevel.objects.order_by()
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .values_list("product_id", "total")
    )
    violations = []
    counted = 0
    products = Product.all_objects.order_by("pk").values_list("pk", "sku", "stock_total__units")
    for pk, sku, total in products.iterator(chunk_size=5000):
        counted += 1
        expected = sums.get(pk) or 0
        if total is None:
            violations.append(f"product {pk} ({sku}): no on-hand total row")
        elif total != expected:
            violations.append(f"product {pk} ({sku}): on hand {total}, levels sum to {expected}")
    stored = {t.store_id: t for t in StoreTotal.objects.all()}
    held = Count("pk", filter=Q(quantity__gt=0))
    stores = StockLevel.objects.order_by("store_id").values("store_id")
    for row in stores.annotate(
        units=Sum("quantity"), worth=Sum("value"), held=held, levels=Count("pk")
    ):
        counted += 1
        total = stored.pop(row["store_id"], None)
        have = (total.units, quantize(total.value, 2), total.held) if total else (0, 0, 0)
        want = (row["units"], quantize(row["worth"], 2), row["held"])
        if have != want:
            violations.append(
                f"store {row['store_id']}: stored {_figures(*have)}, levels hold {_figures(*want)}"
            )
        if (total.levels if total else 0) != row["levels"]:
            violations.append(
                f"store {row['store_id']}: counts {total.levels if total else 0} levels,"
                f" has {row['levels']}"
            )
    for store_id, total in stored.items():
        if (total.units, total.value, total.held) != (0, 0, 0):
            violations.append(f"store {store_id}: stored totals but no levels")
    return CheckResult(counted=counted, violations=violations[:200])


@register(
    "inventory.stock_alerts",
    "Every product's alert threshold follows its threshold, active flag, trash state and "
    "the company default; every store's low/out counters equal a recount of its levels.",
)
def stock_alerts() -> CheckResult:
    from apps.catalog.models import Product
    from apps.core.models import CompanySettings

    from .models import StoreTotal
    from .services.alerts import alert_recount

    default = CompanySettings.load().default_low_stock_threshold
    violations = []
    counted = 0
    products = Product.all_objects.order_by("pk").only(
        "pk", "sku", "active", "deleted_at", "low_stock_threshold", "alert_threshold"
    )
    for product in products.iterator(chunk_size=5000):
        counted += 1
        want = product.alert_value(default)
        if product.alert_threshold != want:
            violations.append(
                f"product {product.pk} ({product.sku}): alert threshold"
                f" {product.alert_threshold}, should be {want}"
            )
    counts = alert_recount()
    for total in StoreTotal.objects.order_by("store_id"):
        counted += 1
        low, out = counts.pop(total.store_id, (0, 0))
        if (total.low, total.out) != (low, out):
            violations.append(
                f"store {total.store_id}: counts {total.low} low and {total.out} out,"
                f" levels hold {low} low and {out} out"
            )
    for store_id, (low, out) in counts.items():
        if low or out:
            violations.append(f"store {store_id}: no counters, levels hold {low} low, {out} out")
    return CheckResult(counted=counted, violations=violations[:200])


@register(
    "inventory.movement_chain",
    "Each movement starts where the previous one of its store and product ended.",
)
def movement_chain() -> CheckResult:
    chained = StockMovement.objects.annotate(
        before=Window(
            Lag("new_quantity", default=0),
            partition_by=[F("store_id"), F("product_id")],
            order_by=F("id").asc(),
        )
    )
    broken = chained.exclude(previous_quantity=F("before")).values_list(
        "id", "store_id", "product_sku", "previous_quantity", "before"
    )[:200]
    violations = [
        f"movement {pk} ({sku} @ store {store}): starts at {previous}, previous ended at {before}"
        for pk, store, sku, previous, before in broken
    ]
    return CheckResult(counted=StockMovement.objects.count(), violations=violations)


@register(
    "inventory.stock_value",
    "The Inventory account equals the value of all stock levels (quantity x moving-average "
    "unit cost, to the cent), and each level's unit cost is its value / quantity.",
)
def stock_value() -> CheckResult:
    """Invariant 8 (DESIGN.md §4.8). Sums in Python on Decimals: SQLite adds in floats."""
    from apps.finance.money import quantize
    from apps.ledger import chart
    from apps.ledger.models import JournalLine

    from .valuation import average_cost

    violations = []
    counted = 0
    total = Decimal("0.00")
    rows = StockLevel.objects.values_list(
        "store_id", "product_id", "quantity", "value", "unit_cost"
    )
    for store_id, product_id, quantity, value, unit_cost in rows.iterator(chunk_size=5000):
        counted += 1
        value = quantize(value, 2)
        total += value
        where = f"store {store_id} product {product_id}"
        if value < 0 or (quantity == 0 and value != 0):
            violations.append(f"{where}: {quantity} units worth {value}")
        elif quantity > 0:
            expected = average_cost(quantity=quantity, value=value, previous=unit_cost)
            if quantize(unit_cost, 4) != expected:
                violations.append(
                    f"{where}: unit cost {quantize(unit_cost, 4)}, "
                    f"value {value} / {quantity} units = {expected}"
                )
    sums = JournalLine.objects.filter(account__code=chart.INVENTORY).aggregate(
        debit=Sum("base_debit"), credit=Sum("base_credit")
    )
    books = quantize(sums["debit"] or 0, 2) - quantize(sums["credit"] or 0, 2)
    if books != total:
        violations.append(
            f"Inventory account {chart.INVENTORY}: balance {books}, stock levels are worth "
            f"{total} (off by {books - total})"
        )
    return CheckResult(counted=counted, violations=violations[:200])


@register(
    "inventory.missing_levels",
    "Every (store, product) pair without a stock level, and only those, has a MissingLevel "
    "row (the product list by one store's stock reads them).",
)
def missing_levels() -> CheckResult:
    """Per store, its pairs against the products without a level there (sets of ids)."""
    from apps.catalog.models import Product

    from .models import MissingLevel, Store

    violations = []
    counted = 0
    products = list(Product.all_objects.order_by("pk").values_list("pk", flat=True))
    for store_id in Store.all_objects.order_by("pk").values_list("pk", flat=True):
        stocked = set(
            StockLevel.objects.filter(store_id=store_id).values_list("product_id", flat=True)
        )
        want = {pk for pk in products if pk not in stocked}
        have = set(
            MissingLevel.objects.filter(store_id=store_id).values_list("product_id", flat=True)
        )
        counted += len(products)
        for pk in sorted(want - have)[:100]:
            violations.append(f"store {store_id} product {pk}: no level and no missing-level row")
        for pk in sorted(have - want)[:100]:
            violations.append(f"store {store_id} product {pk}: a level and a missing-level row")
    return CheckResult(counted=counted, violations=violations[:200])

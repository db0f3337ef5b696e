"""Benchmark catalog (`seed_demo --scale N`): N products, SKU SC-000001..., each with its
first price record, written in bulk (COPY on PostgreSQL, the tables' plain indexes and
foreign keys added back once after the load; no audit events, like a data migration)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.core.bulkload import ids_reserve, rows_insert, trigger_off
from apps.core.bulkload_indexes import load_deferred
from apps.core.models import CompanySettings
from apps.finance.models import TaxRate

from .demo import SCALE_PREFIX
from .models import Category, Product, ProductPriceRecord

WORDS = ["widget", "gadget", "bolt", "bracket", "sprocket", "valve", "gasket", "hinge", "clamp"]
CENT = Decimal("0.01")
WRITTEN = (Product, ProductPriceRecord)  # what this builder loads (seed_demo)
# the product table's trigger that gives a new product its pairs without a stock level
# (inventory's MissingLevel, migration inventory 0015)
PAIRS_TRIGGER = "catalog_product_missing_insert"


def seed_scale(*, scale: int, stdout) -> None:
    """N products for benchmarks; products already there are kept (idempotent)."""
    have = Product.all_objects.filter(sku__startswith=SCALE_PREFIX).count()
    if have >= scale:
        return
    categories = list(Category.objects.order_by("pk").values_list("pk", flat=True))
    if not categories:
        return
    taxes = list(TaxRate.objects.order_by("pk").values_list("pk", flat=True)) or [None]
    now = timezone.now()
    created = now - dt.timedelta(days=400)
    numbers = range(have + 1, scale + 1)
    default = CompanySettings.load().default_low_stock_threshold
    # the product table's 18 plain indexes (two of them trigram GIN) are built once after
    # the load, not row by row here and again for each stock total the later builders set;
    # so are the index and key of the on-hand totals the product table's trigger inserts
    # (inventory's ProductTotal, reached through the relation: catalog does not import it)
    totals = Product._meta.get_field("stock_total").related_model
    with transaction.atomic(), load_deferred(Product, ProductPriceRecord, totals):
        ids = ids_reserve(Product, len(numbers))
        prices = {i: Decimal(100 + (i * 7919) % 99900) / 100 for i in numbers}
        costs = {i: (prices[i] * Decimal("0.6")).quantize(CENT) for i in numbers}
        # inventory's trigger (migration inventory 0015) would insert a pair without a
        # stock level for every store and product (4 x N rows), most of which the stock
        # history's rebuild (inventory's builder, `onhand_rebuild`, same transaction in
        # seed_demo) deletes again as it gives the products their levels: off for this
        # one statement, and that rebuild makes the pairs (PostgreSQL; the table is
        # already locked by the dropped indexes, and the switch is part of this
        # transaction, so no other writer's insert can miss it)
        with trigger_off(Product, PAIRS_TRIGGER):
            rows_insert(
                Product,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "sku",
                    "name",
                    "description",
                    "barcode",
                    "cost_price",
                    "selling_price",
                    "active",
                    "low_stock_threshold",
                    "alert_threshold",
                    "category_id",
                    "currency_id",
                    "tax_rate_id",
                    "notes",
                    "image",
                ],  # fmt: skip
                (
                    (
                        pk,
                        created,
                        created,
                        f"{SCALE_PREFIX}{i:06d}",
                        f"Scale product {i:06d} {WORDS[i % len(WORDS)]}",
                        "",
                        f"99{i:011d}",
                        costs[i],
                        prices[i],
                        True,
                        None if i % 3 else 5,
                        default if i % 3 else 5,  # active: its own threshold or the default
                        categories[i % len(categories)],
                        "USD",
                        taxes[i % len(taxes)],
                        "",
                        "",
                    )  # fmt: skip
                    for pk, i in zip(ids, numbers, strict=True)
                ),
            )
        rows_insert(
            ProductPriceRecord,
            ["product_id", "changed_at", "currency_id", "new_price", "new_cost", "old_currency"],
            (
                (pk, created, "USD", prices[i], costs[i], "")
                for pk, i in zip(ids, numbers, strict=True)
            ),
        )
    stdout.write(f"  {len(numbers)} scale products")

"""Demo stores and stock history, built by replaying a plain ledger and bulk-inserting it.

The ledger below applies the same rules as the services (no level below zero, signed
quantities, previous/new, reasons on removals and adjustments, moving-average value with
apps/inventory/valuation.py's functions), so `check_books` holds on the result; it writes
in bulk because history must be back-dated and `--scale` builds millions of movements.
The value it creates is posted as one journal entry (receipts against Stock Received Not
Billed, losses and counts against Stock Adjustments).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.catalog.demo import SCALE_PREFIX
from apps.catalog.models import Product
from apps.core.bulkload import rows_insert
from apps.finance import money
from apps.finance.selectors import MissingExchangeRate, base_currency_code, rate_on
from apps.ledger import chart

from . import valuation
from .models import MovementReason, MovementType, StockLevel, StockMovement, Store
from .services.totals import onhand_rebuild

STORES = [
    ("MAIN", "Main Warehouse", "Unit 4, Dockside Estate\nPort Town 4020", "Wes Warehouse"),
    ("CITY", "City Shop", "88 High Street\nPort Town 4001", "Cleo City"),
    ("PORT", "Harbour Outlet", "2 Quay Lane\nPort Town 4030", "Hal Harbour"),
]

COLUMNS = [
    "store_id",
    "product_id",
    "movement_type",
    "quantity",
    "previous_quantity",
    "new_quantity",
    "reason",
    "reference",
    "notes",
    "user_id",
    "created_at",
    "related_store_id",
    "transfer_id",
    "unit_cost",
    "value",
    "product_sku",
    "product_name",
    "category_name",
]


@dataclass(frozen=True)
class Item:
    pk: int
    sku: str
    name: str
    category: str
    cost: Decimal  # base currency


POSTS_TO = {
    MovementType.RECEIPT: chart.STOCK_RECEIVED_NOT_BILLED,
    MovementType.MANUAL_REMOVAL: chart.STOCK_ADJUSTMENTS,
    MovementType.ADJUSTMENT: chart.STOCK_ADJUSTMENTS,
}


class Ledger:
    """Levels (units, value, average cost) and movements in memory, in time order per level."""

    def __init__(self):
        self.levels: dict[tuple[int, int], int] = defaultdict(int)
        self.values: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        self.costs: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        self.posted: dict[str, Decimal] = defaultdict(Decimal)  # counter account -> value
        self.rows: list[tuple] = []

    def move(self, at, store: int, item: Item, kind: str, quantity: int, **extra) -> Decimal:
        """Record one movement; returns its signed value."""
        key = (store, item.pk)
        previous = self.levels[key]
        new = previous + quantity
        if new < 0 or quantity == 0:
            raise ValueError(f"bad demo movement {kind} {quantity} on {key} at {previous}")
        if quantity < 0:
            unit_cost = self.costs[key]
            value = -valuation.issue_value(
                on_hand=previous, value=self.values[key], quantity=-quantity
            )
        elif kind == MovementType.TRANSFER_IN:
            unit_cost, value = extra["unit_cost"], extra["value"]
        else:
            unit_cost = item.cost if kind == MovementType.RECEIPT else self.costs[key] or item.cost
            value = valuation.receipt_value(quantity, unit_cost)
        self.levels[key] = new
        self.values[key] += value
        self.costs[key] = valuation.average_cost(
            quantity=new, value=self.values[key], previous=self.costs[key]
        )
        if kind in POSTS_TO:
            self.posted[POSTS_TO[kind]] += value
        self.rows.append(
            (
                store,
                item.pk,
                kind,
                quantity,
                previous,
                new,
                extra.get("reason", ""),
                extra.get("reference", ""),
                extra.get("notes", ""),
                extra.get("user"),
                at,
                extra.get("related"),
                extra.get("transfer"),
                unit_cost,
                value,
                item.sku,
                item.name,
                item.category,
            )
        )
        return value

    def transfer(self, at, source: int, target: int, item: Item, quantity: int, **extra) -> None:
        transfer = uuid.uuid4()
        unit_cost = self.costs[(source, item.pk)]
        value = self.move(
            at,
            source,
            item,
            MovementType.TRANSFER_OUT,
            -quantity,
            related=target,
            transfer=transfer,
            **extra,
        )
        self.move(
            at,
            target,
            item,
            MovementType.TRANSFER_IN,
            quantity,
            related=source,
            transfer=transfer,
            unit_cost=unit_cost,
            value=-value,
            **extra,
        )

    def write(self) -> int:
        """Insert movements in time order (ids follow time) and upsert the levels."""
        self.rows.sort(key=lambda r: r[COLUMNS.index("created_at")])
        rows_insert(StockMovement, COLUMNS, self.rows)
        now = timezone.now()
        existing = {
            (level.store_id, level.product_id): level
            for level in StockLevel.objects.filter(product_id__in={p for _, p in self.levels})
        }
        new_levels, changed = [], []
        for key, quantity in self.levels.items():
            value = self.values[key]
            level = existing.get(key)
            if level is None:
                new_levels.append((key[0], key[1], quantity, value, self.costs[key], now))
            else:
                level.quantity += quantity
                level.value += value
                level.unit_cost = valuation.average_cost(
                    quantity=level.quantity, value=level.value, previous=level.unit_cost
                )
                changed.append(level)
        rows_insert(
            StockLevel,
            ["store_id", "product_id", "quantity", "value", "unit_cost", "updated_at"],
            new_levels,
        )
        StockLevel.objects.bulk_update(changed, ["quantity", "value", "unit_cost"], batch_size=2000)
        onhand_rebuild()  # the levels were written directly, not through the stock services
        self.post()
        return len(self.rows)

    def post(self) -> None:
        """The history's value in the books: one entry, dated on the first movement."""
        if not self.rows:
            return
        first = min(row[COLUMNS.index("created_at")] for row in self.rows)
        valuation.stock_value_post(
            amounts={
                chart.INVENTORY: sum(self.posted.values(), Decimal(0)),
                **{code: -value for code, value in self.posted.items()},
            },
            memo="Demo stock history: receipts, losses and counts",
            reference="DEMO-STOCK",
            date=timezone.localdate(first),
        )


def _stores() -> dict[str, Store]:
    stores = {}
    for code, name, address, contact in STORES:
        store = Store.all_objects.filter(code=code).first()
        if store is None:
            store = Store.objects.create(
                code=code,
                name=name,
                address=address,
                contact_name=contact,
                phone=f"+44 20 7946 01{len(stores):02d}",
            )
        stores[code] = store
    return stores


def _items(queryset) -> list[Item]:
    """Products with their cost price in the base currency (today's rate; 0 without one)."""
    base, today, rates = base_currency_code(), timezone.localdate(), {}
    items = []
    rows = queryset.values_list("pk", "sku", "name", "category__name", "cost_price", "currency")
    for pk, sku, name, category, cost, currency in rows.order_by("pk"):
        if currency not in rates:
            try:
                rates[currency] = rate_on(currency, today, base=base)
            except MissingExchangeRate:
                rates[currency] = Decimal(0)
        cost = money.to_base(cost, rates[currency], valuation.COST_PLACES)
        items.append(Item(pk, sku, name, category or "", cost))
    return items


def _user_ids() -> list[int | None]:
    users = (
        get_user_model()
        .objects.filter(email__in=["warehouse@demo.test", "admin@demo.test"])
        .order_by("email")
    )
    return list(users.values_list("pk", flat=True)) or [None]


def _history(
    ledger: Ledger,
    items: list[Item],
    stores: list[int],
    *,
    days: int,
    rng,
    users: list,
    intensity: int,
) -> None:
    """A believable life per product: delivery, transfers, sales-floor losses, counts."""
    now = timezone.now()
    main, *shops = stores
    reasons = [MovementReason.DAMAGED, MovementReason.LOST, MovementReason.EXPIRED]
    for n, item in enumerate(items):
        at = now - dt.timedelta(days=days, minutes=rng.randint(0, 600))
        longest_gap = 24 * max(days // (intensity * 2), 1)  # hours
        user = users[n % len(users)]
        ledger.move(
            at,
            main,
            item,
            MovementType.RECEIPT,
            rng.randint(40, 200),
            reference=f"PO-{1000 + n}",
            user=user,
        )
        for step in range(intensity):
            at += dt.timedelta(hours=rng.randint(6, longest_gap))
            if at >= now:
                break
            level = ledger.levels[(main, item.pk)]
            choice = step % 5
            if choice in (0, 1) and level > 4:
                ledger.transfer(
                    at,
                    main,
                    shops[step % len(shops)],
                    item,
                    rng.randint(1, max(level // 3, 1)),
                    reference=f"TR-{n}-{step}",
                    user=user,
                )
            elif choice == 2:
                ledger.move(
                    at,
                    main,
                    item,
                    MovementType.RECEIPT,
                    rng.randint(10, 80),
                    reference=f"PO-{2000 + n}-{step}",
                    user=user,
                )
            elif choice == 3:
                shop = shops[step % len(shops)]
                have = ledger.levels[(shop, item.pk)]
                if have:
                    ledger.move(
                        at,
                        shop,
                        item,
                        MovementType.MANUAL_REMOVAL,
                        -rng.randint(1, max(have // 4, 1)),
                        reason=reasons[step % len(reasons)],
                        user=user,
                    )
            else:
                shop = shops[(step + 1) % len(shops)]
                have = ledger.levels[(shop, item.pk)]
                counted = max(have + rng.choice([-2, -1, 1]), 0)
                if counted != have:
                    ledger.move(
                        at,
                        shop,
                        item,
                        MovementType.ADJUSTMENT,
                        counted - have,
                        reason=MovementReason.COUNT_CORRECTION,
                        reference=f"COUNT-{at:%Y%m%d}",
                        user=user,
                    )


def seed(*, stdout) -> None:
    stores = _stores()
    items = _items(Product.objects.exclude(sku__startswith=SCALE_PREFIX))
    if not items or StockMovement.objects.filter(product_id=items[0].pk).exists():
        return
    rng = random.Random(2026)
    users = _user_ids()
    ledger = Ledger()
    _history(
        ledger,
        items,
        [s.pk for s in stores.values()],
        days=60,
        rng=rng,
        users=users,
        intensity=6,
    )
    # Leave a few products out in the shops so the alerts have something to say
    # (after every generated event: each level's rows stay in time order).
    now = timezone.now()
    for item in items[::9]:
        for code in ("CITY", "PORT"):
            store = stores[code].pk
            have = ledger.levels[(store, item.pk)]
            if have:
                ledger.move(
                    now,
                    store,
                    item,
                    MovementType.MANUAL_REMOVAL,
                    -have,
                    reason=MovementReason.EXPIRED,
                    user=users[0],
                )
    count = ledger.write()
    stdout.write(f"  {len(stores)} stores, {count} stock movements")

"""Demo stores and stock history, built by replaying a plain ledger and bulk-inserting it.

The ledger below applies the same rules as the services (no level below zero, signed
quantities, previous/new, reasons on removals and adjustments), so `check_books` holds on
the result; it writes in bulk because history must be back-dated and `--scale` builds
millions of movements.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.catalog.demo import SCALE_PREFIX
from apps.catalog.models import Product

from .models import MovementReason, MovementType, StockLevel, StockMovement, Store

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


class Ledger:
    """Levels and movements in memory, in time order per level."""

    def __init__(self):
        self.levels: dict[tuple[int, int], int] = defaultdict(int)
        self.rows: list[tuple] = []

    def move(self, at, store: int, item: Item, kind: str, quantity: int, **extra) -> None:
        key = (store, item.pk)
        previous = self.levels[key]
        new = previous + quantity
        if new < 0 or quantity == 0:
            raise ValueError(f"bad demo movement {kind} {quantity} on {key} at {previous}")
        self.levels[key] = new
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
                item.sku,
                item.name,
                item.category,
            )
        )

    def transfer(self, at, source: int, target: int, item: Item, quantity: int, **extra) -> None:
        transfer = uuid.uuid4()
        self.move(
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
            **extra,
        )

    def write(self) -> int:
        """Insert movements in time order (ids follow time) and upsert the levels."""
        self.rows.sort(key=lambda r: r[10])
        if connection.vendor == "postgresql":
            _copy("inventory_stockmovement", COLUMNS, self.rows)
        else:
            for start in range(0, len(self.rows), 2000):
                StockMovement.objects.bulk_create(
                    [
                        StockMovement(**dict(zip(COLUMNS, r, strict=True)))
                        for r in self.rows[start : start + 2000]
                    ]
                )
        now = timezone.now()
        existing = {
            (level.store_id, level.product_id): level
            for level in StockLevel.objects.filter(product_id__in={p for _, p in self.levels})
        }
        new_levels, changed = [], []
        for (store, product), quantity in self.levels.items():
            level = existing.get((store, product))
            if level is None:
                new_levels.append(
                    StockLevel(
                        store_id=store, product_id=product, quantity=quantity, updated_at=now
                    )
                )
            else:
                level.quantity += quantity
                changed.append(level)
        StockLevel.objects.bulk_create(new_levels, batch_size=5000)
        StockLevel.objects.bulk_update(changed, ["quantity"], batch_size=2000)
        return len(self.rows)


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    """PostgreSQL COPY: about ten times faster than INSERTs for millions of rows."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


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
    return [
        Item(pk, sku, name, category or "")
        for pk, sku, name, category in queryset.values_list(
            "pk", "sku", "name", "category__name"
        ).order_by("pk")
    ]


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


def seed_scale(*, scale: int, stdout) -> None:
    """About 10 movements per scale product, in bulk (COPY on PostgreSQL).

    One ledger for all of them, sorted by time before writing, so ids follow time as they
    do in real use (the movement list pages by id). Products that already have stock are
    skipped, so running it twice adds nothing.
    """
    stores = [s.pk for s in _stores().values()]
    todo = Product.all_objects.filter(sku__startswith=SCALE_PREFIX).filter(
        ~Exists(StockLevel.objects.filter(product=OuterRef("pk")))
    )
    items = _items(todo)
    if not items:
        return
    ledger = Ledger()
    _history(
        ledger, items, stores, days=365, rng=random.Random(scale), users=_user_ids(), intensity=6
    )
    with transaction.atomic():
        total = ledger.write()
    stdout.write(f"  {total} scale stock movements")

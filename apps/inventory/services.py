"""Every change of stock goes through these functions (DESIGN.md §4.1, §4.8, §6).

- A level changes only while its row is locked (SELECT ... FOR UPDATE, several rows in
  primary-key order), by F() deltas on quantity and value, an issue only WHERE enough
  units remain; the database CHECKs (quantity >= 0, an empty level has no value) are the
  last line of defence. The average unit cost is derived from the locked figures.
- Each change writes one StockMovement (append-only, with its unit cost and value) and
  one audit event in the same transaction, so every quantity is explained by the ledger.
- Value reaches the books through one journal entry per document (apps/inventory/
  valuation.py): a movement form, or a whole order (`stock_sell`) or return
  (`stock_restock`); transfers move value between stores and post nothing.
- All functions are `@transaction.atomic` and safe to call inside an outer transaction:
  a sales order locks its levels with `stock_levels_lock`, checks every line, then calls
  `stock_sell` with those locked rows. Level locks come before the ledger's account rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.audit import audit_record
from apps.core.request_context import current_user
from apps.finance import money
from apps.ledger import chart

from . import valuation
from .models import (
    MAX_QUANTITY,
    MovementReason,
    MovementType,
    StockLevel,
    StockMovement,
    Store,
)
from .selectors import available

MAX_COUNTED = 1_000_000_000
ZERO = valuation.ZERO


class InsufficientStock(ValidationError):
    """Not enough units: names the product, the store and what is available.

    A ValidationError on the `quantity` field, so forms show it next to the input;
    callers that move several lines can catch it and read the attributes.
    """

    def __init__(self, *, product: Product, store: Store, available: int, requested: int):
        self.product, self.store = product, store
        self.available, self.requested = available, requested
        self.text = (
            f"Not enough {product.sku} ({product.name}) in {store.name}: "
            f"{available} available, {requested} requested."
        )
        super().__init__({"quantity": [ValidationError(self.text, code="insufficient_stock")]})

    def __str__(self) -> str:
        return self.text


# --- checks -----------------------------------------------------------------------------


def _check_quantity(quantity, *, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError({field: "Enter a whole number of units."}, code="not_integer")
    if quantity < 1:
        raise ValidationError({field: "Enter a quantity of at least 1."}, code="not_positive")
    if quantity > MAX_QUANTITY:
        raise ValidationError(
            {field: f"Enter at most {MAX_QUANTITY:,} units in one movement."}, code="too_large"
        )
    return quantity


def _check_store(store, *, field: str = "store") -> Store:
    if not isinstance(store, Store) or store.pk is None:
        raise ValidationError({field: "Choose a store."}, code="unknown_store")
    if store.is_deleted or not store.active:
        raise ValidationError(
            {field: f"{store.name} is inactive and takes no stock movements."},
            code="inactive_store",
        )
    return store


def _check_product(product) -> Product:
    if not isinstance(product, Product) or product.pk is None:
        raise ValidationError({"product": "Choose a product."}, code="unknown_product")
    if product.is_deleted:
        raise ValidationError(
            {"product": f"{product.sku} is in the trash and takes no stock movements."},
            code="deleted_product",
        )
    return product


def _check_text(*, reason: str, reference: str, required: bool) -> None:
    if required and not reason:
        raise ValidationError({"reason": "Choose a reason."}, code="reason_required")
    if reason and reason not in MovementReason.values:
        raise ValidationError({"reason": "Choose a reason from the list."}, code="bad_reason")
    if len(reference or "") > 100:
        raise ValidationError({"reference": "At most 100 characters."}, code="too_long")


def _check_type(movement_type: str, allowed: tuple[MovementType, ...]) -> None:
    if movement_type not in allowed:
        names = ", ".join(t.label for t in allowed)
        raise ValueError(f"movement_type must be one of: {names}")


def _check_movement(
    *, store, product, quantity, required: bool, reason: str, reference: str, **_
) -> None:
    _check_store(store)
    _check_product(product)
    _check_quantity(quantity)
    _check_text(reason=reason, reference=reference, required=required)


# --- levels -----------------------------------------------------------------------------


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def _ensure_levels(keys: list[tuple[int, int]]) -> None:
    """Create missing (store, product) levels at 0, in key order (no insert deadlocks)."""
    StockLevel.objects.bulk_create(
        [StockLevel(store_id=s, product_id=p, quantity=0) for s, p in sorted(set(keys))],
        ignore_conflicts=True,
    )


@transaction.atomic
def stock_levels_lock(
    *, pairs: Iterable[tuple[Store | int, Product | int]]
) -> dict[tuple[int, int], StockLevel]:
    """Lock the levels of several (store, product) pairs, creating missing ones at 0.

    Rows are locked in primary-key order, so two transactions locking overlapping sets
    (A->B and B->A transfers, two orders sharing products) wait instead of deadlocking.
    Call it inside the caller's transaction; the locks last until that commits.
    Returns {(store_id, product_id): StockLevel} with the current quantities.
    """
    keys = sorted({(_pk(store), _pk(product)) for store, product in pairs})
    if not keys:
        return {}
    _ensure_levels(keys)
    match = Q()
    for store_id, product_id in keys:
        match |= Q(store_id=store_id, product_id=product_id)
    levels = StockLevel.objects.select_for_update(of=("self",)).filter(match).order_by("pk")
    return {(level.store_id, level.product_id): level for level in levels}


def _lock_level(store: Store, product: Product, *, create: bool) -> StockLevel | None:
    """The level of one pair, locked (created at 0 first when `create`)."""
    if create:
        return stock_levels_lock(pairs=[(store, product)])[(store.pk, product.pk)]
    rows = StockLevel.objects.select_for_update(of=("self",)).filter(store=store, product=product)
    return rows.first()


def _move(level: StockLevel, quantity: int, value: Decimal) -> None:
    """Apply a signed change of units and value to a level the caller holds locked.

    Quantity and value move by F() deltas (an issue only WHERE enough units remain); the
    average is computed from the locked row's figures, which no one else can change before
    this transaction ends. The in-memory `level` follows, for the next line of a document.
    """
    new_quantity = level.quantity + quantity
    new_value = level.value + value
    cost = valuation.average_cost(quantity=new_quantity, value=new_value, previous=level.unit_cost)
    rows = StockLevel.objects.filter(pk=level.pk)
    if quantity < 0:
        rows = rows.filter(quantity__gte=-quantity)
    moved = rows.update(
        quantity=F("quantity") + quantity,
        value=Round(F("value") + value, valuation.VALUE_PLACES),
        unit_cost=cost,
        updated_at=timezone.now(),
    )
    if not moved:  # only if a caller forgot the lock: refuse rather than oversell
        raise InsufficientStock(
            product=level.product,
            store=level.store,
            available=available(store=level.store_id, product=level.product_id),
            requested=-quantity,
        )
    level.quantity, level.value, level.unit_cost = new_quantity, new_value, cost


def _issue(
    level: StockLevel | None,
    store: Store,
    product: Product,
    quantity: int,
    movement_type: str,
    **details,
) -> StockMovement:
    """Take `quantity` units out of a locked level at its average cost."""
    if level is None or level.quantity < quantity:
        raise InsufficientStock(
            product=product,
            store=store,
            available=level.quantity if level else 0,
            requested=quantity,
        )
    unit_cost = level.unit_cost
    value = valuation.issue_value(on_hand=level.quantity, value=level.value, quantity=quantity)
    _move(level, -quantity, -value)
    return _record(
        store,
        product,
        movement_type,
        -quantity,
        level.quantity,
        unit_cost=unit_cost,
        value=-value,
        **details,
    )


def _gain(
    level: StockLevel,
    store: Store,
    product: Product,
    quantity: int,
    movement_type: str,
    *,
    value: Decimal,
    unit_cost: Decimal,
    **details,
) -> StockMovement:
    """Add `quantity` units worth `value` to a locked level."""
    _move(level, quantity, value)
    return _record(
        store,
        product,
        movement_type,
        quantity,
        level.quantity,
        unit_cost=unit_cost,
        value=value,
        **details,
    )


def _record(
    store: Store,
    product: Product,
    movement_type: str,
    quantity: int,
    new_quantity: int,
    *,
    unit_cost: Decimal = ZERO,
    value: Decimal = ZERO,
    reason: str = "",
    reference: str = "",
    notes: str = "",
    user=None,
    related_store: Store | None = None,
    transfer_id: uuid.UUID | None = None,
) -> StockMovement:
    user = user if user is not None and user.is_authenticated else current_user()
    movement = StockMovement.objects.create(
        store=store,
        product=product,
        movement_type=movement_type,
        quantity=quantity,
        previous_quantity=new_quantity - quantity,
        new_quantity=new_quantity,
        unit_cost=unit_cost,
        value=value,
        reason=reason or "",
        reference=(reference or "").strip(),
        notes=notes or "",
        user=user,
        related_store=related_store,
        transfer_id=transfer_id,
        product_sku=product.sku,
        product_name=product.name,
        category_name=product.category.name if product.category_id else "",
    )
    audit_record(
        subject=movement,
        event=f"stock.{movement_type}",
        actor=user,
        changes={
            "store": store.code,
            "sku": product.sku,
            "quantity": quantity,
            "level": [movement.previous_quantity, new_quantity],
            "unit_cost": unit_cost,
            "value": value,
            "reason": reason,
            "reference": movement.reference,
        },
    )
    return movement


# --- the services -----------------------------------------------------------------------

REMOVAL_ACCOUNTS = {
    MovementType.SALE: chart.COGS,
    MovementType.MANUAL_REMOVAL: chart.STOCK_ADJUSTMENTS,
}


def _memo(movement: StockMovement) -> str:
    return (
        f"{movement.get_movement_type_display()} {movement.quantity:+d} × {movement.product_sku}"
        f" @ {movement.store.code}"
    )


@transaction.atomic
def stock_receive(
    *,
    store: Store,
    product: Product,
    quantity: int,
    unit_cost: Decimal | str | None = None,
    opening: bool = False,
    reference: str = "",
    notes: str = "",
    reason: str = "",
    user=None,
) -> StockMovement:
    """A delivery: add units at `unit_cost` (base currency; default the product's cost).

    Posts Dr Inventory / Cr Stock Received Not Billed, or Cr Opening Balance Equity for
    opening stock (`opening=True`, the import).
    """
    details = {"reason": reason, "reference": reference, "notes": notes, "user": user}
    _check_movement(store=store, product=product, quantity=quantity, required=False, **details)
    if unit_cost is None or unit_cost == "":
        cost = valuation.default_unit_cost(product)
    else:
        cost = valuation.check_unit_cost(unit_cost)
    level = _lock_level(store, product, create=True)
    value = valuation.receipt_value(quantity, cost)
    movement = _gain(
        level,
        store,
        product,
        quantity,
        MovementType.RECEIPT,
        value=value,
        unit_cost=cost,
        **details,
    )
    counter = chart.OPENING_BALANCE_EQUITY if opening else chart.STOCK_RECEIVED_NOT_BILLED
    valuation.stock_value_post(
        amounts=valuation.inventory_amounts(counter, value),
        memo=("Opening stock " if opening else "") + _memo(movement),
        reference=movement.reference,
        source=movement,
        user=user,
    )
    return movement


@transaction.atomic
def stock_remove(
    *,
    store: Store,
    product: Product,
    quantity: int,
    movement_type: str = MovementType.MANUAL_REMOVAL,
    reason: str = "",
    reference: str = "",
    notes: str = "",
    user=None,
) -> StockMovement:
    """Take units out at the level's average cost: a MANUAL_REMOVAL (needs a reason;
    Dr Stock Adjustments) or a single SALE (Dr Cost of Goods Sold); Cr Inventory.

    Raises InsufficientStock, changing nothing, when the store holds fewer units.
    """
    _check_type(movement_type, tuple(REMOVAL_ACCOUNTS))
    details = {"reason": reason, "reference": reference, "notes": notes, "user": user}
    required = movement_type == MovementType.MANUAL_REMOVAL
    _check_movement(store=store, product=product, quantity=quantity, required=required, **details)
    level = _lock_level(store, product, create=False)
    movement = _issue(level, store, product, quantity, movement_type, **details)
    valuation.stock_value_post(
        amounts=valuation.inventory_amounts(REMOVAL_ACCOUNTS[movement_type], movement.value),
        memo=_memo(movement),
        reference=movement.reference,
        source=movement,
        user=user,
    )
    return movement


@transaction.atomic
def stock_sell(
    *,
    store: Store,
    lines: Iterable[tuple[Product, int]],
    reference: str,
    source: models.Model | None = None,
    levels: dict[tuple[int, int], StockLevel] | None = None,
    user=None,
) -> list[StockMovement]:
    """SALE movements for a document's lines (an order), each at its level's average
    cost, and one entry Dr Cost of Goods Sold / Cr Inventory for all of them.

    `levels` are the rows the caller already locked with `stock_levels_lock` in this
    transaction (order_confirm checks every line first); otherwise they are locked here.
    Returns the movements in line order; raises InsufficientStock for the first short line.
    """
    lines = list(lines)
    _check_store(store)
    for product, quantity in lines:
        _check_product(product)
        _check_quantity(quantity)
    if levels is None:
        levels = stock_levels_lock(pairs=[(store, product) for product, _ in lines])
    details = {"reference": reference, "user": user}
    movements = [
        _issue(
            levels.get((store.pk, product.pk)), store, product, qty, MovementType.SALE, **details
        )
        for product, qty in lines
    ]
    total = sum((m.value for m in movements), ZERO)
    valuation.stock_value_post(
        amounts=valuation.inventory_amounts(chart.COGS, total),
        memo=f"Cost of goods sold {reference}",
        reference=reference,
        source=source,
        user=user,
    )
    return movements


@transaction.atomic
def stock_restock(
    *,
    store: Store,
    lines: Iterable[tuple[Product, int, Decimal]],
    reference: str,
    notes: str = "",
    source: models.Model | None = None,
    user=None,
) -> list[StockMovement]:
    """RETURN movements bringing sold goods back at the cost their sale took
    (`(product, quantity, cost)` per line), and one entry Dr Inventory / Cr Cost of Goods
    Sold, so a return reverses exactly what the sale posted."""
    lines = list(lines)
    _check_store(store)
    for product, quantity, cost in lines:
        _check_product(product)
        _check_quantity(quantity)
        if cost < 0:
            raise ValueError("a returned cost cannot be negative")
    levels = stock_levels_lock(pairs=[(store, product) for product, _, _ in lines])
    details = {"reference": reference, "notes": notes, "user": user}
    movements = [
        _gain(
            levels[(store.pk, product.pk)],
            store,
            product,
            quantity,
            MovementType.RETURN,
            value=cost,
            unit_cost=money.quantize(cost / quantity, valuation.COST_PLACES),
            **details,
        )
        for product, quantity, cost in lines
    ]
    total = sum((m.value for m in movements), ZERO)
    valuation.stock_value_post(
        amounts=valuation.inventory_amounts(chart.COGS, total),
        memo=f"Cost of goods returned {reference}",
        reference=reference,
        source=source,
        user=user,
    )
    return movements


@transaction.atomic
def stock_adjust(
    *,
    store: Store,
    product: Product,
    counted_quantity: int,
    reason: str,
    reference: str = "",
    notes: str = "",
    user=None,
) -> StockMovement:
    """Set a level to what was counted; the movement records the signed difference.

    Units found come in at the level's average (the product's cost if the level never had
    one), units missing leave at it; the value posts against Stock Adjustments.
    """
    _check_store(store)
    _check_product(product)
    if isinstance(counted_quantity, bool) or not isinstance(counted_quantity, int):
        raise ValidationError({"counted_quantity": "Enter a whole number of units."})
    if not 0 <= counted_quantity <= MAX_COUNTED:
        raise ValidationError({"counted_quantity": f"Enter a count between 0 and {MAX_COUNTED:,}."})
    _check_text(reason=reason, reference=reference, required=True)
    level = _lock_level(store, product, create=True)
    difference = counted_quantity - level.quantity
    if difference == 0:
        raise ValidationError(
            {
                "counted_quantity": (
                    f"{product.sku} in {store.name} is already {counted_quantity}; "
                    "nothing to adjust."
                )
            },
            code="no_change",
        )
    details = {"reason": reason, "reference": reference, "notes": notes, "user": user}
    if difference < 0:
        movement = _issue(level, store, product, -difference, MovementType.ADJUSTMENT, **details)
    else:
        cost = level.unit_cost
        if not level.quantity and not cost:
            cost = valuation.default_unit_cost(product, field="counted_quantity")
        value = valuation.receipt_value(difference, cost)
        movement = _gain(
            level,
            store,
            product,
            difference,
            MovementType.ADJUSTMENT,
            value=value,
            unit_cost=cost,
            **details,
        )
    valuation.stock_value_post(
        amounts=valuation.inventory_amounts(chart.STOCK_ADJUSTMENTS, movement.value),
        memo=_memo(movement),
        reference=movement.reference,
        source=movement,
        user=user,
    )
    return movement


@transaction.atomic
def stock_transfer(
    *,
    from_store: Store,
    to_store: Store,
    product: Product,
    quantity: int,
    reference: str = "",
    notes: str = "",
    user=None,
) -> tuple[StockMovement, StockMovement]:
    """Move units between stores: both legs in one transaction, levels locked in pk order.

    The units carry their value from the source's average to the target unchanged, so
    the Inventory account does not move and nothing is posted.
    """
    _check_store(from_store, field="from_store")
    _check_store(to_store, field="to_store")
    if from_store.pk == to_store.pk:
        raise ValidationError({"to_store": "Choose a store other than the source."})
    _check_product(product)
    _check_quantity(quantity)
    _check_text(reason="", reference=reference, required=False)
    levels = stock_levels_lock(pairs=[(from_store, product), (to_store, product)])
    details = {"reference": reference, "notes": notes, "user": user, "transfer_id": uuid.uuid4()}
    out = _issue(
        levels[(from_store.pk, product.pk)],
        from_store,
        product,
        quantity,
        MovementType.TRANSFER_OUT,
        related_store=to_store,
        **details,
    )
    into = _gain(
        levels[(to_store.pk, product.pk)],
        to_store,
        product,
        quantity,
        MovementType.TRANSFER_IN,
        value=-out.value,
        unit_cost=out.unit_cost,
        related_store=from_store,
        **details,
    )
    return out, into

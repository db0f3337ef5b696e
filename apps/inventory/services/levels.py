"""Checks, level locks and the one place a level changes (`_move`); used by movements.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.audit import audit_record
from apps.core.request_context import current_user

from .. import valuation
from ..models import (
    MAX_QUANTITY,
    MovementReason,
    MovementType,
    StockLevel,
    StockMovement,
    Store,
)
from ..selectors import available

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

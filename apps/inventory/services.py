"""Every change of stock goes through these functions (DESIGN.md §4.1, §6).

- A level only changes by conditional UPDATEs (`quantity = quantity - n WHERE quantity >= n`)
  or on rows locked with SELECT ... FOR UPDATE in primary-key order, never by a Python
  read-modify-write; the database CHECK (quantity >= 0) is the last line of defence.
- Each change writes one StockMovement (append-only) and one audit event in the same
  transaction, so every quantity is explained by the ledger.
- All functions are `@transaction.atomic` and safe to call inside an outer transaction:
  a sales order confirms several lines by locking their levels with `stock_levels_lock`
  and then calling `stock_remove(..., movement_type=MovementType.SALE)` per line.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.audit import audit_record
from apps.core.request_context import current_user

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


def _add(store: Store, product: Product, quantity: int) -> int:
    """quantity += n on the level (created when missing); returns the new quantity."""
    level = StockLevel.objects.filter(store=store, product=product)
    if not level.update(quantity=F("quantity") + quantity, updated_at=timezone.now()):
        _ensure_levels([(store.pk, product.pk)])
        level.update(quantity=F("quantity") + quantity, updated_at=timezone.now())
    return available(store=store, product=product)


def _take(store: Store, product: Product, quantity: int) -> int:
    """quantity -= n only WHERE quantity >= n: no interleaving can oversell."""
    taken = StockLevel.objects.filter(store=store, product=product, quantity__gte=quantity).update(
        quantity=F("quantity") - quantity, updated_at=timezone.now()
    )
    if not taken:
        raise InsufficientStock(
            product=product,
            store=store,
            available=available(store=store, product=product),
            requested=quantity,
        )
    return available(store=store, product=product)


def _record(
    store: Store,
    product: Product,
    movement_type: str,
    quantity: int,
    new_quantity: int,
    *,
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
            "reason": reason,
            "reference": movement.reference,
        },
    )
    return movement


# --- the services -----------------------------------------------------------------------


@transaction.atomic
def stock_receive(
    *,
    store: Store,
    product: Product,
    quantity: int,
    movement_type: str = MovementType.RECEIPT,
    reference: str = "",
    notes: str = "",
    reason: str = "",
    user=None,
) -> StockMovement:
    """Add units to a store: a delivery (RECEIPT) or goods coming back (RETURN)."""
    _check_type(movement_type, (MovementType.RECEIPT, MovementType.RETURN))
    details = {"reason": reason, "reference": reference, "notes": notes, "user": user}
    _check_movement(store=store, product=product, quantity=quantity, required=False, **details)
    new_quantity = _add(store, product, quantity)
    return _record(store, product, movement_type, quantity, new_quantity, **details)


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
    """Take units out: a SALE (orders) or a MANUAL_REMOVAL (needs a reason).

    Raises InsufficientStock, changing nothing, when the store holds fewer units.
    """
    _check_type(movement_type, (MovementType.SALE, MovementType.MANUAL_REMOVAL))
    details = {"reason": reason, "reference": reference, "notes": notes, "user": user}
    required = movement_type == MovementType.MANUAL_REMOVAL
    _check_movement(store=store, product=product, quantity=quantity, required=required, **details)
    new_quantity = _take(store, product, quantity)
    return _record(store, product, movement_type, -quantity, new_quantity, **details)


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
    """Set a level to what was counted; the movement records the signed difference."""
    _check_store(store)
    _check_product(product)
    if isinstance(counted_quantity, bool) or not isinstance(counted_quantity, int):
        raise ValidationError({"counted_quantity": "Enter a whole number of units."})
    if not 0 <= counted_quantity <= MAX_COUNTED:
        raise ValidationError({"counted_quantity": f"Enter a count between 0 and {MAX_COUNTED:,}."})
    _check_text(reason=reason, reference=reference, required=True)
    level = stock_levels_lock(pairs=[(store, product)])[(store.pk, product.pk)]
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
    StockLevel.objects.filter(pk=level.pk).update(
        quantity=F("quantity") + difference, updated_at=timezone.now()
    )
    details = {"reason": reason, "reference": reference, "notes": notes, "user": user}
    return _record(store, product, MovementType.ADJUSTMENT, difference, counted_quantity, **details)


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
    """Move units between stores: both legs in one transaction, levels locked in pk order."""
    _check_store(from_store, field="from_store")
    _check_store(to_store, field="to_store")
    if from_store.pk == to_store.pk:
        raise ValidationError({"to_store": "Choose a store other than the source."})
    _check_product(product)
    _check_quantity(quantity)
    _check_text(reason="", reference=reference, required=False)
    levels = stock_levels_lock(pairs=[(from_store, product), (to_store, product)])
    source = levels[(from_store.pk, product.pk)]
    target = levels[(to_store.pk, product.pk)]
    if source.quantity < quantity:
        raise InsufficientStock(
            product=product, store=from_store, available=source.quantity, requested=quantity
        )
    now = timezone.now()
    StockLevel.objects.filter(pk=source.pk, quantity__gte=quantity).update(
        quantity=F("quantity") - quantity, updated_at=now
    )
    StockLevel.objects.filter(pk=target.pk).update(
        quantity=F("quantity") + quantity, updated_at=now
    )
    details = {"reference": reference, "notes": notes, "user": user, "transfer_id": uuid.uuid4()}
    out = _record(
        from_store,
        product,
        MovementType.TRANSFER_OUT,
        -quantity,
        source.quantity - quantity,
        related_store=to_store,
        **details,
    )
    into = _record(
        to_store,
        product,
        MovementType.TRANSFER_IN,
        quantity,
        target.quantity + quantity,
        related_store=from_store,
        **details,
    )
    return out, into

"""The stock services: one per kind of movement, each posting one journal entry per document.

The movement forms' services bind their values on the server (`server_binding`, as
order_confirm does), so a connection prepares their statements once: with its level locked
by the compiled statement too, a one-unit removal costs ~40 % less client CPU than with its
values quoted into the text (docs/performance.md, 2026-12-02)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction

from apps.catalog.models import Product
from apps.core.models import AuditEvent
from apps.core.sql import server_binding
from apps.finance import money
from apps.ledger import chart

from .. import valuation
from ..models import (
    MovementType,
    StockLevel,
    StockMovement,
    Store,
)
from .levels import (
    MAX_COUNTED,
    ZERO,
    _check_movement,
    _check_product,
    _check_quantity,
    _check_store,
    _check_text,
    _check_type,
    _gain,
    _issue,
    _levels_update,
    _lock_level,
    _plan_gain,
    _plan_issue,
    _record,
    _write,
    stock_levels_lock,
)

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


@server_binding()
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


@server_binding()
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


def stock_sell(
    *,
    store: Store,
    lines: Iterable[tuple[Product, int]],
    reference: str,
    source: models.Model | None = None,
    levels: dict[tuple[int, int], StockLevel] | None = None,
    events: Iterable[AuditEvent] = (),
    then: Callable[[list[StockMovement]], tuple[str, list] | None] | None = None,
    user=None,
) -> list[StockMovement]:
    """SALE movements for a document's lines (an order), each at its level's average
    cost, and one entry Dr Cost of Goods Sold / Cr Inventory for all of them.

    `then(movements)` lets the document write its own rows once the movements are
    costed: it returns them as data-modifying CTEs with their parameters (`name AS
    (...)`), written by the movements' INSERT (PostgreSQL: before the last statement
    locks the rows every sale shares, so they are not written while those are held), or
    writes them itself and returns None.

    `levels` are the rows the caller already locked with `stock_levels_lock` in this
    transaction (order_confirm checks every line first): the sale is then part of the
    caller's transaction, with no savepoint of its own. Otherwise the levels are locked
    here, in a transaction (or savepoint) of the sale's own, so a refusal changes nothing.
    `events` (the document's own audit events) are written instead of one event per
    movement, the first listing the movements (levels._record).
    Returns the movements in line order; raises InsufficientStock for the first short line.
    """
    lines = list(lines)
    _check_store(store)
    for product, quantity in lines:
        _check_product(product)
        _check_quantity(quantity)
    with transaction.atomic(savepoint=levels is None):
        if levels is None:
            levels = stock_levels_lock(
                pairs=[(store, product) for product, _ in lines], create=False
            )
        details = {"reference": reference, "user": user}
        changes = [
            _plan_issue(
                levels.get((store.pk, product.pk)),
                store,
                product,
                qty,
                MovementType.SALE,
                **details,
            )
            for product, qty in lines
        ]
        total = sum((change.value for change in changes), ZERO)
        entry = valuation.stock_value_prepare(
            amounts=valuation.inventory_amounts(chart.COGS, total),
            memo=f"Cost of goods sold {reference}",
            reference=reference,
            source=source,
            user=user,
        )
        # the movements (with the document's own rows) first, then the levels with the
        # entry: the rows every sale shares, store totals and accounts, are locked by the
        # last statement, which writes nothing else (_levels_update)
        movements = _record(changes, events, then)
        _levels_update(changes, entry)
    return movements


def stock_restock(
    *,
    store: Store,
    lines: Iterable[tuple[Product, int, Decimal]],
    reference: str,
    notes: str = "",
    source: models.Model | None = None,
    events: Iterable[AuditEvent] = (),
    user=None,
) -> list[StockMovement]:
    """RETURN movements bringing sold goods back at the cost their sale took
    (`(product, quantity, cost)` per line), and one entry Dr Inventory / Cr Cost of Goods
    Sold, so a return reverses exactly what the sale posted.

    Every check runs before the transaction, which joins the caller's without a savepoint
    (a cancellation, a return: nothing after the checks refuses); `events` (the
    document's own audit events) are written instead of one event per movement, the
    first listing the movements (levels._record)."""
    lines = list(lines)
    _check_store(store)
    for product, quantity, cost in lines:
        _check_product(product)
        _check_quantity(quantity)
        if cost < 0:
            raise ValueError("a returned cost cannot be negative")
    with transaction.atomic(savepoint=False):
        return _restock(store, lines, reference, notes, source, events, user)


def _restock(store, lines, reference, notes, source, events, user) -> list[StockMovement]:
    levels = stock_levels_lock(pairs=[(store, product) for product, _, _ in lines])
    details = {"reference": reference, "notes": notes, "user": user}
    movements = _write(
        [
            _plan_gain(
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
        ],
        events,
    )
    total = sum((m.value for m in movements), ZERO)
    valuation.stock_value_post(
        amounts=valuation.inventory_amounts(chart.COGS, total),
        memo=f"Cost of goods returned {reference}",
        reference=reference,
        source=source,
        user=user,
    )
    return movements


@server_binding()
@transaction.atomic
def stock_return(
    *,
    store: Store,
    product: Product,
    quantity: int,
    reference: str = "",
    notes: str = "",
    user=None,
) -> StockMovement:
    """Goods brought back without an order (a POS return): a RETURN movement at the
    level's current average cost (the product's cost when the level is empty), posted
    Dr Inventory / Cr Cost of Goods Sold like any restock."""
    _check_store(store)
    _check_product(product)
    _check_quantity(quantity)
    level = StockLevel.objects.filter(store=store, product=product).first()
    if level is not None and level.quantity > 0:
        unit = level.unit_cost
    else:
        unit = valuation.default_unit_cost(product, field="quantity")
    cost = money.quantize(unit * quantity)
    (movement,) = stock_restock(
        store=store, lines=[(product, quantity, cost)], reference=reference, notes=notes, user=user
    )
    return movement


@server_binding()
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


@server_binding()
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
    out = _plan_issue(
        levels[(from_store.pk, product.pk)],
        from_store,
        product,
        quantity,
        MovementType.TRANSFER_OUT,
        related_store=to_store,
        **details,
    )
    into = _plan_gain(
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
    moved_out, moved_in = _write([out, into])
    return moved_out, moved_in

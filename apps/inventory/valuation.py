"""Perpetual stock valuation at moving-average cost (DESIGN.md §4.8, issue 10).

A StockLevel stores its `value` (base currency, to the cent); its `unit_cost` is the
average `value / quantity`. The rules, each exact to the cent so the Inventory account
always equals the sum of level values:

- a receipt adds `quantity x unit cost` (rounded once) to the value;
- an issue (sale, removal, count down, transfer out) takes its share of the value,
  `value x issued / on hand`, and the last units take exactly what is left, so an empty
  level holds no value (nothing is left floating);
- a return adds back the cost the sale took; a transfer moves the issued value unchanged.

The stock services (apps/inventory/services.py) call these on rows they hold locked and
post one journal entry per document with `stock_value_post`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from apps.catalog.models import Product
from apps.finance import money
from apps.finance.selectors import MissingExchangeRate, base_currency_code, rate_on
from apps.ledger import chart
from apps.ledger.models import JournalEntry
from apps.ledger.services import Cr, Dr, PreparedEntry, journal_prepare, journal_write

ZERO = Decimal("0.00")
VALUE_PLACES = 2
COST_PLACES = 4


def receipt_value(quantity: int, unit_cost: Decimal) -> Decimal:
    return money.quantize(quantity * unit_cost, VALUE_PLACES)


def issue_value(*, on_hand: int, value: Decimal, quantity: int) -> Decimal:
    """The value `quantity` of `on_hand` units carry at the level's average."""
    if quantity >= on_hand:
        return value
    return money.quantize(value * quantity / on_hand, VALUE_PLACES)


def average_cost(*, quantity: int, value: Decimal, previous: Decimal) -> Decimal:
    """value / quantity at 4 places; an empty level keeps its last average."""
    if quantity <= 0:
        return previous
    return money.quantize(value / quantity, COST_PLACES)


def check_unit_cost(value, *, field: str = "unit_cost") -> Decimal:
    try:
        cost = money.to_decimal(value)
    except money.MoneyError as exc:
        raise ValidationError({field: str(exc)}, code="bad_cost") from exc
    if cost < 0:
        raise ValidationError({field: "A unit cost cannot be negative."}, code="negative_cost")
    if cost > money.MAX_AMOUNT / 1000:
        raise ValidationError({field: "That unit cost is too large."}, code="cost_too_large")
    if money.has_more_places(cost, COST_PLACES):
        raise ValidationError({field: "Use at most 4 decimal places."}, code="cost_places")
    return money.quantize(cost, COST_PLACES)


def default_unit_cost(product: Product, *, field: str = "unit_cost") -> Decimal:
    """The product's cost price in the base currency (today's rate when it has another)."""
    base = base_currency_code()
    if product.currency_id == base:
        return money.quantize(product.cost_price, COST_PLACES)
    try:
        rate = rate_on(product.currency_id, timezone.localdate(), base=base)
    except MissingExchangeRate as exc:
        raise ValidationError(
            {field: f"{exc} Enter the unit cost in {base}."}, code="no_rate"
        ) from exc
    return money.to_base(product.cost_price, rate, COST_PLACES)


def stock_value_post(
    *,
    amounts: dict[str, Decimal],
    memo: str,
    reference: str = "",
    source: models.Model | None = None,
    user=None,
    date: dt.date | None = None,
) -> JournalEntry | None:
    """Post one entry in the base currency: `amounts` maps account codes to signed
    amounts (debit > 0, credit < 0) that sum to zero. Nothing is posted when every amount
    is zero (goods at cost 0)."""
    prepared = stock_value_prepare(
        amounts=amounts, memo=memo, reference=reference, source=source, user=user, date=date
    )
    if prepared is None:
        return None
    return journal_write(prepared, audit=False)  # the movements carry their own audit events


def stock_value_prepare(
    *,
    amounts: dict[str, Decimal],
    memo: str,
    reference: str = "",
    source: models.Model | None = None,
    user=None,
    date: dt.date | None = None,
) -> PreparedEntry | None:
    """`stock_value_post`'s entry checked and built, not written (None when every amount
    is zero): for a document that writes it with its own statement (`stock_sell`)."""
    lines = [
        Dr(code, amount) if amount > 0 else Cr(code, -amount)
        for code, amount in amounts.items()
        if amount
    ]
    if not lines:
        return None
    return journal_prepare(
        date=date or timezone.localdate(),
        memo=memo,
        lines=lines,
        currency=None,  # the base currency, read with the accounts (one query)
        rate=Decimal(1),
        reference=reference,
        source=source,
        posted_by=user,
    )


def inventory_amounts(counter: str, inventory_change: Decimal) -> dict[str, Decimal]:
    """Inventory moves by `inventory_change`; `counter` takes the other side."""
    return {chart.INVENTORY: inventory_change, counter: -inventory_change}

"""Order amounts under the one rounding policy (apps.finance.money, DESIGN.md §5).

Per line: gross = qty x price (rounded), line discount = percent of gross (rounded), then
the order's coupon is spread over the lines in proportion to what is left (largest
remainder, so the parts add up to the coupon exactly), tax = percent of the net (rounded)
and total = net + tax. The order's figures are the sums of these rounded line figures.
Pure functions: no database, so they are tested exhaustively with hypothesis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from apps.finance import money

ZERO = Decimal("0")


@dataclass(frozen=True)
class LineInput:
    quantity: int
    unit_price: Decimal
    discount_percent: Decimal = ZERO
    tax_percent: Decimal = ZERO


@dataclass(frozen=True)
class LineResult:
    gross: Decimal
    discount: Decimal
    coupon_discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class CouponTerms:
    """A coupon seen from one order: percent, or a fixed amount already in order currency."""

    percent: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class OrderResult:
    lines: list[LineResult]
    subtotal: Decimal
    discount: Decimal  # line discounts + coupon
    coupon: Decimal
    tax: Decimal
    total: Decimal
    goods_value: Decimal  # after line discounts, before coupon and tax

    @property
    def net(self) -> Decimal:
        return self.subtotal - self.discount


def coupon_amount(terms: CouponTerms | None, goods_value: Decimal, minor_units: int) -> Decimal:
    """What the coupon takes off, never more than the goods are worth."""
    if terms is None or goods_value <= 0:
        return ZERO
    if terms.percent is not None:
        amount = money.percent_of(goods_value, terms.percent, minor_units)
    else:
        amount = money.quantize(terms.amount or ZERO, minor_units)
    return min(amount, goods_value)


def order_amounts(
    lines: Sequence[LineInput], *, minor_units: int = 2, coupon: CouponTerms | None = None
) -> OrderResult:
    base = [
        money.line_amounts(
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            minor_units=minor_units,
        )
        for line in lines
    ]
    goods = sum((b.net for b in base), ZERO)
    off = coupon_amount(coupon, goods, minor_units)
    shares = money.allocate(off, [b.net for b in base], minor_units) if off else [ZERO] * len(base)
    results = []
    for line, b, share in zip(lines, base, shares, strict=True):
        net = b.net - share
        tax = money.percent_of(net, line.tax_percent, minor_units)
        results.append(
            LineResult(
                gross=b.gross,
                discount=b.discount,
                coupon_discount=share,
                net=net,
                tax=tax,
                total=net + tax,
            )
        )
    return OrderResult(
        lines=results,
        subtotal=sum((r.gross for r in results), ZERO),
        discount=sum((r.discount + r.coupon_discount for r in results), ZERO),
        coupon=off,
        tax=sum((r.tax for r in results), ZERO),
        total=sum((r.total for r in results), ZERO),
        goods_value=goods,
    )


def returned_share(
    *, amount: Decimal, quantity: int, before: int, now: int, minor_units: int
) -> Decimal:
    """The part of a line `amount` that `now` more units (after `before` returned) carry.

    Cumulative rounding: returning every unit, in any number of returns, gives back the
    line's amount exactly.
    """
    if quantity <= 0:
        return ZERO
    upto = money.quantize(amount * (before + now) / quantity, minor_units)
    already = money.quantize(amount * before / quantity, minor_units)
    return upto - already

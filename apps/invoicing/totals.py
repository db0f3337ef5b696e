"""Invoice and credit-note figures under the one rounding policy (DESIGN.md §5, §11).

Lines are priced like order lines (apps.sales.pricing.order_amounts: gross, line discount,
then the invoice discount spread over the lines with `money.allocate`, tax per line, total
= net + tax); document totals are sums of the rounded lines. On top of that an invoice has a
per-rate tax breakdown (what the PDF and the Factur-X XML print), and a credit note line is
the cumulative share of its invoice line. Pure functions: no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from apps.finance import money
from apps.sales.pricing import CouponTerms, LineInput, LineResult, order_amounts, returned_share

ZERO = Decimal("0")


@dataclass(frozen=True)
class TaxGroup:
    """One row of the tax breakdown: every line taxed at `percent`."""

    percent: Decimal
    name: str
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class InvoiceFigures:
    lines: list[LineResult]
    subtotal: Decimal  # sum of line gross
    discount: Decimal  # line discounts + the invoice discount
    document_discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    breakdown: list[TaxGroup]


def tax_breakdown(
    rows: Sequence[tuple[Decimal, str, Decimal, Decimal]],
) -> list[TaxGroup]:
    """(percent, name, net, tax) per line -> one group per percent, lowest first.

    The group tax is the sum of the rounded line taxes, so the breakdown adds up to the
    document's tax exactly.
    """
    groups: dict[Decimal, list] = {}
    for percent, name, net, tax in rows:
        key = money.to_decimal(percent).normalize()
        group = groups.setdefault(key, [name, ZERO, ZERO])
        group[1] += net
        group[2] += tax
    return [
        TaxGroup(percent=percent, name=name, net=net, tax=tax)
        for percent, (name, net, tax) in sorted(groups.items())
    ]


def invoice_figures(
    lines: Sequence[LineInput],
    *,
    tax_names: Sequence[str] | None = None,
    discount_amount: Decimal = ZERO,
    minor_units: int = 2,
) -> InvoiceFigures:
    """Every figure of an invoice from its lines and its invoice-level discount (an amount
    in the invoice currency, capped at the goods value)."""
    discount_amount = money.to_decimal(discount_amount)
    if discount_amount < 0:
        raise money.MoneyError("A discount cannot be negative.")
    terms = CouponTerms(amount=discount_amount) if discount_amount else None
    result = order_amounts(lines, minor_units=minor_units, coupon=terms)
    names = list(tax_names) if tax_names is not None else [""] * len(lines)
    breakdown = tax_breakdown(
        [
            (line.tax_percent, name, r.net, r.tax)
            for line, name, r in zip(lines, names, result.lines, strict=True)
        ]
    )
    net = sum((r.net for r in result.lines), ZERO)
    return InvoiceFigures(
        lines=result.lines,
        subtotal=result.subtotal,
        discount=result.discount,
        document_discount=result.coupon,
        net=net,
        tax=result.tax,
        total=result.total,
        breakdown=breakdown,
    )


@dataclass(frozen=True)
class CreditShare:
    net: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.net + self.tax


def credit_share(
    *,
    net: Decimal,
    tax: Decimal,
    quantity: Decimal,
    credited_before: Decimal,
    crediting: Decimal,
    minor_units: int = 2,
) -> CreditShare:
    """What crediting `crediting` more units of an invoice line gives back, after
    `credited_before` units were credited: cumulative rounding, so crediting every unit, in
    any number of credit notes, gives back the line's net and tax exactly."""
    if crediting <= 0 or credited_before + crediting > quantity:
        raise money.MoneyError("Credit between one unit and what is left on the line.")
    return CreditShare(
        net=returned_share(
            amount=net,
            quantity=quantity,
            before=credited_before,
            now=crediting,
            minor_units=minor_units,
        ),
        tax=returned_share(
            amount=tax,
            quantity=quantity,
            before=credited_before,
            now=crediting,
            minor_units=minor_units,
        ),
    )

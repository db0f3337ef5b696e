"""The one rounding policy (DESIGN.md §5). Every amount in the system passes through here.

- Decimal only; a float is refused.
- Amounts are quantized to the currency's minor units with ROUND_HALF_UP.
- Tax and discount are rounded per line; a document total is the sum of its rounded lines.
- Conversion to/from the base currency uses a stored rate ("1 unit of currency = rate
  units of base") and rounds the result once, in the target currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")
HUNDRED = Decimal("100")
MAX_AMOUNT = Decimal("9999999999999999.99")  # DecimalField(max_digits=18, decimal_places=2)


class MoneyError(ValueError):
    """An amount that cannot be money: float input, NaN, infinity, too large."""


def to_decimal(value) -> Decimal:
    """Decimal from str/int/Decimal; floats are refused so binary error never enters."""
    if value.__class__ is Decimal and value.is_finite():  # the common case, first
        return value
    if isinstance(value, float):
        raise MoneyError("Use Decimal or str for money, never float.")
    if isinstance(value, bool):
        raise MoneyError("A boolean is not an amount.")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"Not a number: {value!r}") from exc
    if not result.is_finite():
        raise MoneyError("Amounts must be finite numbers.")
    return result


_EXPONENTS = tuple(Decimal(1).scaleb(-units) for units in range(5))


def exponent(minor_units: int) -> Decimal:
    if not 0 <= minor_units <= 4:
        raise MoneyError("Minor units must be between 0 and 4.")
    return _EXPONENTS[minor_units]


def quantize(amount, minor_units: int = 2) -> Decimal:
    """Round to the currency's minor units, half away from zero."""
    try:
        return to_decimal(amount).quantize(exponent(minor_units), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than Decimal's context holds (1e400)
        raise MoneyError(f"Too large to be an amount: {amount!r}") from exc


def has_more_places(amount, minor_units: int = 2) -> bool:
    """True when `amount` carries more decimals than the currency allows (a form error)."""
    value = to_decimal(amount)
    return value != value.quantize(exponent(minor_units), rounding=ROUND_HALF_UP)


def to_base(amount, rate, base_minor_units: int = 2) -> Decimal:
    """Amount in a document currency -> base currency at `rate` (base per unit)."""
    return quantize(to_decimal(amount) * to_decimal(rate), base_minor_units)


def from_base(amount, rate, minor_units: int = 2) -> Decimal:
    """Amount in base currency -> a document currency at `rate` (base per unit)."""
    rate = to_decimal(rate)
    if rate <= 0:
        raise MoneyError("An exchange rate must be positive.")
    return quantize(to_decimal(amount) / rate, minor_units)


def convert(amount, *, from_rate, to_rate, minor_units: int = 2) -> Decimal:
    """Between two non-base currencies through their rates to base, rounded once."""
    from_rate, to_rate = to_decimal(from_rate), to_decimal(to_rate)
    if from_rate <= 0 or to_rate <= 0:
        raise MoneyError("An exchange rate must be positive.")
    return quantize(to_decimal(amount) * from_rate / to_rate, minor_units)


def percent_of(amount, percent, minor_units: int = 2) -> Decimal:
    return quantize(to_decimal(amount) * to_decimal(percent) / HUNDRED, minor_units)


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal  # quantity x unit price, rounded
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    *, quantity, unit_price, discount_percent=ZERO, tax_percent=ZERO, minor_units: int = 2
) -> LineAmounts:
    """One document line under the policy: each part rounded, total = net + tax."""
    quantity = to_decimal(quantity)
    discount_percent = to_decimal(discount_percent)
    tax_percent = to_decimal(tax_percent)
    if not ZERO <= discount_percent <= HUNDRED:
        raise MoneyError("A discount must be between 0 and 100 %.")
    if tax_percent < 0:
        raise MoneyError("A tax rate cannot be negative.")
    gross = quantize(quantity * to_decimal(unit_price), minor_units)
    discount = percent_of(gross, discount_percent, minor_units)
    net = gross - discount
    tax = percent_of(net, tax_percent, minor_units)
    return LineAmounts(gross=gross, discount=discount, net=net, tax=tax, total=net + tax)


@dataclass(frozen=True)
class DocumentTotals:
    subtotal: Decimal  # sum of line gross
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


def document_totals(lines: Iterable[LineAmounts]) -> DocumentTotals:
    """Totals are sums of rounded lines, never re-rounded from unrounded parts."""
    lines = list(lines)
    return DocumentTotals(
        subtotal=sum((line.gross for line in lines), ZERO),
        discount=sum((line.discount for line in lines), ZERO),
        net=sum((line.net for line in lines), ZERO),
        tax=sum((line.tax for line in lines), ZERO),
        total=sum((line.total for line in lines), ZERO),
    )


def allocate(amount, weights: list, minor_units: int = 2) -> list[Decimal]:
    """Split `amount` by weights into rounded parts that add up exactly to `amount`
    (largest remainder), e.g. an order-level discount spread over lines."""
    amount = quantize(amount, minor_units)
    weights = [to_decimal(w) for w in weights]
    total_weight = sum(weights, ZERO)
    if not weights:
        return []
    if total_weight == 0:
        raise MoneyError("Cannot allocate over zero weights.")
    unit = exponent(minor_units)
    raw = [amount * w / total_weight for w in weights]
    parts = [r.quantize(unit, rounding="ROUND_DOWN") for r in raw]
    remainder = int((amount - sum(parts, ZERO)) / unit)
    order = sorted(range(len(raw)), key=lambda i: abs(raw[i] - parts[i]), reverse=True)
    step = unit if remainder >= 0 else -unit
    for i in order[: abs(remainder)]:
        parts[i] += step
    return parts


def format_money(amount, currency_code: str = "", minor_units: int = 2) -> str:
    """'1,234.50 EUR' for screens and PDFs."""
    if amount is None:
        return ""
    value = quantize(amount, minor_units)
    text = f"{value:,.{minor_units}f}"
    return f"{text} {currency_code}".strip()

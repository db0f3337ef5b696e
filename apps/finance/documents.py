"""Which currencies can carry documents (orders, invoices, payments): one rule for all."""

from __future__ import annotations

from .fields import MONEY_PLACES
from .models import Currency

MAX_DOCUMENT_MINOR_UNITS = MONEY_PLACES  # amounts are DecimalField(decimal_places=2)


def document_currencies():
    """The currencies a document form offers."""
    return Currency.objects.filter(active=True, minor_units__lte=MAX_DOCUMENT_MINOR_UNITS)


def document_currency_problem(currency: Currency | None) -> str:
    """Why a currency cannot carry orders and invoices, or ""."""
    if currency is None:
        return "Choose a currency."
    if not currency.active or currency.is_deleted:
        return f"{currency.code} is not an active currency."
    if currency.minor_units > MAX_DOCUMENT_MINOR_UNITS:
        return (
            f"{currency.code} has {currency.minor_units} decimal places; documents are kept "
            f"to {MAX_DOCUMENT_MINOR_UNITS}."
        )
    return ""

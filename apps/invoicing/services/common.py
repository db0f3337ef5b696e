"""Checks, locks and the hash chain shared by the invoice and credit-note services."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Model

from apps.core.request_context import current_user
from apps.core.sequences import sequence_next
from apps.finance import money
from apps.finance.models import TaxRate

from ..models import MAX_QUANTITY, QUANTITY_PLACES, CreditNote, DocumentKind, Invoice, Series

ZERO = Decimal("0")
CHAIN = "DOC-CHAIN"  # the NumberSequence row that orders the hash chain
GENESIS = "0" * 64
DEFAULT_SERIES = {
    DocumentKind.INVOICE: ("INV", "Invoices"),
    DocumentKind.CREDIT_NOTE: ("CN", "Credit notes"),
}


class InvoicingError(ValidationError):
    """An invoicing action refused by a business rule; nothing was changed."""


def settle_base(invoice: Invoice, amount: Decimal) -> Decimal:
    """Base value of `amount` of the invoice settled now, at the invoice's rate; the
    allocation that closes the invoice takes whatever base is left, so a paid invoice is
    zero in base currency too (no stray cent from rounding each part)."""
    from django.db.models import Sum

    row = invoice.allocations.aggregate(a=Sum("amount"), b=Sum("amount_base"))
    if money.quantize(invoice.total - (row["a"] or ZERO) - amount) == 0:
        return money.quantize(invoice.total_base - (row["b"] or ZERO))
    return money.to_base(amount, invoice.exchange_rate)


def acting(user):
    return user if getattr(user, "is_authenticated", False) else current_user()


def default_series(kind: str) -> Series:
    series = Series.objects.filter(kind=kind, is_default=True, active=True).first()
    if series is not None:
        return series
    code, name = DEFAULT_SERIES[kind]
    series, _ = Series.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "is_default": True}
    )
    return series


def check_series(series: Series | None, kind: str) -> Series:
    if series is None:
        return default_series(kind)
    if series.kind != kind or not series.active or series.is_deleted:
        raise InvoicingError(
            {"series": f"{series.code} is not an active {kind.replace('_', ' ')} series."}
        )
    return series


def check_quantity(value, field: str = "quantity") -> Decimal:
    try:
        quantity = money.to_decimal(value)
    except money.MoneyError as exc:
        raise InvoicingError({field: "Enter a quantity, e.g. 2 or 1.5."}) from exc
    if quantity <= 0:
        raise InvoicingError({field: "Enter a quantity greater than zero."})
    if money.has_more_places(quantity, QUANTITY_PLACES):
        raise InvoicingError({field: f"Use at most {QUANTITY_PLACES} decimal places."})
    if quantity > MAX_QUANTITY:
        raise InvoicingError({field: f"Enter at most {MAX_QUANTITY:,} units."})
    return money.quantize(quantity, QUANTITY_PLACES)


def check_amount(value, field: str, *, minor_units: int = 2) -> Decimal:
    try:
        amount = money.to_decimal(value)
    except money.MoneyError as exc:
        raise InvoicingError({field: "Enter an amount, e.g. 12.50."}) from exc
    if amount < 0:
        raise InvoicingError({field: "The amount cannot be negative."})
    if money.has_more_places(amount, minor_units):
        raise InvoicingError({field: f"Use at most {minor_units} decimal places."})
    if amount > money.MAX_AMOUNT:
        raise InvoicingError({field: "That amount is too large."})
    return money.quantize(amount, minor_units)


def check_percent(value, field: str = "discount_percent") -> Decimal:
    try:
        percent = money.to_decimal(value)
    except money.MoneyError as exc:
        raise InvoicingError({field: "Enter a percentage between 0 and 100."}) from exc
    if not ZERO <= percent <= 100:
        raise InvoicingError({field: "Enter a percentage between 0 and 100."})
    if money.has_more_places(percent, 2):
        raise InvoicingError({field: "Use at most 2 decimal places."})
    return money.quantize(percent, 2)


def check_tax_rate(value) -> TaxRate | None:
    """A TaxRate, its pk, or None (no tax). Unknown or inactive rates are refused."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, TaxRate) else value
    rate = TaxRate.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if rate is None:
        raise InvoicingError({"tax_rate": f"Unknown tax rate: {value}."})
    if not rate.active:
        raise InvoicingError({"tax_rate": f"{rate} is not an active tax rate."})
    return rate


# --- the hash chain ---------------------------------------------------------------------


_SCALES = {places: Decimal(1).scaleb(-places) for places in range(9)}


def _places(value, places: int) -> str:
    return str(Decimal(value).quantize(_SCALES[places]))


def document_content(doc: Invoice | CreditNote, lines=None) -> dict:
    """What the hash covers: every figure and text an issued document shows.

    Decimals are written at their column's scale, so the same stored value hashes the same
    on SQLite and PostgreSQL. `lines`: the document's lines in position order, when the
    caller has them already (check_books, bulk loads); else they are read.
    """
    if lines is None:
        lines = doc.lines.order_by("position", "id")
    is_invoice = isinstance(doc, Invoice)
    content = {
        "kind": "invoice" if is_invoice else "credit_note",
        "number": doc.number,
        "series": doc.series_id,
        "fiscal_year": doc.fiscal_year,
        "sequence": doc.sequence,
        "issue_date": doc.issue_date.isoformat() if doc.issue_date else None,
        "customer": doc.customer_id,
        "billing": [doc.billing_name, doc.billing_address, doc.billing_tax_id],
        "currency": doc.currency_id,
        "rate": _places(doc.exchange_rate, 8) if doc.exchange_rate is not None else None,
        "amounts": [
            _places(getattr(doc, f), 2)
            for f in ("subtotal", "discount_total", "net_total", "tax_total", "total")
        ],
        "base": [_places(doc.total_base, 2), _places(doc.tax_base, 2)],
        "notes": doc.notes,
        "chain_position": doc.chain_position,
        "previous_hash": doc.previous_hash,
    }
    if is_invoice:
        content["due_date"] = doc.due_date.isoformat() if doc.due_date else None
        content["terms"] = doc.terms
        content["reference"] = doc.customer_reference
        content["discount_amount"] = _places(doc.discount_amount, 2)
        content["lines"] = [
            [
                line.description,
                line.sku,
                _places(line.quantity, 3),
                line.unit,
                _places(line.unit_price, 2),
                _places(line.discount_percent, 2),
                line.tax_name,
                _places(line.tax_percent, 3),
                *(
                    _places(getattr(line, f), 2)
                    for f in ("gross", "discount", "document_discount", "net", "tax", "total")
                ),
            ]
            for line in lines
        ]
    else:
        content["invoice"] = doc.invoice_id
        content["reason"] = doc.reason
        content["lines"] = [
            [
                line.invoice_line_id,
                line.description,
                line.sku,
                _places(line.quantity, 3),
                line.unit,
                _places(line.unit_price, 2),
                line.tax_name,
                _places(line.tax_percent, 3),
                *(_places(getattr(line, f), 2) for f in ("net", "tax", "total")),
            ]
            for line in lines
        ]
    return content


def document_hash(doc: Invoice | CreditNote, lines=None) -> str:
    text = json.dumps(document_content(doc, lines), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def chain_document(position: int) -> Model | None:
    found = Invoice.all_objects.filter(chain_position=position).first()
    return found or CreditNote.all_objects.filter(chain_position=position).first()


def chain_link(doc: Invoice | CreditNote) -> None:
    """Give an issuing document its place in the chain and its hash (call last, after
    every figure is final). The chain counter row stays locked until commit, so documents
    issued at the same time in different series still form one line."""
    doc.chain_position = sequence_next(name=CHAIN)
    previous = chain_document(doc.chain_position - 1) if doc.chain_position > 1 else None
    doc.previous_hash = previous.content_hash if previous is not None else GENESIS
    doc.content_hash = document_hash(doc)

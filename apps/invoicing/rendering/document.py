"""What an invoice or credit note prints: plain frozen dataclasses, no ORM.

The rendering package (PDF, Factur-X XML, creditor reference, QR) works from these
values only, so the issuing service builds one `PrintDocument` from its models with a
single adapter function and every output carries the same Decimal figures.
Amounts are positive on a credit note too: the document kind says which way they go
(EN 16931 type code 381).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from apps.finance.money import quantize

ZERO = Decimal("0.00")


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"

    @property
    def type_code(self) -> str:
        """UNTDID 1001 document type: 380 commercial invoice, 381 credit note."""
        return "380" if self is DocumentKind.INVOICE else "381"

    @property
    def title(self) -> str:
        return "Invoice" if self is DocumentKind.INVOICE else "Credit note"


class Stamp(StrEnum):
    """A word printed diagonally over the page; NONE prints nothing."""

    NONE = ""
    DRAFT = "DRAFT"
    PAID = "PAID"
    VOID = "VOID"


class TaxCategory(StrEnum):
    """UNCL 5305 VAT category codes the issuing code may use."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"


@dataclass(frozen=True)
class Party:
    """Seller or buyer as printed. `code` is the customer code (buyer only)."""

    name: str
    country_code: str  # ISO 3166-1 alpha-2
    address_lines: tuple[str, ...] = ()
    postcode: str = ""
    city: str = ""
    vat_id: str = ""  # VAT identifier with country prefix (BT-31 / BT-48)
    tax_id: str = ""  # local tax registration number (BT-32)
    registration_id: str = ""  # legal registration, e.g. company register (BT-30)
    email: str = ""
    phone: str = ""
    iban: str = ""
    bic: str = ""
    bank_name: str = ""
    code: str = ""
    logo: bytes | None = None
    logo_mime_type: str = "image/png"


@dataclass(frozen=True)
class Line:
    """One printed line; figures already rounded under apps/finance/money.py.

    `net` is after the line discount (and any share of a document discount allocated
    to the line), `tax` is rounded per line, `total == net + tax`.
    """

    position: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    net: Decimal
    tax_rate: Decimal  # percent, e.g. Decimal("20.00")
    tax: Decimal
    total: Decimal
    sku: str = ""
    unit_code: str = "C62"  # UN/ECE Recommendation 20: C62 one, H87 piece, HUR hour
    discount_percent: Decimal = ZERO
    tax_category: TaxCategory = TaxCategory.STANDARD

    @property
    def gross(self) -> Decimal:
        """Quantity x unit price before any discount, rounded to the cent."""
        return quantize(self.quantity * self.unit_price)

    @property
    def discount(self) -> Decimal:
        """Everything taken off the line: its own % plus an allocated document discount."""
        return self.gross - self.net


@dataclass(frozen=True)
class TaxBreakdown:
    """One row per (category, rate): the sums of the lines carrying it."""

    category: TaxCategory
    rate: Decimal
    net: Decimal
    tax: Decimal
    exemption_reason: str = ""  # required by EN 16931 for E and AE


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    gross: Decimal
    paid: Decimal = ZERO
    due: Decimal | None = None

    @property
    def amount_due(self) -> Decimal:
        return self.gross - self.paid if self.due is None else self.due


@dataclass(frozen=True)
class PrintDocument:
    kind: DocumentKind
    number: str
    issue_date: dt.date
    currency: str  # ISO 4217
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    tax_breakdown: tuple[TaxBreakdown, ...]
    totals: Totals
    due_date: dt.date | None = None
    original_number: str = ""  # the invoice a credit note corrects
    original_issue_date: dt.date | None = None
    payment_terms: str = ""
    notes: str = ""
    creditor_reference: str = ""  # ISO 11649 RF reference; see reference.py
    stamp: Stamp = Stamp.NONE
    buyer_reference: str = ""  # the buyer's order reference (BT-10)
    language: str = "en"

    @property
    def title(self) -> str:
        return self.kind.title

    @property
    def is_credit_note(self) -> bool:
        return self.kind is DocumentKind.CREDIT_NOTE


def summarize(
    lines: tuple[Line, ...] | list[Line], *, paid: Decimal = ZERO, exemption_reasons=None
) -> tuple[tuple[TaxBreakdown, ...], Totals]:
    """Per-(category, rate) breakdown and totals as sums of the rounded lines.

    The breakdown is ordered by category then rate so the PDF and the XML list it alike.
    `exemption_reasons` maps a category to its printed reason (EN 16931 BT-120).
    """
    exemption_reasons = exemption_reasons or {}
    groups: dict[tuple[TaxCategory, Decimal], tuple[Decimal, Decimal]] = {}
    for line in lines:
        key = (line.tax_category, line.tax_rate)
        net, tax = groups.get(key, (ZERO, ZERO))
        groups[key] = (net + line.net, tax + line.tax)
    breakdown = tuple(
        TaxBreakdown(
            category=category,
            rate=rate,
            net=net,
            tax=tax,
            exemption_reason=exemption_reasons.get(category, ""),
        )
        for (category, rate), (net, tax) in sorted(
            groups.items(), key=lambda kv: (kv[0][0], kv[0][1])
        )
    )
    net = sum((line.net for line in lines), ZERO)
    tax = sum((line.tax for line in lines), ZERO)
    return breakdown, Totals(net=net, tax=tax, gross=net + tax, paid=paid)

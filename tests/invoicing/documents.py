"""Fixed printable documents for the rendering tests, figures computed by money.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D

from apps.finance.money import line_amounts
from apps.invoicing.rendering.document import (
    DocumentKind,
    Line,
    Party,
    PrintDocument,
    Stamp,
    TaxCategory,
    summarize,
)
from apps.invoicing.rendering.reference import creditor_reference

SELLER = Party(
    name="Backoffice Demo GmbH",
    country_code="DE",
    address_lines=("Hauptstraße 12", "3. OG"),
    postcode="10115",
    city="Berlin",
    vat_id="DE123456789",
    tax_id="27/123/45678",
    registration_id="HRB 123456 B",
    email="billing@backoffice.test",
    phone="+49 30 1234567",
    iban="DE89370400440532013000",
    bic="COBADEFFXXX",
    bank_name="Commerzbank Berlin",
)
BUYER = Party(
    name="Acme Retail SARL",
    country_code="FR",
    address_lines=("14 rue de la Paix",),
    postcode="75002",
    city="Paris",
    vat_id="FR40303265045",
    email="accounts@acme.test",
    code="C-0001",
)
EXEMPTION = {
    TaxCategory.EXEMPT: "Exempt under Art. 132 Directive 2006/112/EC",
    TaxCategory.REVERSE_CHARGE: "Reverse charge",
}


def line(
    position,
    description,
    quantity,
    price,
    rate,
    discount="0",
    *,
    sku="",
    unit="C62",
    category=TaxCategory.STANDARD,
) -> Line:
    figures = line_amounts(
        quantity=D(quantity), unit_price=D(price), discount_percent=D(discount), tax_percent=D(rate)
    )
    return Line(
        position=position,
        sku=sku,
        description=description,
        quantity=D(quantity),
        unit_code=unit,
        unit_price=D(price),
        discount_percent=D(discount),
        net=figures.net,
        tax_rate=D(rate),
        tax_category=category,
        tax=figures.tax,
        total=figures.total,
    )


def document(
    lines,
    *,
    number="INV-2026-0042",
    kind=DocumentKind.INVOICE,
    paid=D("0.00"),
    stamp=Stamp.NONE,
    **kwargs,
) -> PrintDocument:
    lines = tuple(lines)
    breakdown, totals = summarize(lines, paid=paid, exemption_reasons=EXEMPTION)
    values = dict(
        kind=kind,
        number=number,
        issue_date=dt.date(2026, 3, 14),
        due_date=dt.date(2026, 4, 13),
        currency="EUR",
        seller=SELLER,
        buyer=BUYER,
        lines=lines,
        tax_breakdown=breakdown,
        totals=totals,
        payment_terms="Net 30 days",
        notes="Thank you for your business.",
        creditor_reference=creditor_reference(number),
        stamp=stamp,
    )
    values.update(kwargs)
    return PrintDocument(**values)


def multi_rate() -> PrintDocument:
    """Two VAT rates, one line discount, SKUs, pieces and hours."""
    return document(
        [
            line(1, "Ergonomic office chair", "3", "189.90", "19", sku="CHR-ERG-01", unit="H87"),
            line(2, "Standing desk, oak", "1", "649.00", "19", "10", sku="DSK-OAK-02", unit="H87"),
            line(3, "Office design handbook", "2", "24.95", "7", sku="BK-ODH", unit="H87"),
            line(4, "Assembly service", "2.5", "65.00", "19", unit="HUR"),
        ]
    )


def zero_rated() -> PrintDocument:
    """A zero-rated (Z) line next to a standard one and an exempt (E) one."""
    return document(
        [
            line(1, "Printed catalogue", "10", "4.50", "0", category=TaxCategory.ZERO_RATED),
            line(2, "Training session", "1", "300.00", "0", category=TaxCategory.EXEMPT),
            line(3, "USB-C cable", "4", "9.99", "19", "5", sku="CBL-USBC"),
        ],
        number="INV-2026-0043",
    )


def credit_note() -> PrintDocument:
    """Credits part of INV-2026-0042; amounts positive, type code 381."""
    doc = document(
        [
            line(
                1,
                "Ergonomic office chair (returned)",
                "1",
                "189.90",
                "19",
                sku="CHR-ERG-01",
                unit="H87",
            ),
        ],
        number="CN-2026-0007",
        kind=DocumentKind.CREDIT_NOTE,
        original_number="INV-2026-0042",
        original_issue_date=dt.date(2026, 3, 14),
        payment_terms="Credited against invoice INV-2026-0042.",
        due_date=None,
    )
    return replace(doc, creditor_reference="")


def long_invoice(count: int = 60) -> PrintDocument:
    rates = ("19", "7", "19", "0")
    return document(
        [
            line(
                i,
                f"Spare part {i:03d}, stainless steel",
                str(i % 7 + 1),
                f"{(i * 37) % 200 + 0.99:.2f}",
                rates[i % 4],
                "5" if i % 5 == 0 else "0",
                sku=f"SP-{i:04d}",
                unit="H87",
                category=TaxCategory.ZERO_RATED if rates[i % 4] == "0" else TaxCategory.STANDARD,
            )
            for i in range(1, count + 1)
        ],
        number="INV-2026-0100",
    )


LOGO_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="260" height="48" viewBox="0 0 260 48">
<rect x="0" y="4" width="40" height="40" rx="8" fill="#1e3a5f"/>
<path d="M11 14h12a7 7 0 0 1 0 14H11z M11 28h14a7 7 0 0 1 0 14H11z" fill="none" stroke="#fff" stroke-width="3"/>
<text x="52" y="33" font-family="Liberation Sans" font-size="22" font-weight="bold" fill="#1e3a5f">Backoffice Demo</text>
</svg>"""


def with_logo(doc: PrintDocument) -> PrintDocument:
    return replace(doc, seller=replace(doc.seller, logo=LOGO_SVG, logo_mime_type="image/svg+xml"))

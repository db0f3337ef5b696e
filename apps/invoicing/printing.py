"""Invoices and credit notes as printable documents: the one adapter from the models to
`apps.invoicing.rendering` (PrintDocument), and the PDF / XML a reader downloads.

The issued PDF is rendered once after issuing and stored with its SHA-256
(`services.invoice_store_pdf`, queued by `tasks.document_store_pdf`); every later download
of it is the stored bytes. What a screen shows besides that archived copy is rendered on
the fly with a stamp: DRAFT for drafts, VOID for voided invoices, PAID for paid ones.
"""

from __future__ import annotations

import mimetypes
from decimal import Decimal

from apps.core.models import CompanySettings

from .models import CreditNote, Invoice, InvoiceStatus
from .rendering.document import (
    DocumentKind,
    Line,
    Party,
    PrintDocument,
    Stamp,
    TaxCategory,
    summarize,
)
from .rendering.facturx import facturx_xml
from .rendering.pdf import pdf_render
from .rendering.reference import ReferenceError, creditor_reference

ZERO = Decimal("0.00")
UNIT_CODES = {"pcs": "H87", "pc": "H87", "ea": "EA", "h": "HUR", "hour": "HUR", "hours": "HUR"}
UNIT_CODES.update({"day": "DAY", "days": "DAY", "kg": "KGM", "m": "MTR", "l": "LTR"})
COUNTRIES = {
    "france": "FR",
    "germany": "DE",
    "deutschland": "DE",
    "united states": "US",
    "usa": "US",
    "united kingdom": "GB",
    "uk": "GB",
    "spain": "ES",
    "italy": "IT",
    "belgium": "BE",
    "netherlands": "NL",
    "switzerland": "CH",
    "austria": "AT",
}


def _country(text: str, default: str) -> str:
    text = text.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    return COUNTRIES.get(text.lower(), default)


def seller_party(company: CompanySettings | None = None) -> Party:
    company = company or CompanySettings.load()
    logo, mime = None, "image/png"
    if company.logo:
        try:
            with company.logo.open("rb") as handle:
                logo = handle.read()
            mime = mimetypes.guess_type(company.logo.name)[0] or mime
        except OSError:  # a missing file prints no logo rather than failing the document
            logo = None
    return Party(
        name=company.name,
        country_code=(company.country_code or "US").upper(),
        address_lines=tuple(line for line in company.address.splitlines() if line.strip())[:3],
        postcode=company.postal_code,
        city=company.city,
        vat_id=company.tax_id,
        registration_id=company.registration_id,
        email=company.email,
        phone=company.phone,
        iban=company.iban,
        bic=company.bic,
        bank_name=company.bank_name,
        logo=logo,
        logo_mime_type=mime,
    )


def buyer_party(doc: Invoice | CreditNote, default_country: str) -> Party:
    """The billing snapshot as printed; its last line names the country."""
    lines = [line.strip() for line in doc.billing_address.splitlines() if line.strip()]
    country = default_country
    if len(lines) > 1:
        found = _country(lines[-1], "")
        if found:
            country = found
            lines = lines[:-1]
    return Party(
        name=doc.billing_name or doc.customer.name,
        country_code=country,
        address_lines=tuple(lines[:3]),
        vat_id=doc.billing_tax_id,
        email=doc.customer.email,
        code=doc.customer.code,
    )


def _category(percent: Decimal) -> TaxCategory:
    return TaxCategory.STANDARD if percent > 0 else TaxCategory.ZERO_RATED


def _line(position: int, line, *, discount_percent: Decimal = ZERO) -> Line:
    return Line(
        position=position,
        description=line.description,
        sku=line.sku,
        quantity=line.quantity,
        unit_code=UNIT_CODES.get((line.unit or "").lower(), "C62"),
        unit_price=line.unit_price,
        discount_percent=discount_percent,
        net=line.net,
        tax_rate=line.tax_percent,
        tax_category=_category(line.tax_percent),
        tax=line.tax,
        total=line.total,
    )


def _stamp(invoice: Invoice, paid: Decimal) -> Stamp:
    if invoice.status == InvoiceStatus.DRAFT:
        return Stamp.DRAFT
    if invoice.status == InvoiceStatus.VOID:
        return Stamp.VOID
    if paid >= invoice.total:
        return Stamp.PAID
    return Stamp.NONE


def invoice_print_document(invoice: Invoice, *, as_issued: bool = False) -> PrintDocument:
    """The invoice as printed. `as_issued`: the archived form (no stamp, nothing paid);
    otherwise today's view of it (DRAFT / VOID / PAID stamp, amount paid so far)."""
    from .selectors import invoice_open_amount

    company = CompanySettings.load()
    seller = seller_party(company)
    lines = tuple(
        _line(n, line, discount_percent=line.discount_percent)
        for n, line in enumerate(invoice.lines.order_by("position", "id"), start=1)
    )
    paid = ZERO
    if not as_issued and invoice.status == InvoiceStatus.ISSUED:
        paid = invoice.total - invoice_open_amount(invoice)
    breakdown, totals = summarize(lines, paid=paid)
    stamp = Stamp.NONE if as_issued else _stamp(invoice, paid)
    number = invoice.number or f"DRAFT-{invoice.pk}"
    reference = ""
    if invoice.number:
        try:
            reference = creditor_reference(invoice.number)
        except ReferenceError:
            reference = ""
    issue_date = invoice.issue_date or company.today()
    return PrintDocument(
        kind=DocumentKind.INVOICE,
        number=number,
        issue_date=issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency_id,
        seller=seller,
        buyer=buyer_party(invoice, seller.country_code),
        lines=lines,
        tax_breakdown=breakdown,
        totals=totals,
        payment_terms=invoice.terms,
        notes=invoice.notes,
        creditor_reference=reference,
        stamp=stamp,
        buyer_reference=invoice.customer_reference,
    )


def credit_note_print_document(note: CreditNote) -> PrintDocument:
    company = CompanySettings.load()
    seller = seller_party(company)
    lines = tuple(
        _line(n, line) for n, line in enumerate(note.lines.order_by("position", "id"), start=1)
    )
    breakdown, totals = summarize(lines)
    return PrintDocument(
        kind=DocumentKind.CREDIT_NOTE,
        number=note.number or f"DRAFT-CN-{note.pk}",
        issue_date=note.issue_date or company.today(),
        currency=note.currency_id,
        seller=seller,
        buyer=buyer_party(note, seller.country_code),
        lines=lines,
        tax_breakdown=breakdown,
        totals=totals,
        original_number=note.invoice.number or "",
        original_issue_date=note.invoice.issue_date,
        notes=note.reason,
        stamp=Stamp.DRAFT if note.is_draft else Stamp.NONE,
    )


def print_document(doc: Invoice | CreditNote, *, as_issued: bool = False) -> PrintDocument:
    if isinstance(doc, Invoice):
        return invoice_print_document(doc, as_issued=as_issued)
    return credit_note_print_document(doc)


def render_issued_pdf(doc: Invoice | CreditNote) -> bytes:
    """The archived PDF/A-3 of an issued document (what `invoice_store_pdf` stores)."""
    return pdf_render(print_document(doc, as_issued=True))


def document_pdf(doc: Invoice | CreditNote, *, archived: bool = False) -> bytes:
    """What a reader downloads: the stored bytes when the document is shown as issued
    (or `archived` is asked for), otherwise a copy rendered now with its stamp."""
    if not doc.is_draft and doc.pdf:
        view = print_document(doc)
        if archived or view.stamp is Stamp.NONE:
            with doc.pdf.open("rb") as handle:
                return handle.read()
        return pdf_render(view)
    if not doc.is_draft and archived:
        return render_issued_pdf(doc)  # not stored yet (the worker is behind): same bytes
    return pdf_render(print_document(doc))


def document_xml(doc: Invoice | CreditNote) -> bytes:
    """The Factur-X XML of the document as issued (the one inside the archived PDF)."""
    return facturx_xml(print_document(doc, as_issued=True))


def statement_pdf(statement, customer) -> bytes:
    """A customer's account statement as a plain PDF (not an e-invoice: no attachment)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        "invoicing/pdf/statement.html",
        {"statement": statement, "customer": customer, "company": CompanySettings.load()},
    )
    fetcher = URLFetcher(allowed_protocols=("data",), fail_on_errors=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()

"""Issuing and voiding invoices (DESIGN.md §11): the moments a document becomes final.

Lock order, as everywhere in invoicing: the invoice row, the series counter, the hash-chain
counter, then the ledger accounts (journal_write, primary-key order).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.core.audit import audit_record
from apps.core.models import CompanySettings
from apps.core.sequences import sequence_next
from apps.finance import money
from apps.finance.documents import document_currency_problem
from apps.ledger import chart
from apps.ledger.services import Cr, Dr, journal_prepare, journal_write

from ..models import CreditNote, CreditNoteStatus, Invoice, InvoiceStatus
from .common import ZERO, InvoicingError, acting, chain_link
from .invoices import invoice_recompute, lock_invoice, rate_for
from .pdf import pdf_queue

# --- issue and void ---------------------------------------------------------------------


def _post_issue(invoice: Invoice, user) -> None:
    lines = [Dr(chart.AR, invoice.total), Cr(chart.SALES_REVENUE, invoice.net_total)]
    if invoice.tax_total:
        lines.append(Cr(chart.TAX_PAYABLE, invoice.tax_total))
    prepared = journal_prepare(
        date=invoice.issue_date,
        memo=f"Invoice {invoice.number} · {invoice.customer.name}",
        lines=lines,
        currency=invoice.currency,
        rate=invoice.exchange_rate,
        reference=invoice.number,
        source=invoice,
        posted_by=user,
    )
    rows = prepared.lines
    invoice.total_base = rows[0].base_debit
    invoice.tax_base = rows[2].base_credit if invoice.tax_total else ZERO
    invoice.journal_entry = journal_write(prepared, audit=False)


@transaction.atomic
def invoice_issue(*, invoice: Invoice, issue_date: dt.date | None = None, user=None) -> Invoice:
    """Number, freeze, post and chain a draft, all in one transaction.

    Issuing an issued invoice is refused with a clear error and changes nothing, so a
    double click or two people at once issue it exactly once.
    """
    user = acting(user)
    invoice = lock_invoice(invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        raise InvoicingError(
            f"Invoice {invoice.number} is already {invoice.get_status_display().lower()}.",
            code="already_issued",
        )
    lines = list(invoice.lines.all())
    if not lines:
        raise InvoicingError("Add at least one line before issuing.")
    problem = document_currency_problem(invoice.currency)
    if problem:
        raise InvoicingError({"currency": problem})
    company = CompanySettings.load()
    issue_date = issue_date or invoice.issue_date or company.today()
    invoice.issue_date = issue_date
    invoice.exchange_rate = rate_for(invoice.currency, issue_date)
    invoice_recompute(invoice, lines)
    if invoice.total <= 0:
        raise InvoicingError("An invoice of zero cannot be issued.")
    invoice.fiscal_year = company.fiscal_year(issue_date)
    invoice.sequence = sequence_next(name=invoice.series.counter_name(invoice.fiscal_year))
    invoice.number = invoice.series.format_number(invoice.fiscal_year, invoice.sequence)
    invoice.due_date = issue_date + dt.timedelta(days=invoice.payment_terms_days)
    invoice.status = InvoiceStatus.ISSUED
    invoice.issued_at = timezone.now()
    invoice.issued_by = user
    _post_issue(invoice, user)
    chain_link(invoice)
    invoice.save()
    audit_record(
        subject=invoice,
        event="invoice.issued",
        actor=user,
        changes={
            "number": invoice.number,
            "total": f"{invoice.total} {invoice.currency_id}",
            "rate": invoice.exchange_rate,
            "hash": invoice.content_hash,
        },
    )
    pdf_queue(invoice)
    return invoice


@transaction.atomic
def invoice_void(*, invoice: Invoice, reason: str, user=None) -> Invoice:
    """An issued invoice is never deleted: voiding issues a credit note for everything not
    yet credited (applied to its open balance) and marks it void."""
    from .credit_notes import credit_note_create, credit_note_issue

    user = acting(user)
    reason = (reason or "").strip()
    if not reason:
        raise InvoicingError({"reason": "Give a reason for voiding the invoice."})
    invoice = lock_invoice(invoice)
    if invoice.status != InvoiceStatus.ISSUED:
        raise InvoicingError(
            f"Invoice {invoice} is {invoice.get_status_display().lower()}; only issued "
            "invoices can be voided."
        )
    invoice.credit_notes.filter(status=CreditNoteStatus.DRAFT).delete()
    note = None
    if money.quantize(invoice.total) > invoice_credited_total(invoice):
        note = credit_note_create(invoice=invoice, reason=f"Void: {reason}", user=user)
        note = credit_note_issue(credit_note=note, user=user)
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = timezone.now()
    invoice.void_reason = reason
    invoice.save(update_fields=["status", "voided_at", "void_reason"])
    audit_record(
        subject=invoice,
        event="invoice.voided",
        actor=user,
        changes={
            "status": [InvoiceStatus.ISSUED, InvoiceStatus.VOID],
            "credit_note": str(note or ""),
        },
        message=reason,
    )
    return invoice


def invoice_credited_total(invoice: Invoice) -> Decimal:
    total = CreditNote.objects.filter(invoice=invoice, status=CreditNoteStatus.ISSUED).aggregate(
        t=Sum("total")
    )["t"]
    return money.quantize(total or ZERO)

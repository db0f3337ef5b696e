"""Credit notes: money back on an issued invoice (DESIGN.md §11).

From the invoice (some units of some lines, or everything left: a void) or from a sales
Return (its lines and quantities). Lines keep the invoice line's prices, tax rate and the
invoice's rate snapshot; amounts are the cumulative share of the invoice line, so
crediting every unit gives back the invoice exactly. Issuing posts the reverse (Dr Sales
Returns, Dr Tax Payable / Cr AR) and applies the credit to the invoice's open balance
first; the rest stays as the customer's credit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.core.audit import audit_record
from apps.core.models import CompanySettings
from apps.core.sequences import sequence_next
from apps.ledger import chart
from apps.ledger.services import Cr, Dr, journal_prepare, journal_write
from apps.sales.models import Return

from ..models import (
    Allocation,
    AllocationKind,
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Series,
)
from ..selectors import invoice_open_amount
from ..totals import credit_share
from .common import (
    ZERO,
    InvoicingError,
    acting,
    chain_link,
    check_quantity,
    check_series,
    settle_base,
)
from .invoices import lock_invoice
from .pdf import pdf_queue


def credited_quantities(invoice: Invoice, *, issued_only: bool = False) -> dict[int, Decimal]:
    """Invoice line id -> units on credit notes (issued, and drafts unless `issued_only`)."""
    notes = CreditNoteLine.objects.filter(credit_note__invoice=invoice)
    if issued_only:
        notes = notes.filter(credit_note__status=CreditNoteStatus.ISSUED)
    rows = notes.values("invoice_line_id").annotate(q=Sum("quantity"))
    return defaultdict(Decimal, {row["invoice_line_id"]: row["q"] for row in rows})


def _require_creditable(invoice: Invoice) -> None:
    if invoice.status != InvoiceStatus.ISSUED:
        state = invoice.get_status_display().lower()
        raise InvoicingError(
            f"Invoice {invoice} is {state}; only issued invoices take credit notes."
        )


def _price_lines(
    note: CreditNote, invoice: Invoice, wanted: list[tuple[InvoiceLine, Decimal, Any]]
):
    """CreditNoteLine rows for (invoice line, units, return line) after what is issued."""
    before = credited_quantities(invoice, issued_only=True)
    rows = []
    for n, (line, quantity, return_line) in enumerate(wanted, start=1):
        share = credit_share(
            net=line.net,
            tax=line.tax,
            quantity=line.quantity,
            credited_before=before[line.pk],
            crediting=quantity,
            minor_units=invoice.currency.minor_units,
        )
        before[line.pk] += quantity
        rows.append(
            CreditNoteLine(
                credit_note=note,
                position=n,
                invoice_line=line,
                return_line=return_line,
                description=line.description,
                sku=line.sku,
                quantity=quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                tax_name=line.tax_name,
                tax_percent=line.tax_percent,
                net=share.net,
                tax=share.tax,
                total=share.total,
            )
        )
    return rows


def _set_totals(note: CreditNote, rows: list[CreditNoteLine]) -> None:
    note.net_total = sum((r.net for r in rows), ZERO)
    note.subtotal = note.net_total
    note.discount_total = ZERO
    note.tax_total = sum((r.tax for r in rows), ZERO)
    note.total = note.net_total + note.tax_total


@transaction.atomic
def credit_note_create(
    *,
    invoice: Invoice,
    reason: str,
    quantities: dict[int, Any] | None = None,
    return_lines: dict[int, Any] | None = None,
    return_doc: Return | None = None,
    series: Series | None = None,
    user=None,
) -> CreditNote:
    """A draft credit note on an issued invoice.

    `quantities` maps invoice-line ids to units (default: everything not yet credited);
    never more than invoiced minus already credited (drafts included: one draft per
    invoice at a time). `return_lines` maps invoice-line ids to the ReturnLine they come
    from (credit_note_create_from_return passes it).
    """
    user = acting(user)
    reason = (reason or "").strip()
    if not reason:
        raise InvoicingError({"reason": "Give a reason for the credit note."})
    invoice = lock_invoice(invoice)
    _require_creditable(invoice)
    if invoice.credit_notes.filter(status=CreditNoteStatus.DRAFT).exists():
        raise InvoicingError(
            f"Invoice {invoice} already has a draft credit note; issue or delete it first."
        )
    lines = {line.pk: line for line in invoice.lines.all()}
    credited = credited_quantities(invoice)
    left = {pk: line.quantity - credited[pk] for pk, line in lines.items()}
    if quantities is None:
        wanted = {pk: q for pk, q in left.items() if q > 0}
        if not wanted:
            raise InvoicingError(f"Invoice {invoice} is fully credited.")
    else:
        wanted, errors = {}, []
        for pk, value in quantities.items():
            line = lines.get(pk)
            if line is None:
                errors.append("A line does not belong to this invoice.")
                continue
            if value in (0, "0", None, ""):
                continue
            quantity = check_quantity(value)
            if quantity > left[pk]:
                errors.append(
                    f"{line.sku or line.description}: at most {left[pk].normalize():f} can be "
                    f"credited ({line.quantity.normalize():f} invoiced, "
                    f"{credited[pk].normalize():f} already credited)."
                )
                continue
            wanted[pk] = quantity
        if errors:
            raise InvoicingError(errors)
        if not wanted:
            raise InvoicingError("Enter the quantity of at least one line to credit.")
    note = CreditNote.objects.create(
        customer=invoice.customer,
        invoice=invoice,
        return_doc=return_doc,
        series=check_series(series, DocumentKind.CREDIT_NOTE),
        currency=invoice.currency,
        exchange_rate=invoice.exchange_rate,
        billing_name=invoice.billing_name,
        billing_address=invoice.billing_address,
        billing_tax_id=invoice.billing_tax_id,
        reason=reason,
        created_by=user,
    )
    order = sorted(wanted, key=lambda pk: (lines[pk].position, pk))
    rows = _price_lines(
        note, invoice, [(lines[pk], wanted[pk], (return_lines or {}).get(pk)) for pk in order]
    )
    CreditNoteLine.objects.bulk_create(rows)
    _set_totals(note, rows)
    note.save(update_fields=["subtotal", "discount_total", "net_total", "tax_total", "total"])
    audit_record(
        subject=note,
        event="credit_note.created",
        actor=user,
        changes={"invoice": invoice.number, "total": f"{note.total} {note.currency_id}"},
        message=reason,
    )
    return note


@transaction.atomic
def credit_note_create_from_return(
    *, return_doc: Return, reason: str = "", user=None
) -> list[CreditNote]:
    """Draft credit notes for a sales return: each returned unit is credited on the issued
    invoice lines of its order line (oldest first), one credit note per invoice. Units
    returned before they were invoiced need no credit note (they are no longer invoiced)."""
    return_doc = Return.objects.select_related("order").get(pk=return_doc.pk)
    reason = (reason or "").strip() or f"Return {return_doc.number}: {return_doc.reason}"
    per_invoice: dict[int, dict[int, Decimal]] = defaultdict(dict)
    sources: dict[int, dict[int, Any]] = defaultdict(dict)
    for rline in return_doc.lines.all():
        done = (
            CreditNoteLine.objects.filter(return_line=rline).aggregate(q=Sum("quantity"))["q"]
            or ZERO
        )
        todo = Decimal(rline.quantity) - done
        candidates = InvoiceLine.objects.filter(
            order_line_id=rline.order_line_id, invoice__status=InvoiceStatus.ISSUED
        ).order_by("invoice__issue_date", "invoice_id", "id")
        for line in candidates:
            if todo <= 0:
                break
            left = line.quantity - credited_quantities(line.invoice)[line.pk]
            take = min(left, todo)
            if take > 0:
                per_invoice[line.invoice_id][line.pk] = take
                sources[line.invoice_id][line.pk] = rline
                todo -= take
    if not per_invoice:
        raise InvoicingError(
            f"Nothing of return {return_doc.number} is invoiced and uncredited; "
            "no credit note is needed."
        )
    return [
        credit_note_create(
            invoice=Invoice.all_objects.get(pk=invoice_id),
            reason=reason,
            quantities=quantities,
            return_lines=sources[invoice_id],
            return_doc=return_doc,
            user=user,
        )
        for invoice_id, quantities in sorted(per_invoice.items())
    ]


@transaction.atomic
def credit_note_delete(*, credit_note: CreditNote, user=None) -> None:
    note = CreditNote.objects.select_for_update().get(pk=credit_note.pk)
    if note.status != CreditNoteStatus.DRAFT:
        raise InvoicingError(f"Credit note {note} is issued and can never be deleted.")
    audit_record(subject=note, event="credit_note.draft_deleted", actor=acting(user))
    note.delete()


def _post(note: CreditNote, user) -> None:
    lines = [Dr(chart.SALES_RETURNS, note.net_total)]
    if note.tax_total:
        lines.append(Dr(chart.TAX_PAYABLE, note.tax_total))
    lines.append(Cr(chart.AR, note.total))
    prepared = journal_prepare(
        date=note.issue_date,
        memo=f"Credit note {note.number} on {note.invoice.number} · {note.customer.name}",
        lines=lines,
        currency=note.currency,
        rate=note.exchange_rate,
        reference=note.number,
        source=note,
        posted_by=user,
    )
    rows = prepared.lines
    note.total_base = rows[-1].base_credit
    note.tax_base = rows[1].base_debit if note.tax_total else ZERO
    note.journal_entry = journal_write(prepared, audit=False)


@transaction.atomic
def credit_note_issue(
    *, credit_note: CreditNote, issue_date: dt.date | None = None, user=None
) -> CreditNote:
    """Number (own series), post the reverse, chain, and apply to the invoice's open
    balance; the rest is the customer's credit."""
    user = acting(user)
    note = (
        CreditNote.objects.select_for_update(of=("self",))
        .select_related("currency", "customer", "series")
        .get(pk=credit_note.pk)
    )
    if note.status != CreditNoteStatus.DRAFT:
        raise InvoicingError(f"Credit note {note.number} is already issued.", code="already_issued")
    invoice = lock_invoice(note.invoice)
    if invoice.status == InvoiceStatus.DRAFT:
        raise InvoicingError(f"Invoice {invoice} is a draft; it cannot be credited.")
    lines = list(note.lines.select_related("invoice_line"))
    if not lines:
        raise InvoicingError("A credit note needs at least one line.")
    # re-price against what is issued now (another note may have been issued meanwhile)
    issued = credited_quantities(invoice, issued_only=True)
    for line in lines:
        if issued[line.invoice_line_id] + line.quantity > line.invoice_line.quantity:
            raise InvoicingError(
                f"{line.sku or line.description}: only "
                f"{(line.invoice_line.quantity - issued[line.invoice_line_id]).normalize():f} "
                "is left to credit."
            )
    fresh = _price_lines(
        note, invoice, [(line.invoice_line, line.quantity, line.return_line) for line in lines]
    )
    for line, priced in zip(lines, fresh, strict=True):
        line.net, line.tax, line.total = priced.net, priced.tax, priced.total
    CreditNoteLine.objects.bulk_update(lines, ["net", "tax", "total"])
    _set_totals(note, lines)
    company = CompanySettings.load()
    note.issue_date = max(issue_date or company.today(), invoice.issue_date)
    note.exchange_rate = invoice.exchange_rate
    note.fiscal_year = company.fiscal_year(note.issue_date)
    note.sequence = sequence_next(name=note.series.counter_name(note.fiscal_year))
    note.number = note.series.format_number(note.fiscal_year, note.sequence)
    note.status = CreditNoteStatus.ISSUED
    note.issued_at = timezone.now()
    note.issued_by = user
    note.invoice = invoice
    _post(note, user)
    chain_link(note)
    note.save()
    applied = min(note.total, invoice_open_amount(invoice))
    if applied > 0:
        Allocation.objects.create(
            kind=AllocationKind.CREDIT_NOTE,
            invoice=invoice,
            credit_note=note,
            date=note.issue_date,
            amount=applied,
            amount_base=settle_base(invoice, applied),
            created_by=user,
        )
    audit_record(
        subject=note,
        event="credit_note.issued",
        actor=user,
        changes={
            "number": note.number,
            "invoice": invoice.number,
            "total": f"{note.total} {note.currency_id}",
            "applied": str(applied),
            "hash": note.content_hash,
        },
    )
    pdf_queue(note)
    return note

"""The receivable (AR sub-ledger) and derived payment status (DESIGN.md §4.7, §11).

Nothing here is stored: an invoice's open balance is its total minus its allocations, its
payment status follows from that and its due date in the company's time zone, and a
customer's receivable is opening balances + open invoices - unapplied credit (base
currency, the figures posted to Accounts Receivable).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.core.models import CompanySettings
from apps.finance import money
from apps.sales.models import OPEN_STATUSES, OrderLine

from .models import (
    Allocation,
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    OpeningBalance,
    Payment,
)
from .selectors_payments import (
    credit_by_customer,
    customer_credit,
    statement_moves,
    with_credit,
)

ZERO = Decimal("0")
AMOUNT = DecimalField(max_digits=18, decimal_places=2)


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", "Unpaid"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    OVERDUE = "overdue", "Overdue"


def _allocated(field: str = "invoice"):
    return Coalesce(
        Subquery(
            Allocation.objects.filter(**{field: OuterRef("pk")})
            .values(field)
            .annotate(t=Sum("amount"))
            .values("t")[:1],
            output_field=AMOUNT,
        ),
        Value(ZERO),
        output_field=AMOUNT,
    )


def with_balances(invoices):
    """Annotate `allocated` and `open_amount` (invoice currency) on an invoice queryset."""
    return invoices.annotate(allocated=_allocated()).annotate(
        open_amount=F("total") - F("allocated")
    )


def invoice_open_amount(invoice: Invoice) -> Decimal:
    if invoice.status == InvoiceStatus.DRAFT:
        return ZERO
    allocated = invoice.allocations.aggregate(t=Sum("amount"))["t"] or ZERO
    return money.quantize(invoice.total - allocated)


def payment_status(invoice: Invoice, *, today: dt.date | None = None) -> str | None:
    """Unpaid / partially paid / paid / overdue for an issued invoice (None otherwise)."""
    if invoice.status != InvoiceStatus.ISSUED:
        return None
    allocated = getattr(invoice, "allocated", None)
    if allocated is None:
        allocated = invoice.allocations.aggregate(t=Sum("amount"))["t"] or ZERO
    if invoice.total - allocated <= 0:
        return PaymentStatus.PAID
    today = today or CompanySettings.load().today()
    if invoice.due_date < today:
        return PaymentStatus.OVERDUE
    return PaymentStatus.PARTIALLY_PAID if allocated > 0 else PaymentStatus.UNPAID


def overdue(invoices, *, today: dt.date | None = None):
    """Issued invoices past their due date with something left to pay."""
    today = today or CompanySettings.load().today()
    return with_balances(invoices.filter(status=InvoiceStatus.ISSUED, due_date__lt=today)).filter(
        open_amount__gt=0
    )


# --- the customer receivable ------------------------------------------------------------


@dataclass(frozen=True)
class CustomerReceivable:
    """Base-currency figures of one customer (or, with customer=None, of everyone)."""

    opening: Decimal
    invoices_open: Decimal
    unapplied_credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.opening + self.invoices_open - self.unapplied_credit


def receivables_by_customer() -> dict[int, CustomerReceivable]:
    """Every customer's receivable in five aggregate queries (check_books, reports)."""
    opening = dict(
        OpeningBalance.objects.values("customer_id")
        .annotate(t=Sum("amount"))
        .values_list("customer_id", "t")
    )
    invoiced = dict(
        Invoice.all_objects.issued()
        .values("customer_id")
        .annotate(t=Sum("total_base"))
        .values_list("customer_id", "t")
    )
    settled = dict(
        Allocation.objects.values("invoice__customer_id")
        .annotate(t=Sum("amount_base"))
        .values_list("invoice__customer_id", "t")
    )
    credited = dict(
        CreditNote.objects.issued()
        .values("customer_id")
        .annotate(t=Sum("total_base"))
        .values_list("customer_id", "t")
    )
    used = dict(
        Allocation.objects.filter(credit_note__isnull=False)
        .values("credit_note__customer_id")
        .annotate(t=Sum("amount_base"))
        .values_list("credit_note__customer_id", "t")
    )
    paid = credit_by_customer()
    ids = set(opening) | set(invoiced) | set(credited) | set(paid)
    return {
        pk: CustomerReceivable(
            opening=money.quantize(opening.get(pk) or ZERO),
            invoices_open=money.quantize((invoiced.get(pk) or ZERO) - (settled.get(pk) or ZERO)),
            unapplied_credit=money.quantize(
                (credited.get(pk) or ZERO) - (used.get(pk) or ZERO) + (paid.get(pk) or ZERO)
            ),
        )
        for pk in ids
    }


def customer_receivable(customer) -> CustomerReceivable:
    pk = customer.pk
    opening = OpeningBalance.objects.filter(customer_id=pk).aggregate(t=Sum("amount"))["t"]
    invoiced = Invoice.all_objects.issued().filter(customer_id=pk).aggregate(t=Sum("total_base"))
    settled = Allocation.objects.filter(invoice__customer_id=pk).aggregate(t=Sum("amount_base"))
    credited = CreditNote.objects.issued().filter(customer_id=pk).aggregate(t=Sum("total_base"))
    used = Allocation.objects.filter(credit_note__customer_id=pk).aggregate(t=Sum("amount_base"))
    return CustomerReceivable(
        opening=money.quantize(opening or ZERO),
        invoices_open=money.quantize((invoiced["t"] or ZERO) - (settled["t"] or ZERO)),
        unapplied_credit=money.quantize(
            (credited["t"] or ZERO) - (used["t"] or ZERO) + customer_credit(customer)
        ),
    )


# --- what orders still have to invoice --------------------------------------------------


def invoiced_quantities(order_lines, *, issued_only: bool = False) -> dict[int, Decimal]:
    """Units of each order line still billed: on draft and issued invoices (issued only,
    with `issued_only`), less what credit notes for returns took back."""
    statuses = [InvoiceStatus.ISSUED]
    if not issued_only:
        statuses.append(InvoiceStatus.DRAFT)
    ids = [getattr(line, "pk", line) for line in order_lines]
    billed: dict[int, Decimal] = defaultdict(Decimal)
    rows = (
        InvoiceLine.objects.filter(order_line_id__in=ids, invoice__status__in=statuses)
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
    )
    for row in rows:
        billed[row["order_line_id"]] += row["q"]
    notes = CreditNoteLine.objects.filter(
        invoice_line__order_line_id__in=ids,
        return_line__isnull=False,
        invoice_line__invoice__status=InvoiceStatus.ISSUED,
    )
    if issued_only:
        notes = notes.filter(credit_note__status=CreditNoteStatus.ISSUED)
    for row in notes.values("invoice_line__order_line_id").annotate(q=Sum("quantity")):
        billed[row["invoice_line__order_line_id"]] -= row["q"]
    return billed


def invoiceable_quantities(
    order_lines, *, issued_only: bool = False, exclude_invoice: Invoice | None = None
) -> dict[int, Decimal]:
    """Order line id -> units that may still be invoiced: ordered - returned - billed."""
    lines = list(order_lines)
    billed = invoiced_quantities(lines, issued_only=issued_only)
    if exclude_invoice is not None:
        own = exclude_invoice.lines.filter(order_line__isnull=False)
        for row in own.values("order_line_id").annotate(q=Sum("quantity")):
            billed[row["order_line_id"]] -= row["q"]
    return {
        line.pk: max(Decimal(line.quantity - line.returned_quantity) - billed[line.pk], ZERO)
        for line in lines
    }


def uninvoiced_orders_value(customer) -> Decimal:
    """Confirmed/fulfilled orders' units not yet on an issued invoice, valued at their
    order line's total per unit and converted at the order's rate (base currency)."""
    lines = list(
        OrderLine.objects.filter(
            order__customer_id=customer.pk, order__status__in=OPEN_STATUSES
        ).select_related("order")
    )
    left = invoiceable_quantities(lines, issued_only=True)
    total = ZERO
    for line in lines:
        if left[line.pk]:
            value = line.total * left[line.pk] / line.quantity
            total += money.to_base(value, line.order.exchange_rate)
    return money.quantize(total)


@dataclass(frozen=True)
class CustomerSummary:
    receivable: CustomerReceivable
    uninvoiced_orders: Decimal
    credit_limit: Decimal | None

    @property
    def balance(self) -> Decimal:
        return self.receivable.balance

    @property
    def exposure(self) -> Decimal:
        """What the credit limit is checked against."""
        return self.receivable.balance + self.uninvoiced_orders

    @property
    def available_credit(self) -> Decimal | None:
        return None if self.credit_limit is None else self.credit_limit - self.exposure


def customer_summary(customer) -> CustomerSummary:
    return CustomerSummary(
        receivable=customer_receivable(customer),
        uninvoiced_orders=uninvoiced_orders_value(customer),
        credit_limit=customer.credit_limit,
    )


def customer_exposure(customer) -> Decimal:
    """Open receivable + uninvoiced confirmed orders (base currency): the credit check."""
    return customer_summary(customer).exposure


def invoice_breakdown(invoice: Invoice):
    """The per-rate tax breakdown of a stored invoice (same pure function as pricing)."""
    from .totals import tax_breakdown

    return tax_breakdown(
        [(line.tax_percent, line.tax_name, line.net, line.tax) for line in invoice.lines.all()]
    )


def customer_documents(customer, *, limit: int = 20) -> dict:
    """The customer page's receivable lists: latest invoices (with open amounts), credit
    notes and payments (with the credit they leave)."""
    invoices = with_balances(
        Invoice.objects.filter(customer_id=customer.pk).select_related("currency")
    )
    return {
        "invoices": list(invoices.order_by("-issue_date", "-id")[:limit]),
        "credit_notes": list(
            CreditNote.objects.filter(customer_id=customer.pk)
            .select_related("invoice")
            .order_by("-issue_date", "-id")[:limit]
        ),
        "payments": list(
            with_credit(Payment.objects.filter(customer_id=customer.pk)).order_by("-date", "-id")[
                :limit
            ]
        ),
    }


@dataclass(frozen=True)
class StatementRow:
    date: dt.date
    kind: str  # "invoice", "credit_note", "opening"; "payment", "reversal", "refund", "fx"
    number: str
    document: object | None
    amount: Decimal  # in the statement's currency; credit notes negative
    balance: Decimal


@dataclass(frozen=True)
class Statement:
    start: dt.date
    end: dt.date
    currency: str
    opening: Decimal
    rows: tuple[StatementRow, ...]

    @property
    def closing(self) -> Decimal:
        return self.rows[-1].balance if self.rows else self.opening


def statement_currencies(customer) -> list[str]:
    """The currencies a statement can be shown in: the customer's own, every currency of its
    issued documents and payments, and the base currency (what the books hold)."""
    codes = {CompanySettings.load().base_currency, customer.currency_id}
    for qs in (
        Invoice.all_objects.issued().filter(customer_id=customer.pk),
        CreditNote.objects.issued().filter(customer_id=customer.pk),
        Payment.objects.filter(customer_id=customer.pk),
    ):
        codes.update(qs.values_list("currency_id", flat=True).distinct())
    return sorted(codes)


def customer_statement(
    customer, *, start: dt.date, end: dt.date, currency: str | None = None
) -> Statement:
    """Opening balance at `start`, every issued document, opening entry, payment, refund,
    reversal and exchange difference dated in the period with the running balance, and the
    closing balance.

    In base currency (the default) these are the figures posted to Accounts Receivable, so
    the statement ends where the receivable stands. In a document currency (`currency`)
    it lists that currency's documents, payments and refunds at their own amounts (what
    the customer's invoices say): no exchange differences, and opening balances (entered
    in base currency) belong to the base statement only."""
    base = CompanySettings.load().base_currency
    in_base = currency in (None, "", base)
    invoices = Invoice.all_objects.issued().filter(customer_id=customer.pk)
    notes = CreditNote.objects.issued().filter(customer_id=customer.pk)
    openings = OpeningBalance.objects.filter(customer_id=customer.pk)
    total = "total_base"
    if not in_base:
        invoices = invoices.filter(currency_id=currency)
        notes = notes.filter(currency_id=currency)
        openings = openings.none()
        total = "total"

    def before(qs, field, amount):
        return qs.filter(**{f"{field}__lt": start}).aggregate(t=Sum(amount))["t"] or ZERO

    moves = statement_moves(customer, end=end, currency=None if in_base else currency)
    opening = (
        before(invoices, "issue_date", total)
        - before(notes, "issue_date", total)
        + before(openings, "date", "amount")
        + sum((m.amount for m in moves if m.date < start), ZERO)
    )
    entries = [
        (i.issue_date, 0, i.chain_position or 0, "invoice", i.number, i, getattr(i, total))
        for i in invoices.filter(issue_date__gte=start, issue_date__lte=end)
    ]
    entries += [
        (n.issue_date, 0, n.chain_position or 0, "credit_note", n.number, n, -getattr(n, total))
        for n in notes.filter(issue_date__gte=start, issue_date__lte=end)
    ]
    entries += [
        (o.date, -1, o.pk, "opening", "Opening balance", None, o.amount)
        for o in openings.filter(date__gte=start, date__lte=end)
    ]
    entries += [
        (m.date, 1, m.order, m.kind, m.number, m.document, m.amount)
        for m in moves
        if m.date >= start
    ]
    balance = money.quantize(opening)
    rows = []
    for date, _, _, kind, number, document, amount in sorted(entries, key=lambda e: e[:3]):
        balance = money.quantize(balance + amount)
        rows.append(StatementRow(date, kind, number, document, money.quantize(amount), balance))
    return Statement(
        start=start,
        end=end,
        currency=base if in_base else currency,
        opening=money.quantize(opening),
        rows=tuple(rows),
    )


def dashboard_figures() -> list[tuple[str, str]]:
    """Invoices card: open (count and base amount), overdue, issued this month."""
    from django.db.models import Count

    company = CompanySettings.load()
    today = company.today()
    issued = with_balances(Invoice.objects.filter(status=InvoiceStatus.ISSUED))
    open_ = issued.filter(open_amount__gt=0).aggregate(n=Count("id"), t=Sum("total_base"))
    late = issued.filter(open_amount__gt=0, due_date__lt=today).aggregate(
        n=Count("id"), t=Sum("total_base")
    )
    month = (
        Invoice.objects.issued()
        .filter(issue_date__gte=today.replace(day=1), issue_date__lte=today)
        .aggregate(n=Count("id"), t=Sum("total_base"))
    )
    base = company.base_currency

    def fmt(row) -> str:
        return f"{row['n']} · {money.format_money(money.quantize(row['t'] or ZERO), base)}"

    return [("Open", fmt(open_)), ("Overdue", fmt(late)), ("Issued this month", fmt(month))]


__all__ = [
    "customer_statement",
    "statement_currencies",
    "customer_documents",
    "dashboard_figures",
    "PaymentStatus",
    "customer_exposure",
    "customer_receivable",
    "customer_summary",
    "invoice_breakdown",
    "invoice_open_amount",
    "invoiceable_quantities",
    "overdue",
    "payment_status",
    "receivables_by_customer",
    "with_balances",
]

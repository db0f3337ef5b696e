"""Payments: money in, allocated to invoices, the rest kept as customer credit
(DESIGN.md §4.6, §11).

- `payment_record` posts Dr Bank (or Cash) / Cr AR in the payment's currency and
  allocates it to open invoices of the customer (invoices locked in pk order; never more
  than the payment nor an invoice's open balance). What is not allocated is the
  customer's credit from that payment.
- `credit_apply` allocates credit left on a payment to another open invoice later;
  `credit_refund` pays it back (Dr AR / Cr Bank).
- `payment_reverse` undoes a payment: its allocations go (the invoices reopen) and every
  entry it posted is reversed.

Allocations are given in the payment's currency. An invoice in another currency is settled
at the cross rate on the payment's date (the invoice currency's rate on that date against
the payment's rate snapshot); settling an invoice's whole open amount closes it exactly.
Base figures: an allocation settles `amount_base` of the invoice at the invoice's rate (the
last one takes what is left, so a paid invoice is zero in base currency too) and uses
`source_amount_base` of the payment at the payment's rate; the difference goes to FX
Gain/Loss in its own base-currency entry.

Lock order everywhere: the payment row, then invoices by primary key, then counters and
ledger accounts (journal_post's own order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from apps.core.audit import audit_record
from apps.core.models import CompanySettings
from apps.core.sequences import sequence_next
from apps.customers.models import Customer
from apps.finance import money
from apps.finance.models import Currency
from apps.finance.selectors import MissingExchangeRate, base_currency_code, rate_on
from apps.ledger import chart
from apps.ledger.models import JournalEntry
from apps.ledger.services import Cr, Dr, journal_post, journal_reverse

from ..models import (
    Allocation,
    AllocationKind,
    CreditRefund,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentState,
)
from ..selectors_payments import payment_use
from .common import ZERO, InvoicingError, acting, check_amount

AllocationsInput = Mapping[Invoice | int, object] | Iterable[tuple[Invoice | int, object]] | None


def _bank_account(method: str) -> str:
    return chart.CASH if method == PaymentMethod.CASH else chart.BANK


def _check_method(method: str, field: str = "method") -> str:
    if method not in PaymentMethod.values:
        raise InvoicingError({field: "Choose bank transfer, cash, card or cheque."})
    return method


def _currency(currency: Currency | str | None) -> Currency:
    code = currency.pk if isinstance(currency, Currency) else (currency or base_currency_code())
    found = Currency.all_objects.filter(pk=code).first()
    if found is None or found.deleted_at is not None:
        raise InvoicingError({"currency": f"Unknown currency {code}."})
    return found


def _rate(currency: Currency, date: dt.date, rate, field: str = "exchange_rate") -> Decimal:
    """The rate snapshot: given, or the rate on `date`; the base currency is always 1."""
    if currency.pk == base_currency_code():
        return Decimal("1")
    if rate in (None, ""):
        try:
            return rate_on(currency, date)
        except MissingExchangeRate as exc:
            raise InvoicingError({field: str(exc)}) from exc
    try:
        value = money.to_decimal(rate)
    except money.MoneyError as exc:
        raise InvoicingError({field: "Enter a rate, e.g. 0.92."}) from exc
    if value <= 0 or value != value.quantize(Decimal("0.00000001")) or value > 10**9:
        raise InvoicingError({field: "Enter a positive rate with at most 8 decimal places."})
    return value


def _positive(value, field: str, minor_units: int) -> Decimal:
    amount = check_amount(value, field, minor_units=minor_units)
    if amount <= 0:
        raise InvoicingError({field: "Enter an amount greater than zero."})
    return amount


def _normalise(allocations: AllocationsInput) -> list[tuple[int, object]]:
    if not allocations:
        return []
    items = allocations.items() if isinstance(allocations, Mapping) else allocations
    merged: dict[int, object] = {}
    for invoice, value in items:
        pk = invoice.pk if isinstance(invoice, Invoice) else int(invoice)
        if value in (None, "", 0, "0"):
            continue
        if pk in merged:
            raise InvoicingError({"allocations": "Each invoice may appear only once."})
        merged[pk] = value
    return sorted(merged.items())


def _lock_invoices(pks: list[int]) -> dict[int, Invoice]:
    rows = (
        Invoice.all_objects.select_for_update(of=("self",))
        .select_related("currency")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    return {invoice.pk: invoice for invoice in rows}


def _invoice_settled(invoice: Invoice) -> tuple[Decimal, Decimal]:
    row = invoice.allocations.aggregate(a=Sum("amount"), b=Sum("amount_base"))
    return row["a"] or ZERO, row["b"] or ZERO


class _Allocator:
    """Builds the allocation rows of one payment, checking each against the invoice's
    open balance (under its lock) and against what is left of the payment."""

    def __init__(self, payment: Payment, *, date: dt.date, left: Decimal, left_base: Decimal):
        self.payment = payment
        self.date = date
        self.left = left  # payment currency not yet allocated nor refunded
        self.left_base = left_base
        self.rows: list[Allocation] = []

    def _cross_rate(self, invoice: Invoice, field: str) -> Decimal:
        if invoice.currency_id == self.payment.currency_id:
            return self.payment.exchange_rate
        try:
            return rate_on(invoice.currency, self.date)
        except MissingExchangeRate as exc:
            raise InvoicingError({field: str(exc)}) from exc

    def add(self, invoice: Invoice, value, *, field: str, user) -> Allocation:
        payment = self.payment
        label = invoice.number or f"draft {invoice.pk}"
        if invoice.customer_id != payment.customer_id:
            raise InvoicingError({field: f"Invoice {label} belongs to another customer."})
        if invoice.status != InvoiceStatus.ISSUED:
            state = invoice.get_status_display().lower()
            raise InvoicingError({field: f"Invoice {label} is {state}; it takes no payment."})
        amount = _positive(value, field, payment.currency.minor_units)
        settled, settled_base = _invoice_settled(invoice)
        open_amount = money.quantize(invoice.total - settled, invoice.currency.minor_units)
        if open_amount <= 0:
            raise InvoicingError({field: f"Invoice {label} is already paid."})
        same = invoice.currency_id == payment.currency_id
        rate = self._cross_rate(invoice, field)
        units = invoice.currency.minor_units
        if same:
            open_here, settles = open_amount, amount
        else:
            open_here = money.convert(
                open_amount,
                from_rate=rate,
                to_rate=payment.exchange_rate,
                minor_units=payment.currency.minor_units,
            )
            settles = money.convert(
                amount, from_rate=payment.exchange_rate, to_rate=rate, minor_units=units
            )
            if amount == open_here:
                settles = open_amount
            settles = min(settles, open_amount)
        if amount > open_here:
            raise InvoicingError(
                {
                    field: f"Invoice {label} has only {open_here} {payment.currency_id} open; "
                    f"allocate at most that."
                }
            )
        if amount > self.left:
            raise InvoicingError(
                {
                    field: f"Only {self.left} {payment.currency_id} of payment "
                    f"{payment.number} is left to allocate."
                }
            )
        if settles <= 0:
            raise InvoicingError({field: "The amount is too small to settle anything."})
        closes = settles == open_amount
        amount_base = (
            money.quantize(invoice.total_base - settled_base)
            if closes
            else money.to_base(settles, invoice.exchange_rate)
        )
        self.left -= amount
        source_base = (
            self.left_base if self.left == 0 else money.to_base(amount, payment.exchange_rate)
        )
        self.left_base -= source_base
        row = Allocation.objects.create(
            kind=AllocationKind.PAYMENT,
            invoice=invoice,
            payment=payment,
            date=self.date,
            amount=settles,
            amount_base=amount_base,
            source_amount=amount,
            source_amount_base=source_base,
            created_by=user,
        )
        self.rows.append(row)
        return row

    @property
    def fx_difference(self) -> Decimal:
        """Base value used from the payment minus base value of receivable settled."""
        return money.quantize(sum((r.source_amount_base - r.amount_base for r in self.rows), ZERO))


def _post_fx(*, payment: Payment, difference: Decimal, date: dt.date, memo: str, user):
    """Move `difference` (base) between AR and FX Gain/Loss: positive is a gain."""
    if not difference:
        return None
    if difference > 0:
        lines = [Dr(chart.AR, difference), Cr(chart.FX_GAIN_LOSS, difference)]
    else:
        lines = [Dr(chart.FX_GAIN_LOSS, -difference), Cr(chart.AR, -difference)]
    return journal_post(
        date=date,
        memo=memo,
        lines=lines,
        currency=base_currency_code(),
        rate=Decimal("1"),
        reference=payment.number,
        source=payment,
        posted_by=user,
        audit=False,
    )


def _describe(rows: list[Allocation]) -> list[list[str]]:
    return [[r.invoice.number, str(r.source_amount), str(r.amount)] for r in rows]


@transaction.atomic
def payment_record(
    *,
    customer: Customer,
    amount,
    date: dt.date | None = None,
    method: str = PaymentMethod.BANK_TRANSFER,
    currency: Currency | str | None = None,
    exchange_rate=None,
    reference: str = "",
    notes: str = "",
    allocations: AllocationsInput = None,
    idempotency_key: str = "",
    user=None,
) -> Payment:
    """Record money received from `customer` and allocate it.

    `allocations` maps invoices (or their pks) to amounts in the payment's currency; what
    is left is the customer's credit. `currency` defaults to the base currency and
    `exchange_rate` to the rate on `date`. With `idempotency_key`, a second call with the
    same key returns the first payment and changes nothing.
    """
    user = acting(user)
    key = (idempotency_key or "").strip()
    if len(key) > 64:
        raise InvoicingError({"idempotency_key": "At most 64 characters."})
    if key:
        first = Payment.objects.filter(idempotency_key=key).first()
        if first is not None:
            return _replay(first, customer=customer)
    if not isinstance(customer, Customer) or customer.is_deleted:
        raise InvoicingError({"customer": "Choose an existing customer."})
    company = CompanySettings.load()
    date = date or company.today()
    if not isinstance(date, dt.date):
        raise InvoicingError({"date": "Enter a date."})
    method = _check_method(method)
    currency = _currency(currency)
    rate = _rate(currency, date, exchange_rate)
    amount = _positive(amount, "amount", currency.minor_units)
    wanted = _normalise(allocations)
    invoices = _lock_invoices([pk for pk, _ in wanted])
    for pk, _ in wanted:
        if pk not in invoices:
            raise InvoicingError({"allocations": f"Invoice {pk} does not exist."})

    payment = Payment(
        customer=customer,
        date=date,
        method=method,
        amount=amount,
        currency=currency,
        exchange_rate=rate,
        amount_base=money.to_base(amount, rate),
        unapplied=amount,
        reference=(reference or "").strip()[:140],
        notes=(notes or "").strip(),
        idempotency_key=key,
        created_by=user,
    )
    allocator = _Allocator(payment, date=date, left=amount, left_base=payment.amount_base)
    payment.number = _next_number(date, company)
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        first = Payment.objects.filter(idempotency_key=key).first() if key else None
        if first is None:
            raise
        return _replay(first, customer=customer)
    for pk, value in wanted:
        allocator.add(invoices[pk], value, field="allocations", user=user)
    bank = _bank_account(method)
    payment.journal_entry = journal_post(
        date=date,
        memo=f"Payment {payment.number} · {customer.name}",
        lines=[Dr(bank, amount), Cr(chart.AR, amount)],
        currency=currency,
        rate=rate,
        reference=payment.reference or payment.number,
        source=payment,
        posted_by=user,
        audit=False,
    )
    payment.unapplied = allocator.left
    payment.save(update_fields=["journal_entry", "unapplied"])
    _post_fx(
        payment=payment,
        difference=allocator.fx_difference,
        date=date,
        memo=f"Exchange difference on payment {payment.number}",
        user=user,
    )
    audit_record(
        subject=payment,
        event="payment.recorded",
        actor=user,
        changes={
            "amount": f"{amount} {currency.pk}",
            "rate": str(rate),
            "method": method,
            "allocations": _describe(allocator.rows),
            "credit": str(allocator.left),
            "fx": str(allocator.fx_difference),
        },
    )
    for row in allocator.rows:
        audit_record(
            subject=row.invoice,
            event="invoice.payment_allocated",
            actor=user,
            changes={"payment": payment.number, "amount": str(row.amount)},
        )
    return payment


def _replay(first: Payment, *, customer: Customer) -> Payment:
    if first.customer_id != getattr(customer, "pk", None):
        raise InvoicingError(
            {"idempotency_key": "This key was already used for another customer's payment."}
        )
    first.replayed = True
    return first


def _next_number(date: dt.date, company: CompanySettings) -> str:
    year = company.fiscal_year(date)
    return f"PAY-{year}-{sequence_next(name=f'PAY-{year}'):05d}"


def _lock_payment(payment: Payment) -> Payment:
    return (
        Payment.objects.select_for_update(of=("self",))
        .select_related("currency", "customer")
        .get(pk=payment.pk)
    )


def _unapplied_set(payment: Payment, left: Decimal) -> None:
    """Store the credit left on the (locked) payment after an allocation or a refund."""
    payment.unapplied = left
    Payment.objects.filter(pk=payment.pk).update(unapplied=left)


def _require_posted(payment: Payment) -> None:
    if payment.status != PaymentState.POSTED:
        raise InvoicingError(f"Payment {payment.number} is reversed; it has no credit to use.")


@transaction.atomic
def credit_apply(
    *, payment: Payment, invoice: Invoice, amount, date: dt.date | None = None, user=None
) -> Allocation:
    """Apply `amount` (payment currency) of the credit left on `payment` to `invoice`."""
    user = acting(user)
    payment = _lock_payment(payment)
    _require_posted(payment)
    locked = _lock_invoices([invoice.pk])
    if invoice.pk not in locked:
        raise InvoicingError({"invoice": "Choose an existing invoice."})
    invoice = locked[invoice.pk]
    date = date or CompanySettings.load().today()
    date = max(date, payment.date)
    use = payment_use(payment)
    if use.credit_left <= 0:
        raise InvoicingError({"amount": f"Payment {payment.number} has no credit left."})
    allocator = _Allocator(payment, date=date, left=use.credit_left, left_base=use.credit_left_base)
    row = allocator.add(invoice, amount, field="amount", user=user)
    _unapplied_set(payment, allocator.left)
    entry = _post_fx(
        payment=payment,
        difference=allocator.fx_difference,
        date=date,
        memo=f"Exchange difference: credit of {payment.number} to {invoice.number}",
        user=user,
    )
    if entry is not None:
        row.journal_entry = entry
        row.save(update_fields=["journal_entry"])
    audit_record(
        subject=payment,
        event="payment.credit_applied",
        actor=user,
        changes={"invoice": invoice.number, "amount": str(row.source_amount)},
    )
    audit_record(
        subject=invoice,
        event="invoice.payment_allocated",
        actor=user,
        changes={"payment": payment.number, "amount": str(row.amount), "credit": True},
    )
    return row


@transaction.atomic
def credit_refund(
    *,
    payment: Payment,
    amount,
    date: dt.date | None = None,
    method: str = PaymentMethod.BANK_TRANSFER,
    exchange_rate=None,
    reference: str = "",
    user=None,
) -> CreditRefund:
    """Pay back `amount` (payment currency) of the credit left on `payment`: Dr AR /
    Cr Bank (or Cash) at the rate on the refund date; the credit is used up at the
    payment's rate and the difference goes to FX Gain/Loss."""
    user = acting(user)
    payment = _lock_payment(payment)
    _require_posted(payment)
    method = _check_method(method)
    date = max(date or CompanySettings.load().today(), payment.date)
    amount = _positive(amount, "amount", payment.currency.minor_units)
    use = payment_use(payment)
    if amount > use.credit_left:
        raise InvoicingError(
            {
                "amount": f"Only {use.credit_left} {payment.currency_id} of credit is left "
                f"on payment {payment.number}."
            }
        )
    rate = _rate(payment.currency, date, exchange_rate)
    used_base = (
        use.credit_left_base
        if amount == use.credit_left
        else money.to_base(amount, payment.exchange_rate)
    )
    refund = CreditRefund(
        payment=payment,
        date=date,
        method=method,
        amount=amount,
        amount_base=used_base,
        exchange_rate=rate,
        reference=(reference or "").strip()[:140],
        created_by=user,
    )
    refund.journal_entry = journal_post(
        date=date,
        memo=f"Refund of credit from {payment.number} · {payment.customer.name}",
        lines=[Dr(chart.AR, amount), Cr(_bank_account(method), amount)],
        currency=payment.currency,
        rate=rate,
        reference=refund.reference or payment.number,
        source=payment,
        posted_by=user,
        audit=False,
    )
    refund.save()
    _unapplied_set(payment, use.credit_left - amount)
    # The AR line above is at the refund's rate; the credit used is at the payment's.
    _post_fx(
        payment=payment,
        difference=money.quantize(used_base - money.to_base(amount, rate)),
        date=date,
        memo=f"Exchange difference on refund from {payment.number}",
        user=user,
    )
    audit_record(
        subject=payment,
        event="payment.credit_refunded",
        actor=user,
        changes={"amount": f"{amount} {payment.currency_id}", "rate": str(rate)},
    )
    return refund


@transaction.atomic
def payment_reverse(
    *, payment: Payment, reason: str, date: dt.date | None = None, user=None
) -> Payment:
    """Undo a payment (a wrong customer, a bounced cheque): its allocations are removed,
    so the invoices reopen, and every entry it posted is reversed. A payment whose credit
    was refunded cannot be reversed."""
    user = acting(user)
    reason = (reason or "").strip()
    if not reason:
        raise InvoicingError({"reason": "Say why the payment is reversed."})
    payment = _lock_payment(payment)
    if payment.status == PaymentState.REVERSED:
        raise InvoicingError(f"Payment {payment.number} is already reversed.", code="reversed")
    if payment.refunds.exists():
        raise InvoicingError(
            f"Credit from payment {payment.number} was refunded; it cannot be reversed."
        )
    allocations = list(payment.allocations.select_related("invoice").order_by("invoice_id", "pk"))
    _lock_invoices(sorted({a.invoice_id for a in allocations}))
    date = max(date or CompanySettings.load().today(), payment.date)
    entries = JournalEntry.objects.filter(
        source_type=ContentType.objects.get_for_model(Payment),
        source_id=str(payment.pk),
        reverses__isnull=True,
    ).order_by("pk")
    for entry in entries:
        journal_reverse(
            entry=entry,
            date=date,
            memo=f"Reversal of {entry.memo}"[:255],
            posted_by=user,
            audit=False,
        )
    snapshot = _describe(allocations)
    Allocation.objects.filter(pk__in=[a.pk for a in allocations]).delete()
    payment.status = PaymentState.REVERSED
    payment.unapplied = payment.amount  # its allocations are gone and it refunded nothing
    payment.reversal_reason = reason
    payment.reversal_date = date
    payment.reversed_at = timezone.now()
    payment.reversed_by = user if getattr(user, "is_authenticated", False) else None
    payment.save(
        update_fields=[
            "status",
            "unapplied",
            "reversal_reason",
            "reversal_date",
            "reversed_at",
            "reversed_by",
        ]
    )
    audit_record(
        subject=payment,
        event="payment.reversed",
        actor=user,
        changes={"allocations": snapshot},
        message=reason,
    )
    for allocation in allocations:
        audit_record(
            subject=allocation.invoice,
            event="invoice.payment_reversed",
            actor=user,
            changes={"payment": payment.number, "amount": str(allocation.amount)},
            message=reason,
        )
    return payment


__all__ = ["credit_apply", "credit_refund", "payment_record", "payment_reverse"]

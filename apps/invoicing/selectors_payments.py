"""Reads about payments and the customer credit they leave (DESIGN.md §4.6, §11).

A payment's credit left is never stored: it is the payment minus what it allocated and
what was refunded from it, in its currency and in base currency (its rate snapshot).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.finance import money

from .models import Allocation, CreditRefund, Invoice, InvoiceStatus, Payment, PaymentState

ZERO = Decimal("0")
AMOUNT = DecimalField(max_digits=18, decimal_places=2)


def _sum(model, field: str):
    return Coalesce(
        Subquery(
            model.objects.filter(payment=OuterRef("pk"))
            .values("payment")
            .annotate(t=Sum(field))
            .values("t")[:1],
            output_field=AMOUNT,
        ),
        Value(ZERO),
        output_field=AMOUNT,
    )


def with_credit(payments):
    """Annotate `allocated`, `refunded` and `credit_left` (payment currency) and their
    base-currency twins on a payment queryset; a reversed payment leaves no credit."""
    return payments.annotate(
        allocated=_sum(Allocation, "source_amount"),
        allocated_base=_sum(Allocation, "source_amount_base"),
        refunded=_sum(CreditRefund, "amount"),
        refunded_base=_sum(CreditRefund, "amount_base"),
    ).annotate(
        credit_left=F("amount") - F("allocated") - F("refunded"),
        credit_left_base=F("amount_base") - F("allocated_base") - F("refunded_base"),
    )


@dataclass(frozen=True)
class PaymentUse:
    allocated: Decimal
    allocated_base: Decimal
    refunded: Decimal
    refunded_base: Decimal
    amount: Decimal
    amount_base: Decimal

    @property
    def credit_left(self) -> Decimal:
        return money.quantize(self.amount - self.allocated - self.refunded)

    @property
    def credit_left_base(self) -> Decimal:
        return money.quantize(self.amount_base - self.allocated_base - self.refunded_base)


def payment_use(payment: Payment) -> PaymentUse:
    """What one payment has allocated and refunded (two queries; under the payment's lock
    in the services)."""
    alloc = Allocation.objects.filter(payment_id=payment.pk).aggregate(
        a=Sum("source_amount"), b=Sum("source_amount_base")
    )
    refund = CreditRefund.objects.filter(payment_id=payment.pk).aggregate(
        a=Sum("amount"), b=Sum("amount_base")
    )
    return PaymentUse(
        allocated=alloc["a"] or ZERO,
        allocated_base=alloc["b"] or ZERO,
        refunded=refund["a"] or ZERO,
        refunded_base=refund["b"] or ZERO,
        amount=payment.amount,
        amount_base=payment.amount_base,
    )


def credit_by_customer() -> dict[int, Decimal]:
    """Unapplied payment credit per customer, base currency (receivable, check_books)."""
    rows = (
        with_credit(Payment.objects.filter(status=PaymentState.POSTED))
        .values("customer_id")
        .annotate(t=Sum("credit_left_base"))
        .values_list("customer_id", "t")
    )
    return {pk: money.quantize(t or ZERO) for pk, t in rows}


def customer_credit(customer) -> Decimal:
    """One customer's unapplied payment credit, base currency."""
    return credit_by_customer_filter(Q(customer_id=customer.pk)).get(customer.pk, ZERO)


def credit_by_customer_filter(condition: Q) -> dict[int, Decimal]:
    rows = (
        with_credit(Payment.objects.filter(condition, status=PaymentState.POSTED))
        .values("customer_id")
        .annotate(t=Sum("credit_left_base"))
        .values_list("customer_id", "t")
    )
    return {pk: money.quantize(t or ZERO) for pk, t in rows}


def payments_with_credit(customer):
    """The customer's posted payments that still have credit to apply or refund."""
    return (
        with_credit(Payment.objects.filter(customer_id=customer.pk, status=PaymentState.POSTED))
        .filter(credit_left__gt=0)
        .select_related("currency")
        .order_by("date", "id")
    )


def open_invoices(customer):
    """Issued invoices of the customer with something left to pay, oldest due first: the
    order in which a payment is suggested to settle them."""
    from .selectors import with_balances

    return (
        with_balances(Invoice.objects.filter(customer_id=customer.pk, status=InvoiceStatus.ISSUED))
        .filter(open_amount__gt=0)
        .select_related("currency")
        .order_by("due_date", "issue_date", "id")
    )


def suggest_allocations(invoices, amount: Decimal) -> dict[int, Decimal]:
    """Invoice pk -> amount: `amount` spread over `invoices` in the order given (oldest
    due first), each up to its open amount. Same currency only; others get nothing."""
    left = money.quantize(amount or ZERO)
    plan: dict[int, Decimal] = {}
    for invoice in invoices:
        take = min(left, invoice.open_amount) if left > 0 else ZERO
        plan[invoice.pk] = money.quantize(take)
        left -= take
    return plan


@dataclass(frozen=True)
class StatementMove:
    """A payment-side row of a customer statement (base currency, AR sign)."""

    date: dt.date
    kind: str  # "payment", "reversal", "refund", "fx"
    number: str
    document: object | None
    amount: Decimal
    # Among one day's moves: by payment (in the order recorded), then the payment, its
    # exchange differences, refunds, reversal (keys of different tables do not compare).
    order: tuple


_PAYMENT, _FX, _REFUND, _REVERSAL = range(4)


def statement_moves(customer, *, end: dt.date, currency: str | None = None) -> list[StatementMove]:
    """Every payment-side change of the customer's receivable up to `end`: in base currency
    (with the exchange differences), or, given a `currency`, only that currency's payments
    and refunds at their own amounts (a payment settles invoices of its own currency only,
    so a currency's documents and payments balance among themselves)."""
    moves: list[StatementMove] = []
    payments = Payment.objects.filter(customer_id=customer.pk, date__lte=end)
    refunds = CreditRefund.objects.filter(payment__customer_id=customer.pk, date__lte=end)
    if currency is not None:
        payments = payments.filter(currency_id=currency)
        refunds = refunds.filter(payment__currency_id=currency)
    amount = "amount_base" if currency is None else "amount"
    for p in payments:
        moves.append(
            StatementMove(p.date, "payment", p.number, p, -getattr(p, amount), (p.pk, _PAYMENT))
        )
        if p.reversal_date and p.reversal_date <= end:
            moves.append(
                StatementMove(
                    p.reversal_date,
                    "reversal",
                    f"{p.number} reversed",
                    p,
                    getattr(p, amount),
                    (p.pk, _REVERSAL),
                )
            )
    for r in refunds.select_related("payment"):
        moves.append(
            StatementMove(
                r.date,
                "refund",
                f"Refund of {r.payment}",
                r,
                getattr(r, amount),
                (r.payment_id, _REFUND, r.pk),
            )
        )
    if currency is not None:
        return moves
    allocations = Allocation.objects.filter(
        payment__customer_id=customer.pk, date__lte=end
    ).select_related("payment", "invoice")
    for a in allocations:
        diff = money.quantize(a.source_amount_base - a.amount_base)
        if diff:
            moves.append(
                StatementMove(
                    a.date,
                    "fx",
                    f"Exchange difference {a.invoice}",
                    a,
                    diff,
                    (a.payment_id, _FX, a.pk),
                )
            )
    return moves


__all__ = [
    "PaymentUse",
    "StatementMove",
    "credit_by_customer",
    "customer_credit",
    "open_invoices",
    "payment_use",
    "payments_with_credit",
    "statement_moves",
    "suggest_allocations",
    "with_credit",
]

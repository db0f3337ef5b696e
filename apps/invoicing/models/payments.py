"""Payments from customers and what becomes of them (DESIGN.md §4.6, §11).

A Payment is money received (Dr Bank or Cash / Cr AR). Its `Allocation` rows (kind
PAYMENT) say which invoices it settles; what it has not allocated nor refunded is the
customer's credit from it, applied later (`credit_apply`, another allocation) or paid
back (`CreditRefund`, Cr Bank). So, per payment and in its currency:

    amount == sum(allocations.source_amount) + sum(refunds.amount) + credit left

and the same in base currency with the `*_base` fields (the payment's rate snapshot).
An allocation also carries the invoice side (`amount`, `amount_base` at the invoice's rate);
the difference between both base figures is posted to FX Gain/Loss.

A payment is never edited or deleted: it is reversed (with a reason), which removes its
allocations (the invoices reopen) and posts the mirror of its journal entries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.customers.models import Customer
from apps.finance.fields import money_field
from apps.finance.models import Currency
from apps.ledger.models import JournalEntry

from .documents import rate_field


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    CHEQUE = "cheque", "Cheque"


class PaymentState(models.TextChoices):
    POSTED = "posted", "Posted"
    REVERSED = "reversed", "Reversed"


class Payment(models.Model):
    number = models.CharField(max_length=30, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    date = models.DateField()
    method = models.CharField(
        max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    amount = money_field(help_text="Received, in the payment's currency.")
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    exchange_rate = rate_field()
    amount_base = money_field(help_text="The amount in base currency at the rate snapshot.")
    # amount - allocations' source amounts - refunds, kept by the payment services (and
    # checked by check_books) so the list finds the payments with credit left by an index.
    unapplied = money_field(
        default=0, editable=False, help_text="Credit left, in the payment's currency."
    )
    reference = models.CharField(
        max_length=140, blank=True, help_text="Bank reference, cheque number, card slip…"
    )
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=PaymentState.choices, default=PaymentState.POSTED
    )
    reversal_reason = models.TextField(blank=True)
    reversal_date = models.DateField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set right after the row exists (the entry's source is the payment); never null after.
    journal_entry = models.ForeignKey(
        JournalEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Dr Bank / Cr AR",
    )
    idempotency_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="Set by callers that may resend (forms, bank import): one payment per key.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["customer", "-date"], name="payment_customer_idx"),
            models.Index(fields=["-date", "-id"], name="payment_date_idx"),
            # "With credit left": the few posted payments that still have some.
            models.Index(
                fields=["-date", "-id"],
                name="payment_credit_left_idx",
                condition=Q(status="posted", unapplied__gt=0),
            ),
            # The list's other sorts, each with its tiebreak.
            models.Index(fields=["amount", "id"], name="payment_amount_idx"),
            models.Index(fields=["method", "id"], name="payment_method_idx"),
            models.Index(fields=["status", "id"], name="payment_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="payment_rate_positive"),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="payment_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(status="posted") | ~Q(reversal_reason=""),
                name="payment_reversal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("payment-detail", args=[self.pk])

    @property
    def is_reversed(self) -> bool:
        return self.status == PaymentState.REVERSED


class CreditRefund(models.Model):
    """Customer credit from a payment paid back (Dr AR / Cr Bank or Cash). `amount` is in
    the payment's currency; `amount_base` is the credit it uses up (payment rate) and
    `exchange_rate` the rate on the refund date (the difference is FX Gain/Loss)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    date = models.DateField()
    method = models.CharField(
        max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    amount = money_field()
    amount_base = money_field()
    exchange_rate = rate_field()
    reference = models.CharField(max_length=140, blank=True)
    journal_entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} of {self.payment}"

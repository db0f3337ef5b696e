"""The receivable beyond the documents: allocations of credit to invoices, opening balances."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.customers.models import Customer
from apps.finance.fields import money_field
from apps.ledger.models import JournalEntry

from .documents import CreditNote, Invoice
from .payments import Payment


class AllocationKind(models.TextChoices):
    CREDIT_NOTE = "credit_note", "Credit note"
    PAYMENT = "payment", "Payment"


class Allocation(models.Model):
    """Credit applied to an invoice: a credit note (same currency: `amount` of the note
    settles `amount` of the invoice) or a payment (`source_amount` of the payment, in its
    currency, settles `amount` of the invoice). The invoice's open balance is its total
    minus its allocations; what a source has not allocated is the customer's unapplied
    credit. `amount_base` is at the invoice's rate (the last allocation takes the rest, so a
    paid invoice is zero in base too); `source_amount_base` at the payment's rate."""

    kind = models.CharField(max_length=12, choices=AllocationKind.choices)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    credit_note = models.ForeignKey(
        CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    date = models.DateField()
    amount = money_field()
    amount_base = money_field()
    source_amount = money_field(null=True, blank=True, help_text="Payment currency.")
    source_amount_base = money_field(null=True, blank=True)
    journal_entry = models.ForeignKey(
        JournalEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="FX difference of a credit applied later (none at the payment's date).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=~Q(kind="credit_note") | Q(credit_note__isnull=False),
                name="allocation_credit_note_source",
            ),
            models.CheckConstraint(
                condition=~Q(kind="payment")
                | Q(payment__isnull=False, source_amount__gt=0, source_amount_base__isnull=False),
                name="allocation_payment_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} to {self.invoice}"

    @property
    def fx_difference(self):
        """Base value used from the payment minus base value settled (gain when > 0)."""
        if self.source_amount_base is None:
            return None
        return self.source_amount_base - self.amount_base


class OpeningBalance(models.Model):
    """What a customer owed when it was set up, posted Dr AR / Cr Opening Balance Equity
    (base currency). A later change of the customer's opening balance posts the difference
    as another row, so the rows always sum to `Customer.opening_balance`."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="opening_documents"
    )
    date = models.DateField()
    amount = money_field(help_text="Base currency; negative when the opening balance went down.")
    journal_entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["customer", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="opening_balance_not_zero")
        ]

    def __str__(self) -> str:
        return f"Opening balance {self.customer}: {self.amount}"

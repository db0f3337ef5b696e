"""B2B seller credit (DESIGN.md §3 credit, §4.3): sellers, top-up requests, the transaction log.

A seller's `balance` and its ledger sub-account (under 2100 Seller Credit) always agree:
every change goes through a service in apps.credit.services that moves both in one
transaction. A charge is one immutable TransactionLog row of type "charge".
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.ids import uuid7
from apps.core.links import reverse_pk
from apps.core.models import BaseModel
from apps.core.phones import PhoneField
from apps.finance.fields import money_field
from apps.ledger.models import AppendOnlyModel, AppendOnlyQuerySet


class SellerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class Seller(BaseModel):
    """A B2B reseller who spends prepaid credit on charges; one login, one credit account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seller"
    )
    company = models.CharField(max_length=200)
    phone = PhoneField(blank=True)
    status = models.CharField(
        max_length=10, choices=SellerStatus.choices, default=SellerStatus.ACTIVE, db_index=True
    )
    balance = money_field(default=Decimal("0.00"), editable=False)
    account = models.OneToOneField(
        "ledger.Account", on_delete=models.PROTECT, related_name="seller", editable=False
    )
    # The seller's own Charge Revenue sub-account (under 4100): a charge locks only rows of
    # its seller, so charges of different sellers never queue on a shared revenue balance.
    revenue_account = models.OneToOneField(
        "ledger.Account",
        on_delete=models.PROTECT,
        related_name="seller_revenue",
        editable=False,
    )

    class Meta:
        ordering = ["company"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="seller_balance_non_negative")
        ]

    def __str__(self) -> str:
        return self.company

    def get_absolute_url(self) -> str:
        return reverse_pk("seller-detail", self.pk)

    @property
    def is_active(self) -> bool:
        return self.status == SellerStatus.ACTIVE


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


class CreditRequest(BaseModel):
    """A seller asks for a top-up; an Accountant approves (posts once) or rejects it."""

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="credit_requests")
    amount = money_field()
    note = models.CharField(max_length=500, blank=True)
    # no index of its own: credit_request_queue_idx (status, created_at) serves every status
    # filter and sort
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("rejection reason", max_length=500, blank=True)
    entry = models.OneToOneField(
        "ledger.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_request",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        # The queue's filter and the list's sorts (CreditRequestTable: a column, then
        # created_at and id) walk these; top-ups are rare writes, so indexes cost little.
        indexes = [
            models.Index(fields=["status", "created_at"], name="credit_request_queue_idx"),
            models.Index(fields=["amount", "created_at"], name="credit_request_amount_idx"),
            models.Index(fields=["note", "created_at"], name="credit_request_note_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_request_amount_positive")
        ]

    def __str__(self) -> str:
        return f"Top-up #{self.pk} {self.amount} for {self.seller}"

    def get_absolute_url(self) -> str:
        return reverse_pk("creditrequest-detail", self.pk)


class TransactionType(models.TextChoices):
    TOPUP = "topup", "Top-up"
    CHARGE = "charge", "Charge"
    REVERSAL = "reversal", "Reversal"


class TransactionStatus(models.TextChoices):
    COMPLETED = "completed", "Completed"
    REVERSED = "reversed", "Reversed"


class TransactionLogQuerySet(AppendOnlyQuerySet):
    def mark_reversed(self, pk) -> int:
        """The one change a log row allows: completed -> reversed, at most once (conditional)."""
        completed = self.filter(pk=pk, status=TransactionStatus.COMPLETED)
        return models.QuerySet.update(completed, status=TransactionStatus.REVERSED)

    def with_list_columns(self):
        """What the transaction log's rows and CSV read (credit.tables.TransactionTable):
        30 columns of the log and its seller down to 11."""
        return self.select_related("seller").only(
            "created_at",
            "seller__company",
            "type",
            "phone",
            "amount",
            "balance_after",
            "status",
            "idempotency_key",
        )


class TransactionLog(AppendOnlyModel):
    """One movement of a seller's credit, written once by a service and never edited.

    `amount` is the signed change (+ top-up, − charge, ± reversal), `balance_after` the
    seller's balance right after it. The only later change is the status flag
    completed -> reversed, set when a reversal row is written (TransactionLogQuerySet).
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # credit_log_seller_idx (seller, -created_at) and the key's unique index serve it
    seller = models.ForeignKey(
        Seller, on_delete=models.PROTECT, related_name="transactions", db_index=False
    )
    type = models.CharField(max_length=10, choices=TransactionType.choices)
    amount = money_field()
    balance_after = money_field()
    # No constraint in the database (as the journal entry's currency): PROTECT in Django,
    # and check_books's credit.log_references finds a row whose currency does not exist.
    # No index either: no list, filter or API reads the log by currency (only Django's
    # PROTECT look-up when a currency is deleted, a scan of the log then; docs/performance.md).
    currency = models.ForeignKey(
        "finance.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    rate = models.DecimalField(max_digits=18, decimal_places=8, default=Decimal("1"))
    status = models.CharField(
        max_length=10, choices=TransactionStatus.choices, default=TransactionStatus.COMPLETED
    )
    idempotency_key = models.CharField(max_length=64)
    phone = models.CharField(
        max_length=20, blank=True, help_text="The charged number, E.164 (validated by the service)."
    )
    entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="credit_transaction"
    )
    credit_request = models.OneToOneField(
        CreditRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="transaction"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    objects = TransactionLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "transaction"
        # Every charge writes one row: no index a composite one's leading column covers, no
        # varchar_pattern_ops twin (LIKE 'prefix%' only) for type and currency. The list's
        # sorts (TransactionTable: a column, then created_at and id) each walk an index and
        # stop after the page: by seller the seller index per seller (credit.log_order), by
        # status the partial index of the few reversed rows and created_at for the rest;
        # phone, amount and balance cost one index entry each per charge
        # (docs/performance.md, "The transaction log's sorts").
        indexes = [
            models.Index(fields=["seller", "-created_at"], name="credit_log_seller_idx"),
            models.Index(fields=["type", "created_at"], name="credit_log_type_idx"),
            models.Index(fields=["phone", "created_at"], name="credit_log_phone_idx"),
            models.Index(fields=["amount", "created_at"], name="credit_log_amount_idx"),
            models.Index(fields=["balance_after", "created_at"], name="credit_log_balance_idx"),
            models.Index(
                fields=["created_at"],
                name="credit_log_reversed_idx",
                condition=Q(status=TransactionStatus.REVERSED),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "idempotency_key"], name="credit_log_idempotency_key"
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="credit_log_balance_non_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(type=TransactionType.TOPUP, amount__gt=0)
                    | Q(type=TransactionType.CHARGE, amount__lt=0)
                    | (Q(type=TransactionType.REVERSAL) & ~Q(amount=0))
                ),
                name="credit_log_amount_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.amount} ({self.short_id})"

    def get_absolute_url(self) -> str:
        return reverse_pk("transaction-detail", self.pk)

    @property
    def short_id(self) -> str:
        # the random tail: a time-ordered id (uuid7) begins with the same 8 digits
        # for a minute, and seeded ones (bulkload.UuidMaker) share their prefix
        return str(self.pk)[-8:]

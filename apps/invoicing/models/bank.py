"""Bank statements: accounts, imported statements, their lines and the matches proposed for
them (DESIGN.md §11).

A statement file (CSV with the account's saved column mapping, CAMT.053 or OFX) is kept in
its `BankStatement` row between preview and import, so any web process or the worker can
import it; the worker writes its progress into the same row. Lines are deduplicated by the
database: account + bank reference (CAMT AcctSvcrRef, OFX FITID, or a digest of the CSV
row) + date + amount is UNIQUE, so a file imported twice adds nothing.

A `BankMatch` is one way to settle a line: a customer and the invoices (with amounts) the
money pays, the reason it was proposed and its status. Applying it records a payment
(`payment_record`); the payment's reversal is how it is undone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.core.models import BaseModel
from apps.customers.models import Customer
from apps.finance.fields import money_field
from apps.finance.models import Currency

from .documents import Invoice
from .payments import Payment


class BankAccount(BaseModel):
    """One of the company's bank accounts; payments matched on its lines post to Bank."""

    name = models.CharField(max_length=100)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    csv_mapping = models.JSONField(
        "CSV column mapping",
        default=dict,
        blank=True,
        help_text="Saved by the last CSV import: which column holds the date, amount, ...",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["iban"],
                condition=~Q(iban="") & Q(deleted_at__isnull=True),
                name="bankaccount_iban_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("bank-statement-list") + f"?account={self.pk}"


class StatementFormat(models.TextChoices):
    CSV = "csv", "CSV"
    CAMT053 = "camt053", "CAMT.053"
    OFX = "ofx", "OFX"


class StatementStatus(models.TextChoices):
    PREVIEWED = "previewed", "Ready to import"
    INVALID = "invalid", "Has errors"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed, nothing imported"


STATEMENT_RUNNING = (StatementStatus.QUEUED, StatementStatus.RUNNING)


class BankStatement(models.Model):
    """One uploaded file: its content, the preview of its rows, then the import's progress."""

    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="statements")
    format = models.CharField(max_length=10, choices=StatementFormat.choices)
    file_name = models.CharField(max_length=200)
    content = models.TextField()
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=StatementStatus.choices, default=StatementStatus.PREVIEWED
    )
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    row_count = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    lines_added = models.PositiveIntegerField(default=0)
    lines_duplicate = models.PositiveIntegerField(default=0)
    matches_applied = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="bankstatement_account_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="bankstatement_progress_lte_100"
            )
        ]

    def __str__(self) -> str:
        return f"Statement #{self.pk} ({self.file_name})"

    def get_absolute_url(self) -> str:
        return reverse("bank-statement-detail", args=[self.pk])

    @property
    def running(self) -> bool:
        return self.status in STATEMENT_RUNNING


class LineStatus(models.TextChoices):
    UNMATCHED = "unmatched", "Unmatched"
    SUGGESTED = "suggested", "Suggested"
    MATCHED = "matched", "Matched"
    IGNORED = "ignored", "Ignored"


class BankLine(models.Model):
    """One booked transaction. `amount` is signed: money in is positive."""

    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="lines")
    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    date = models.DateField()
    amount = money_field()
    bank_reference = models.CharField(
        max_length=140, help_text="AcctSvcrRef (CAMT), FITID (OFX) or the CSV row's key."
    )
    payer_name = models.CharField(max_length=200, blank=True)
    payer_iban = models.CharField("payer IBAN", max_length=34, blank=True)
    reference = models.CharField(
        "structured reference", max_length=140, blank=True, help_text="e.g. an RF reference."
    )
    text = models.TextField("remittance text", blank=True)
    status = models.CharField(
        max_length=10, choices=LineStatus.choices, default=LineStatus.UNMATCHED, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["statement", "date"], name="bankline_statement_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "bank_reference", "date", "amount"],
                name="bankline_dedup",
                violation_error_message="This bank line was already imported.",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="bankline_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.payer_name}".strip()

    @property
    def is_credit(self) -> bool:
        return self.amount > 0


class MatchReason(models.TextChoices):
    REFERENCE = "reference", "RF reference"
    NUMBER = "number", "Invoice number in the text"
    AMOUNT_PAYER = "amount_payer", "Amount and payer"
    AMOUNT = "amount", "Amount only"
    MANUAL = "manual", "Chosen by hand"


class MatchStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    APPLIED = "applied", "Applied"
    DISMISSED = "dismissed", "Dismissed"
    REVERSED = "reversed", "Reversed"


class BankMatch(models.Model):
    """One way to settle a line: `customer` paid these invoices (BankMatchInvoice rows) with
    it. Several suggested matches on one line are alternatives; applying one dismisses the
    others. `automatic` says the import applied it without a person (an exact unique match
    and the company setting on)."""

    line = models.ForeignKey(BankLine, on_delete=models.CASCADE, related_name="matches")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=12, choices=MatchReason.choices)
    detail = models.CharField(max_length=300, blank=True)
    exact = models.BooleanField(
        default=False, help_text="The invoices' open amounts add up to the line exactly."
    )
    status = models.CharField(
        max_length=10, choices=MatchStatus.choices, default=MatchStatus.SUGGESTED
    )
    automatic = models.BooleanField(default=False)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="bank_matches"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["line", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                condition=Q(status="applied"),
                name="bankmatch_one_applied_per_line",
                violation_error_message="This bank line is already matched.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["suggested", "dismissed"]) | Q(payment__isnull=False),
                name="bankmatch_applied_has_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.customer}"

    @property
    def total(self):
        return sum((i.amount for i in self.invoices.all()), start=0)


class BankMatchInvoice(models.Model):
    match = models.ForeignKey(BankMatch, on_delete=models.CASCADE, related_name="invoices")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    amount = money_field()

    class Meta:
        ordering = ["match", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="bankmatchinvoice_positive"),
            models.UniqueConstraint(fields=["match", "invoice"], name="bankmatchinvoice_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} to {self.invoice}"


class PayerAccount(models.Model):
    """A payer IBAN known to belong to a customer: learnt when a person confirms a match,
    used by the "amount and payer" rule."""

    iban = models.CharField("IBAN", max_length=34, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["iban"]

    def __str__(self) -> str:
        return f"{self.iban} ({self.customer})"

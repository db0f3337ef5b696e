"""The double-entry books (DESIGN.md §3 ledger, §4.2): chart of accounts, journal entries, lines.

Balances are stored on each account on its *normal side*: debit minus credit for asset and
expense accounts, credit minus debit for liability, equity and income accounts, always in
the base currency. So a seller's credit account shows the seller's balance as a positive
number, and the trial balance is zero when the debit-side and credit-side balances agree.

Entries and lines are append-only: once posted they are never edited or deleted (a mistake
is corrected by `journal_reverse`); `save()` and the querysets refuse changes.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Case, F, Q, When
from django.db.models.lookups import IsNull
from django.utils import timezone

from apps.core.ids import uuid7
from apps.core.links import reverse_pk
from apps.core.models import BaseModel


class AccountType(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    EQUITY = "equity", "Equity"
    INCOME = "income", "Income"
    EXPENSE = "expense", "Expense"


DEBIT_NORMAL = frozenset({AccountType.ASSET, AccountType.EXPENSE})


def normal_sign(account_type: str) -> int:
    """+1 when a debit raises the account's balance, -1 when a credit does."""
    return 1 if account_type in DEBIT_NORMAL else -1


class Account(BaseModel):
    """One account of the chart; `balance` is kept by journal_post (never edited by hand)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    type = models.CharField(max_length=10, choices=AccountType.choices, db_index=True)
    currency = models.ForeignKey("finance.Currency", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    balance = models.DecimalField(
        max_digits=18, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    is_group = models.BooleanField(
        "group account", default=False, help_text="A heading that sums its children; no postings."
    )
    active = models.BooleanField(default=True, help_text="Inactive accounts take no postings.")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse_pk("account-detail", self.pk)


class AppendOnlyQuerySet(models.QuerySet):
    """Posted books never change: bulk update/delete are refused (corrections are reversals)."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only.")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"A posted {self._meta.verbose_name} cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"A posted {self._meta.verbose_name} cannot be deleted.")


# The entries no one posted (the system's: nearly all) and their ids: the first two keys
# of the journal's sort by poster, which ledger_entry_poster_idx holds (see by_poster).
POSTED_BY_SYSTEM = IsNull(F("posted_by"), True)
SYSTEM_ID = Case(When(POSTED_BY_SYSTEM, then=F("id")))


class JournalEntryQuerySet(AppendOnlyQuerySet):
    def for_source(self, obj: models.Model):
        ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        return self.filter(source_type=ct, source_id=str(obj.pk))

    def by_poster(self, *, descending: bool = False, nulls_first: bool | None = None):
        """Ordered by the poster's e-mail (the User ordering), then pk; the entries no one
        posted where the database puts NULLs (last ascending on PostgreSQL, first on
        SQLite), the order `order_by("posted_by", "id")` gives. Written so that
        PostgreSQL walks ledger_entry_poster_idx and sorts only the entries people posted:
        sorting 1.6M entries by a joined e-mail took ~0.9 s."""
        if nulls_first is None:
            nulls_first = descending == (connection.vendor == "postgresql")
        way = "desc" if descending else "asc"
        system = POSTED_BY_SYSTEM.desc() if nulls_first else POSTED_BY_SYSTEM.asc()
        return self.order_by(
            system,
            getattr(SYSTEM_ID, way)(),
            getattr(F("posted_by__email"), way)(),
            getattr(F("id"), way)(),
        )


class JournalEntry(AppendOnlyModel):
    """A balanced set of lines posted together; immutable once posted."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    date = models.DateField()  # ledger_entry_date_idx (-date, -posted_at) serves it
    memo = models.CharField(max_length=255)
    reference = models.CharField(max_length=100, blank=True)
    # No foreign-key constraint in the database for the currency and the source type (a
    # few rows every posting would share-lock at commit; with concurrent postings each
    # lock makes a multixact): PROTECT still guards them in Django, and check_books's
    # ledger.references finds an entry whose currency or source type does not exist.
    currency = models.ForeignKey(
        "finance.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    rate = models.DecimalField(
        max_digits=18, decimal_places=8, help_text="Units of base currency per unit."
    )
    source_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # ledger_entry_source_idx (source_type, source_id) serves it
        db_constraint=False,
    )
    source_id = models.CharField(max_length=64, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The sum of the lines' base debits (= base credits), written with the entry by every
    # writer (journal_prepare, journal_reverse, the charge statement, the scale builders);
    # the journal sorts by it through ledger_entry_total_idx, and check_books's
    # ledger.entry_totals holds it to the lines.
    total = models.DecimalField(
        "amount (base)", max_digits=18, decimal_places=2, default=Decimal("0.00"), editable=False
    )

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-posted_at"]
        verbose_name = "journal entry"
        verbose_name_plural = "journal entries"
        # Written by every posting: no index a composite one's leading column covers, no
        # varchar_pattern_ops twin (LIKE 'prefix%' only; no query does it) for the reference
        # and the currency (docs/performance.md, "Seller credit").
        indexes = [
            models.Index(fields=["source_type", "source_id"], name="ledger_entry_source_idx"),
            models.Index(fields=["-date", "-posted_at"], name="ledger_entry_date_idx"),
            models.Index(fields=["reference"], name="ledger_entry_reference_idx"),
            models.Index(fields=["currency"], name="ledger_entry_currency_idx"),
            # the journal's sorts by amount and memo: walked in order, stopped after a page
            models.Index(fields=["total", "id"], name="ledger_entry_total_idx"),
            models.Index(fields=["memo", "id"], name="ledger_entry_memo_idx"),
            models.Index(POSTED_BY_SYSTEM, SYSTEM_ID, name="ledger_entry_poster_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(rate__gt=0), name="entry_rate_positive")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.memo}"

    def get_absolute_url(self) -> str:
        return reverse_pk("journalentry-detail", self.pk)

    @property
    def short_id(self) -> str:
        # the random tail: a time-ordered id (uuid7) begins with the same 8 digits
        # for a minute, and seeded ones (bulkload.UuidMaker) share their prefix
        return str(self.pk)[-8:]

    @property
    def source(self) -> models.Model | None:
        if self.source_type_id is None:
            return None
        model = self.source_type.model_class()
        if model is None:
            return None
        manager = getattr(model, "all_objects", model._default_manager)
        return manager.filter(pk=self.source_id).first()


class JournalLine(AppendOnlyModel):
    """One side of an entry: a debit or a credit (> 0, never both), in document and base currency."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    # ledger_line_account_idx (account, entry) serves every lookup by account
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    debit = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    credit = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    base_debit = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    base_credit = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    memo = models.CharField(max_length=255, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "entry"], name="ledger_line_account_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(debit__gt=0, credit=0, base_credit=0, base_debit__gte=0)
                    | Q(credit__gt=0, debit=0, base_debit=0, base_credit__gte=0)
                ),
                name="line_debit_xor_credit",
            )
        ]

    def __str__(self) -> str:
        side = f"Dr {self.debit}" if self.debit else f"Cr {self.credit}"
        return f"{self.account_id} {side}"

"""Invoicing: invoices, credit notes, the receivable they make (DESIGN.md §3, §4.5-7, §11).

Lifecycle stored: draft / issued / void. Issuing numbers the document (series + fiscal
year, gapless), freezes it, posts it to the ledger and links it into one SHA-256 hash chain
over every issued document (invoices and credit notes share the chain: `chain_position`
orders it). Payment status is never stored: it is derived from allocations and the due date
(apps/invoicing/selectors.py).

The receivable (AR sub-ledger) is: issued invoices + opening balances - issued credit notes
(- payments, next issue). `Allocation` rows say which credit (a credit note today, a
payment later) settles which invoice; what a credit source has not allocated is the
customer's unapplied credit.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.urls import reverse

from apps.catalog.models import Product
from apps.core.models import BaseModel, SoftDeleteQuerySet
from apps.customers.models import Customer
from apps.finance.fields import money_field
from apps.finance.models import Currency, TaxRate
from apps.ledger.models import JournalEntry
from apps.sales.models import Order, OrderLine, Return, ReturnLine

QUANTITY_PLACES = 3
MAX_QUANTITY = Decimal("1000000")


def private_storage():
    """Where issued PDFs live: settings.STORAGES["private"], never under MEDIA_URL."""
    from django.core.files.storage import storages

    return storages["private"]


def quantity_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=QUANTITY_PLACES, **kwargs)


def rate_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        max_digits=18,
        decimal_places=8,
        help_text="Units of base currency per unit, on the issue date.",
        **kwargs,
    )


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class Series(BaseModel):
    """A numbering series: numbers run CODE-<fiscal year>-00001, gapless per fiscal year."""

    code = models.CharField(
        max_length=10,
        unique=True,
        help_text="Prefix of the numbers, e.g. INV; letters and digits only.",
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    is_default = models.BooleanField("default", default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name_plural = "series"
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(is_default=True),
                name="series_one_default_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z0-9]+$"), name="series_code_upper_alnum"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def counter_name(self, fiscal_year: int) -> str:
        """The core NumberSequence row of this series in one fiscal year."""
        return f"{self.code}-{fiscal_year}"

    def format_number(self, fiscal_year: int, sequence: int) -> str:
        return f"{self.code}-{fiscal_year}-{sequence:05d}"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    VOID = "void", "Void"


class CreditNoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"


class IssuedDocument(BaseModel):
    """What invoices and credit notes share: party snapshot, money, number, chain, PDF."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    number = models.CharField(max_length=30, null=True, blank=True, unique=True, editable=False)
    issue_date = models.DateField(null=True, blank=True)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    exchange_rate = rate_field(null=True, blank=True)
    # billing address snapshot: what the document says, whatever the customer becomes
    billing_name = models.CharField(max_length=200, blank=True)
    billing_address = models.TextField(blank=True)
    billing_tax_id = models.CharField("customer tax ID", max_length=50, blank=True)
    subtotal = money_field(default=0)
    discount_total = money_field(default=0)
    net_total = money_field(default=0)
    tax_total = money_field(default=0)
    total = money_field(default=0)
    total_base = money_field(default=0, help_text="The total as posted to Accounts Receivable.")
    tax_base = money_field(default=0, help_text="The tax as posted to Tax Payable.")
    # the hash chain over every issued document (invoices and credit notes)
    chain_position = models.PositiveIntegerField(null=True, blank=True, editable=False)
    previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    journal_entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField(
        upload_to="invoicing/%Y/", storage=private_storage, blank=True, editable=False
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_to = models.CharField(max_length=254, blank=True, editable=False)
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    audit_log = False  # the services record business events (invoice.issued, ...)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number or f"Draft {self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


def _document_constraints(prefix: str) -> list:
    # ROUND(..., 2): SQLite compares decimals as floats; PostgreSQL's numeric is exact anyway
    return [
        models.UniqueConstraint(
            fields=["series", "fiscal_year", "sequence"],
            condition=Q(sequence__isnull=False),
            name=f"{prefix}_number_unique_per_series_year",
        ),
        models.UniqueConstraint(
            fields=["chain_position"],
            condition=Q(chain_position__isnull=False),
            name=f"{prefix}_chain_position_unique",
        ),
        models.CheckConstraint(
            condition=Q(status="draft")
            | (
                Q(number__isnull=False)
                & Q(sequence__isnull=False)
                & Q(fiscal_year__isnull=False)
                & Q(issue_date__isnull=False)
                & Q(exchange_rate__isnull=False)
                & Q(chain_position__isnull=False)
            ),
            name=f"{prefix}_issued_is_numbered",
        ),
        models.CheckConstraint(
            condition=~Q(status="draft") | (Q(number__isnull=True) & Q(sequence__isnull=True)),
            name=f"{prefix}_draft_has_no_number",
        ),
        models.CheckConstraint(
            condition=Q(exchange_rate__isnull=True) | Q(exchange_rate__gt=0),
            name=f"{prefix}_rate_positive",
        ),
        models.CheckConstraint(
            condition=Q(subtotal__gte=0)
            & Q(discount_total__gte=0)
            & Q(net_total__gte=0)
            & Q(tax_total__gte=0)
            & Q(total=Round(F("net_total") + F("tax_total"), 2)),
            name=f"{prefix}_amounts_consistent",
        ),
    ]


class InvoiceQuerySet(SoftDeleteQuerySet):
    def issued(self):
        """Issued or void: numbered documents that were posted."""
        return self.exclude(status=InvoiceStatus.DRAFT)

    def for_customer(self, customer):
        return self.filter(customer=customer)


class InvoiceManager(models.Manager.from_queryset(InvoiceQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Invoice(IssuedDocument):
    status = models.CharField(
        max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    customer_reference = models.CharField(
        max_length=100, blank=True, help_text="The customer's PO number."
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        "payment terms (days)", default=30, validators=[MaxValueValidator(365)]
    )
    due_date = models.DateField(null=True, blank=True)
    terms = models.TextField("terms text", blank=True)
    discount_amount = money_field(
        "invoice discount",
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Taken off the whole invoice, spread over the lines (invoice currency).",
    )
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    void_reason = models.TextField(blank=True, editable=False)

    objects = InvoiceManager()
    all_objects = models.Manager.from_queryset(InvoiceQuerySet)()

    class Meta:
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["status", "-issue_date"], name="invoice_status_idx"),
            models.Index(fields=["customer", "-issue_date"], name="invoice_customer_idx"),
            models.Index(fields=["due_date"], name="invoice_due_idx"),
            # The list's sorts with their tiebreak, walked (either way) and stopped after
            # the page: the default order (date, newest first) and the total.
            models.Index(fields=["-issue_date", "-id"], name="invoice_date_idx"),
            models.Index(fields=["total", "id"], name="invoice_total_idx"),
            # The sort by series: each series' run in date order (tables.order_series), read
            # from the index alone (the list shows invoices not deleted).
            models.Index(
                fields=["series", "issue_date", "id"],
                name="invoice_series_date_idx",
                condition=models.Q(deleted_at__isnull=True),
            ),
        ]
        constraints = [
            *_document_constraints("invoice"),
            models.CheckConstraint(
                condition=Q(discount_amount__gte=0), name="invoice_discount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(due_date__isnull=False),
                name="invoice_issued_has_due_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | ~Q(void_reason=""),
                name="invoice_void_has_reason",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("invoice-detail", args=[self.pk])


class InvoiceLine(models.Model):
    """One invoiced item with what it was called, cost and taxed at when invoiced."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    order_line = models.ForeignKey(
        OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.CharField(max_length=300)
    sku = models.CharField("SKU", max_length=64, blank=True)
    quantity = quantity_field()
    unit = models.CharField(max_length=20, default="pcs")
    unit_price = money_field(validators=[MinValueValidator(0)])
    discount_percent = models.DecimalField(
        "discount %",
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    tax_rate = models.ForeignKey(
        TaxRate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tax_name = models.CharField(max_length=100, blank=True)
    tax_percent = models.DecimalField("tax %", max_digits=6, decimal_places=3, default=0)
    gross = money_field(default=0)
    discount = money_field(default=0)
    document_discount = money_field(default=0, help_text="Share of the invoice discount.")
    net = money_field(default=0)
    tax = money_field(default=0)
    total = money_field(default=0)

    class Meta:
        ordering = ["invoice", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="invoice_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="invoice_line_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="invoice_line_discount_0_100",
            ),
            models.CheckConstraint(
                condition=Q(tax_percent__gte=0) & Q(tax_percent__lte=100),
                name="invoice_line_tax_0_100",
            ),
            models.CheckConstraint(
                condition=Q(net=Round(F("gross") - F("discount") - F("document_discount"), 2))
                & Q(total=Round(F("net") + F("tax"), 2)),
                name="invoice_line_amounts_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} × {self.description}"


class CreditNoteQuerySet(SoftDeleteQuerySet):
    def issued(self):
        return self.filter(status=CreditNoteStatus.ISSUED)


class CreditNote(IssuedDocument):
    """Money back on an invoice: from the invoice (partial/full, or its void) or a return."""

    status = models.CharField(
        max_length=10, choices=CreditNoteStatus.choices, default=CreditNoteStatus.DRAFT
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    return_doc = models.ForeignKey(
        Return,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name="return",
    )
    reason = models.TextField()

    objects = models.Manager.from_queryset(CreditNoteQuerySet)()
    all_objects = models.Manager.from_queryset(CreditNoteQuerySet)()

    class Meta:
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "-issue_date"], name="credit_note_customer_idx"),
            # The list's sorts with their tiebreak (else every note is joined to its
            # invoice and sorted): the default order (date, newest first), total, status.
            models.Index(fields=["-issue_date", "-id"], name="credit_note_date_idx"),
            models.Index(fields=["total", "id"], name="credit_note_total_idx"),
            models.Index(fields=["status", "id"], name="credit_note_status_idx"),
        ]
        constraints = [
            *_document_constraints("credit_note"),
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status="draft"),
                name="credit_note_one_draft_per_invoice",
                violation_error_message="This invoice already has a draft credit note.",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="credit_note_has_reason"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("credit-note-detail", args=[self.pk])


class CreditNoteLine(models.Model):
    """Part of an invoice line given back; amounts are that line's share (cumulative
    rounding: crediting every unit gives back the invoice line exactly)."""

    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    invoice_line = models.ForeignKey(
        InvoiceLine, on_delete=models.PROTECT, related_name="credit_lines"
    )
    return_line = models.ForeignKey(
        ReturnLine, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_lines"
    )
    description = models.CharField(max_length=300)
    sku = models.CharField("SKU", max_length=64, blank=True)
    quantity = quantity_field()
    unit = models.CharField(max_length=20, default="pcs")
    unit_price = money_field()
    tax_name = models.CharField(max_length=100, blank=True)
    tax_percent = models.DecimalField("tax %", max_digits=6, decimal_places=3, default=0)
    net = money_field(default=0)
    tax = money_field(default=0)
    total = money_field(default=0)

    class Meta:
        ordering = ["credit_note", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="credit_note_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(net__gte=0) & Q(tax__gte=0) & Q(total=Round(F("net") + F("tax"), 2)),
                name="credit_note_line_amounts_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} × {self.description}"

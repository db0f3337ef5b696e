"""Recurring invoices (DESIGN.md §11, issue 9 item 5).

A template bills a customer the same lines every month, quarter or year on a day of the
month (clamped to the month's end: the 31st is Feb 28/29, Apr 30). Each period's invoice
is recorded by a `RecurringPeriod` row, UNIQUE (template, period date): a late, repeated
or concurrent job never bills a period twice. The dates come from the schedule
(start month + n intervals), never from when the job last ran.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.models import BaseModel
from apps.customers.models import Customer
from apps.finance.fields import money_field
from apps.finance.models import Currency, TaxRate

from .documents import Invoice, Series, quantity_field


class Interval(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    YEARLY = "yearly", "Yearly"


INTERVAL_MONTHS = {Interval.MONTHLY: 1, Interval.QUARTERLY: 3, Interval.YEARLY: 12}


class RecurringInvoice(BaseModel):
    name = models.CharField(max_length=200, help_text='e.g. "Maintenance contract".')
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    interval = models.CharField(max_length=10, choices=Interval.choices)
    day_of_month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="29-31 fall on the month's last day in shorter months.",
    )
    start_date = models.DateField(help_text="The first period is the first date on or after it.")
    end_date = models.DateField(null=True, blank=True, help_text="No period after this date.")
    payment_terms_days = models.PositiveSmallIntegerField(
        "payment terms (days)", default=30, validators=[MaxValueValidator(365)]
    )
    auto_issue = models.BooleanField(
        default=True, help_text="Issue each invoice at once (otherwise it waits as a draft)."
    )
    auto_email = models.BooleanField(
        default=False, help_text="Email each issued invoice to the customer's address."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(day_of_month__gte=1) & Q(day_of_month__lte=31),
                name="recurring_day_1_31",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="recurring_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(auto_email=True) | Q(auto_issue=True),
                name="recurring_email_needs_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("recurring-detail", args=[self.pk])


class RecurringLine(models.Model):
    template = models.ForeignKey(RecurringInvoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.CharField(max_length=300)
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

    class Meta:
        ordering = ["template", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="recurring_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="recurring_line_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} × {self.description}"


class RecurringPeriod(models.Model):
    """The invoice of one template period (UNIQUE template x period date)."""

    template = models.ForeignKey(RecurringInvoice, on_delete=models.PROTECT, related_name="periods")
    period_date = models.DateField()
    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, related_name="recurring_period"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["template", "-period_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "period_date"], name="recurring_period_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} {self.period_date:%Y-%m-%d}"

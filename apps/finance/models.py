from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from apps.core.models import BaseModel, currency_code_validator


class Currency(BaseModel):
    """An ISO 4217 currency; minor units decide how amounts are rounded (money.py)."""

    code = models.CharField(
        max_length=3,
        primary_key=True,
        validators=[currency_code_validator],
        verbose_name="ISO code",
    )
    name = models.CharField(max_length=100)
    symbol = models.CharField(max_length=8, blank=True)
    minor_units = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(4)],
        help_text="Decimal places, e.g. 2 for EUR, 0 for JPY.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"
        constraints = [
            models.CheckConstraint(
                condition=Q(minor_units__lte=4), name="currency_minor_units_lte_4"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("currency-update", args=[self.pk])


class ExchangeRate(BaseModel):
    """On `date`, one unit of `currency` is worth `rate` units of the base currency."""

    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates")
    date = models.DateField(db_index=True)
    rate = models.DecimalField(
        max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal("0.00000001"))]
    )

    class Meta:
        ordering = ["-date", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "date"], name="exchange_rate_unique_per_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id} {self.date}: {self.rate}"

    def get_absolute_url(self) -> str:
        return reverse("exchangerate-update", args=[self.pk])


class TaxRate(BaseModel):
    name = models.CharField(max_length=100, unique=True)
    rate = models.DecimalField(
        "rate (%)",
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["rate", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="tax_rate_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.rate.normalize():f} %)"

    def get_absolute_url(self) -> str:
        return reverse("taxrate-update", args=[self.pk])

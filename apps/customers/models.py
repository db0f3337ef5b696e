"""Customers: who buys, how to reach them, where to ship and bill (DESIGN.md §3).

A customer's opening balance and credit limit are kept in the base currency (like
ERPNext's company-currency credit limit), so the credit check on order confirmation
compares like with like whatever currency each order is in. `currency` is the default
currency of the customer's documents.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q

from apps.core.links import reverse_pk
from apps.core.models import BaseModel, SoftDeleteQuerySet
from apps.core.phones import PhoneField
from apps.finance.fields import money_field
from apps.finance.models import Currency


class CustomerKind(models.TextChoices):
    COMPANY = "company", "Company"
    INDIVIDUAL = "individual", "Individual"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


class CustomerQuerySet(SoftDeleteQuerySet):
    def search(self, text: str):
        """Code, name, email or phone of the customer or of one of its contacts."""
        text = (text or "").strip()
        if not text:
            return self
        match = Q(code__icontains=text) | Q(name__icontains=text) | Q(email__icontains=text)
        contact = Q(name__icontains=text) | Q(email__icontains=text)
        digits = _digits(text)
        if len(digits) >= 3:
            match |= Q(phone__contains=digits)
            contact |= Q(phone__contains=digits)
        contacts = Contact.objects.filter(contact, customer=OuterRef("pk"))
        return self.filter(match | Q(Exists(contacts)))

    def with_list_columns(self):
        """What the customer list's rows and CSV read (customers.tables.CustomerTable)."""
        return self.only(
            "code", "name", "kind", "email", "phone", "currency_id", "credit_limit", "active"
        )

    def by_code(self, text: str):
        """What a person typed or picked: "CUST-00001" or "CUST-00001 · Acme Retail"."""
        code = (text or "").split("·")[0].strip()
        return self.filter(code__iexact=code) if code else self.none()


class AliveCustomerManager(models.Manager.from_queryset(CustomerQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllCustomersManager(models.Manager.from_queryset(CustomerQuerySet)):
    pass


class Customer(BaseModel):
    code = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(
        max_length=12, choices=CustomerKind.choices, default=CustomerKind.COMPANY
    )
    name = models.CharField(max_length=200, db_index=True)
    email = models.EmailField(blank=True)
    phone = PhoneField(blank=True, help_text="International format, e.g. +44 20 7946 0000.")
    tax_id = models.CharField("tax ID", max_length=50, blank=True)
    currency = models.ForeignKey(
        Currency,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Default currency of this customer's orders.",
    )
    opening_balance = money_field(
        default=0, help_text="What the customer owed when it was set up (base currency)."
    )
    credit_limit = money_field(
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Open balance + a new order may not exceed this (base currency); empty = no limit.",
    )
    portal_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
        verbose_name="portal login",
        help_text="A user with the Customer role who sees this customer's orders in the portal.",
    )
    active = models.BooleanField(default=True, help_text="Inactive customers take no new orders.")

    objects = AliveCustomerManager()
    all_objects = AllCustomersManager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="customer_credit_limit_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["email"], name="customer_email_idx")]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse_pk("customer-detail", self.pk)

    def default_address(self, kind: str) -> Address | None:
        return self.addresses.filter(kind=kind, is_default=True).first()


class Contact(BaseModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = PhoneField(blank=True, help_text="International format, e.g. +1 212 555 0100.")
    role = models.CharField(max_length=100, blank=True, help_text="e.g. Purchasing, Accounts.")

    class Meta:
        ordering = ["customer", "name", "id"]

    def __str__(self) -> str:
        return self.name


class AddressKind(models.TextChoices):
    BILLING = "billing", "Billing"
    SHIPPING = "shipping", "Shipping"


class Address(BaseModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=AddressKind.choices)
    line1 = models.CharField("address", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField("state / region", max_length=100, blank=True)
    country = models.CharField(max_length=100)
    is_default = models.BooleanField("default", default=False)

    class Meta:
        ordering = ["customer", "kind", "-is_default", "id"]
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind"],
                condition=Q(is_default=True, deleted_at__isnull=True),
                name="address_one_default_per_kind",
                violation_error_message="Only one default address of each kind.",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(self.lines())

    def lines(self) -> list[str]:
        city = " ".join(p for p in (self.postal_code, self.city) if p)
        return [p for p in (self.line1, self.line2, city, self.region, self.country) if p]

    def as_text(self) -> str:
        return "\n".join(self.lines())

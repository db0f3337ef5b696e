"""Forms of the order screens. They parse and check what a person typed; business rules
(stock, credit, coupons, what a draft may change) stay in the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.urls import reverse_lazy
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.forms import IdempotentForm
from apps.customers.models import Customer
from apps.finance.documents import document_currencies
from apps.inventory.models import Store

from .models import MAX_LINE_QUANTITY, Coupon, CouponKind, ReturnDisposition

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CustomerCodeField(forms.CharField):
    """A customer typed by code, name, email or phone; suggestions from a <datalist>."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Customer")
        kwargs.setdefault("help_text", "Type a code, name, email or phone and pick a suggestion.")
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "list": "customer-options",
                    "autocomplete": "off",
                    "hx-get": reverse_lazy("customer-lookup"),
                    "hx-trigger": "input changed delay:200ms",
                    "hx-target": "#customer-options",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            ),
        )
        super().__init__(max_length=250, **kwargs)

    def clean(self, value):
        text = super().clean(value).strip()
        customers = Customer.objects.filter(active=True)
        customer = customers.by_code(text).first()
        if customer is None:
            matches = list(customers.search(text)[:2])
            if len(matches) == 1:
                customer = matches[0]
            elif matches:
                raise ValidationError(f"Several customers match “{text}”; pick one from the list.")
            else:
                raise ValidationError(f"No active customer matches “{text}”.")
        return customer


def resolve_product(text: str) -> Product:
    """SKU or barcode (any case), "SKU · name" from the suggestions, or a unique name match."""
    code = (text or "").split("·")[0].strip()
    if not code:
        raise ValidationError("Type a SKU or a product name.")
    products = Product.objects.filter(active=True)
    # SKU in any case (through the LOWER(sku) unique index), else the exact barcode
    product = (
        products.alias(sku_lower=Lower("sku")).filter(sku_lower=code.lower()).first()
        or products.filter(barcode=code).first()
    )
    if product is None:
        matches = list(products.search(code)[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValidationError(f"Several products match “{code}”; pick one from the list.")
        raise ValidationError(f"No active product matches “{code}”.")
    return product


class OrderCreateForm(forms.Form):
    customer = CustomerCodeField()
    store = forms.ModelChoiceField(
        label="Fulfilment store", queryset=Store.objects.filter(active=True), empty_label=None
    )
    currency = forms.ModelChoiceField(
        queryset=document_currencies(),
        required=False,
        empty_label="The customer's currency",
    )
    order_date = forms.DateField(label="Order date", widget=DATE, initial=timezone.localdate)
    reference = forms.CharField(label="Customer reference", max_length=100, required=False)


class OrderHeaderForm(OrderCreateForm):
    """The entry screen's header: saved on every change (drafts save as you go)."""

    shipping_address = forms.CharField(
        label="Shipping address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].required = True
        self.fields["currency"].empty_label = None


class LineForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, required=False)
    unit_price = forms.DecimalField(
        label="Unit price", min_value=0, max_digits=18, decimal_places=2, required=False
    )
    discount_percent = forms.DecimalField(
        label="Discount %", min_value=0, max_value=100, decimal_places=2, required=False
    )

    def clean(self):
        data = super().clean()
        if all(data.get(f) is None for f in self.fields) and not self.errors:
            raise ValidationError("Enter a quantity, a price or a discount.")
        return data


class LineAddForm(forms.Form):
    product = forms.CharField(label="Add product (SKU or name)", max_length=250)
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, initial=1)

    def clean_product(self):
        return resolve_product(self.cleaned_data["product"])


class CouponApplyForm(forms.Form):
    code = forms.CharField(label="Coupon code", max_length=40, required=False)


class ConfirmForm(IdempotentForm):
    override_reason = forms.CharField(
        label="Reason to override the credit limit (Admin)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(IdempotentForm):
    reason = forms.CharField(
        label="Reason for cancelling",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on the order's timeline.",
    )


class ReturnForm(forms.Form):
    """One quantity field per returnable line, then the reason and what happens to the goods."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    disposition = forms.ChoiceField(
        label="Returned goods", choices=ReturnDisposition.choices, initial=ReturnDisposition.RESTOCK
    )
    store = forms.ModelChoiceField(
        label="Restock to store",
        queryset=Store.objects.filter(active=True),
        required=False,
        help_text="For restocked goods; defaults to the order's store.",
    )

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.line_fields = []
        fields = {}
        for line in order.lines.all():
            name = f"line_{line.pk}"
            fields[name] = forms.IntegerField(
                label=f"{line.product_sku} · {line.product_name} (up to {line.returnable_quantity})",
                min_value=0,
                max_value=line.returnable_quantity,
                initial=0,
                required=False,
                disabled=line.returnable_quantity == 0,
            )
            self.line_fields.append((name, line))
        self.fields = {**fields, **self.fields}
        self.fields["store"].initial = order.store_id

    def quantities(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data.get(name) or 0
            for name, line in self.line_fields
            if not self.fields[name].disabled
        }


class CouponForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = [
            "code",
            "description",
            "kind",
            "value",
            "valid_from",
            "valid_to",
            "max_uses",
            "min_order_total",
            "active",
            "notes",
        ]
        widgets = {"valid_from": DATE, "valid_to": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not code:
            raise ValidationError("Enter a code.")
        if Coupon.all_objects.filter(code__iexact=code).exclude(pk=self.instance.pk).exists():
            raise ValidationError("A coupon with this code already exists.")
        return code

    def clean(self):
        data = super().clean()
        value, kind = data.get("value"), data.get("kind")
        if value is not None and value <= 0:
            self.add_error("value", "Enter a value greater than zero.")
        elif value is not None and kind == CouponKind.PERCENT and value > Decimal("100"):
            self.add_error("value", "A percentage cannot be above 100.")
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", "The end date is before the start date.")
        uses = data.get("max_uses")
        if uses is not None and self.instance.pk and uses < self.instance.times_used:
            self.add_error("max_uses", f"Already used {self.instance.times_used} times.")
        return data

    def validate_unique(self):
        """The code's uniqueness is checked (case-insensitively) in clean_code."""


class PortalCartForm(forms.Form):
    """The customer's cart, carried by the page itself (nothing is saved before "Place
    order"): lines as `line_product` (SKU) + `line_quantity` pairs, an add box (`q` and
    `add_quantity`, or `add=<SKU>` from a search result) and `remove=<SKU>`.

    `clean()` leaves `items` [(product, quantity)] for the services and `bad_lines` for the
    quantities a person must correct; prices are never read from the page.
    """

    reference = forms.CharField(label="Your reference (PO number)", max_length=100, required=False)
    q = forms.CharField(
        label="Product (name or SKU)",
        max_length=250,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    add_quantity = forms.IntegerField(
        label="Quantity", required=False, min_value=1, max_value=MAX_LINE_QUANTITY
    )
    expected_total = forms.DecimalField(required=False, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items: list[tuple[Product, int]] = []
        self.bad_lines: list[tuple[Product, str, str]] = []  # product, what was typed, why

    @property
    def adding(self) -> bool:
        return "add" in self.data

    def clean(self):
        data = super().clean()
        skus = [s.strip() for s in self.data.getlist("line_product")]
        quantities = self.data.getlist("line_quantity")
        removed = (self.data.get("remove") or "").strip()
        products = {
            p.sku: p
            for p in Product.objects.filter(active=True, sku__in=skus).select_related(
                "tax_rate", "currency"
            )
        }
        for sku, raw in zip(skus, quantities, strict=False):
            if not sku or sku == removed:
                continue
            product = products.get(sku)
            if product is None:
                self.add_error(None, f"{sku} is no longer sold; it was taken off your order.")
                continue
            try:
                quantity = int(raw.strip())
            except ValueError:
                quantity = None
            if quantity == 0:
                continue  # a quantity of 0 takes the line off, as "Remove" does
            if quantity is None or not 1 <= quantity <= MAX_LINE_QUANTITY:
                message = f"Enter a whole number of units from 1 to {MAX_LINE_QUANTITY:,}."
                self.bad_lines.append((product, raw, message))
                continue
            self.items.append((product, quantity))
        if self.adding and "add_quantity" not in self.errors:
            self._clean_add(data)
        return data

    def _clean_add(self, data) -> None:
        text = (self.data.get("add") or "").strip() or data.get("q") or ""
        try:
            product = resolve_product(text)
        except ValidationError as exc:
            self.add_error("q", exc)
            return
        self.items.append((product, data.get("add_quantity") or 1))

"""Forms of the invoicing screens: they parse what a person typed; the services decide
(quantities left to invoice or credit, amounts, what a draft may change)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from apps.finance.documents import document_currencies
from apps.finance.models import TaxRate
from apps.sales.forms import CustomerCodeField, resolve_product

from .models import DocumentKind, Interval, Series

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


def invoice_series():
    return Series.objects.filter(kind=DocumentKind.INVOICE, active=True)


class InvoiceCreateForm(forms.Form):
    """A free invoice (services, fees): customer first, lines in the editor."""

    customer = CustomerCodeField()
    currency = forms.ModelChoiceField(
        queryset=document_currencies(), required=False, empty_label="The customer's currency"
    )
    series = forms.ModelChoiceField(
        queryset=invoice_series(), required=False, empty_label="The default series"
    )
    issue_date = forms.DateField(
        label="Issue date",
        widget=DATE,
        required=False,
        help_text="Leave empty to use the day it is issued.",
    )


class FromOrderForm(forms.Form):
    """One quantity per order line still to invoice (default: everything left)."""

    series = forms.ModelChoiceField(
        queryset=invoice_series(), required=False, empty_label="The default series"
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [(line, left) for line, left in lines]
        for line, left in self.lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=f"{line.product_sku} · {line.product_name} ({left.normalize():f} left)",
                min_value=0,
                max_digits=12,
                decimal_places=3,
                initial=left.normalize(),
                required=False,
                widget=forms.NumberInput(attrs={"step": "any"}),
            )

    def quantities(self) -> dict:
        return {
            line.pk: self.cleaned_data.get(f"line_{line.pk}") or 0 for line, _left in self.lines
        }


class InvoiceHeaderForm(forms.Form):
    issue_date = forms.DateField(label="Issue date", widget=DATE, required=False)
    payment_terms_days = forms.IntegerField(
        label="Payment terms (days)", min_value=0, max_value=365
    )
    customer_reference = forms.CharField(
        label="Customer reference (PO)", max_length=100, required=False
    )
    discount_amount = forms.CharField(
        label="Invoice discount", max_length=20, required=False, widget=forms.TextInput(DECIMAL)
    )
    billing_name = forms.CharField(label="Bill to", max_length=200)
    billing_address = forms.CharField(
        label="Billing address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    billing_tax_id = forms.CharField(label="Customer tax ID", max_length=50, required=False)
    terms = forms.CharField(
        label="Terms text", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["discount_amount"] = data.get("discount_amount") or "0"
        return data


def tax_choices():
    return [("", "No tax")] + [
        (rate.pk, f"{rate.name} ({rate.rate.normalize():f} %)")
        for rate in TaxRate.objects.filter(active=True).order_by("rate", "name")
    ]


class LineAddForm(forms.Form):
    """Add a product (SKU or name) or a free text line (a service)."""

    product = forms.CharField(label="Product (SKU or name)", max_length=250, required=False)
    description = forms.CharField(label="or description", max_length=300, required=False)
    quantity = forms.CharField(label="Quantity", max_length=20, initial="1")
    unit_price = forms.CharField(
        label="Unit price", max_length=20, required=False, widget=forms.TextInput(DECIMAL)
    )
    tax_rate = forms.TypedChoiceField(label="Tax", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_rate"].choices = tax_choices()

    def clean(self):
        data = super().clean()
        if data.get("product"):
            data["product"] = resolve_product(data["product"])
        elif not data.get("description"):
            raise ValidationError("Type a product, or describe a service.")
        else:
            data["product"] = None
        return data

    def line_fields(self) -> dict:
        data = self.cleaned_data
        product = data["product"]
        fields = {
            "product": product,
            "description": data.get("description") or "",
            "quantity": data["quantity"],
        }
        if product is not None:
            fields["unit_price"] = data.get("unit_price") or product.selling_price
            fields["tax_rate"] = data.get("tax_rate") or product.tax_rate_id
        else:
            fields["unit_price"] = data.get("unit_price") or "0"
            fields["tax_rate"] = data.get("tax_rate")
        return fields


class LineForm(forms.Form):
    description = forms.CharField(max_length=300)
    quantity = forms.CharField(max_length=20)
    unit_price = forms.CharField(label="Unit price", max_length=20)
    discount_percent = forms.CharField(label="Discount %", max_length=10, required=False)
    tax_rate = forms.TypedChoiceField(label="Tax", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_rate"].choices = tax_choices()

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["discount_percent"] = data.get("discount_percent") or "0"
        return data


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason for voiding",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Printed on the credit note that cancels the invoice.",
    )


class EmailForm(forms.Form):
    to = forms.EmailField(label="Send to")
    message = forms.CharField(
        label="Message",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Leave empty for the standard text. The PDF is attached.",
    )


class CreditNoteForm(forms.Form):
    """Which invoice lines to credit and how much of each (default: none)."""

    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line, left in self.lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=f"{line.description} ({left.normalize():f} of {line.quantity.normalize():f} left)",
                min_value=0,
                max_digits=12,
                decimal_places=3,
                required=False,
                widget=forms.NumberInput(attrs={"step": "any"}),
            )

    def quantities(self) -> dict:
        return {
            line.pk: q
            for line, _left in self.lines
            if (q := self.cleaned_data.get(f"line_{line.pk}"))
        }


class StatementForm(forms.Form):
    start = forms.DateField(label="From", widget=DATE)
    end = forms.DateField(label="To", widget=DATE)
    currency = forms.ChoiceField(
        label="Currency",
        required=False,
        help_text="The documents' own currency, or the base currency the books hold.",
    )

    def __init__(self, *args, currencies: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(code, code) for code in currencies]
        if len(currencies) < 2:
            self.fields["currency"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("The period ends before it starts.")
        return data


# --- dunning and recurring invoices -----------------------------------------------------


class DunningLevelForm(forms.Form):
    name = forms.CharField(max_length=100, help_text='e.g. "First reminder".')
    days_after_due = forms.IntegerField(
        label="Days after due date",
        min_value=1,
        max_value=3650,
        help_text="Counted in the company's time zone.",
    )
    fee = forms.DecimalField(
        label="Fee",
        min_value=0,
        max_digits=18,
        decimal_places=2,
        initial=0,
        required=False,
        widget=forms.TextInput(attrs=DECIMAL),
        help_text="Issued as its own invoice in the reminded invoice's currency; 0 for none.",
    )
    subject = forms.CharField(label="Email subject", max_length=200)
    body = forms.CharField(
        label="Email text",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Placeholders: {customer} {number} {issue_date} {due_date} {days_overdue} "
        "{total} {open_amount} {currency} {fee} {level} {company}.",
    )
    active = forms.BooleanField(required=False, initial=True)


class RecurringForm(forms.Form):
    name = forms.CharField(max_length=200, help_text='e.g. "Maintenance contract".')
    customer = CustomerCodeField()
    currency = forms.ModelChoiceField(
        queryset=document_currencies(), required=False, empty_label="The customer's currency"
    )
    series = forms.ModelChoiceField(
        queryset=invoice_series(), required=False, empty_label="The default series"
    )
    interval = forms.ChoiceField(choices=[("", "Choose…")] + list(Interval.choices))
    day_of_month = forms.IntegerField(
        label="Day of month",
        min_value=1,
        max_value=31,
        help_text="29-31 fall on the last day of shorter months.",
    )
    start_date = forms.DateField(label="Start", widget=DATE)
    end_date = forms.DateField(label="End", widget=DATE, required=False)
    payment_terms_days = forms.IntegerField(
        label="Payment terms (days)", min_value=0, max_value=365, initial=30
    )
    auto_issue = forms.BooleanField(label="Issue automatically", required=False, initial=True)
    auto_email = forms.BooleanField(label="Email automatically", required=False)
    active = forms.BooleanField(required=False, initial=True)
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Printed on each invoice; empty for the template's name and period.",
    )


class RecurringLineForm(forms.Form):
    description = forms.CharField(max_length=300, required=False)
    quantity = forms.DecimalField(
        max_digits=12, decimal_places=3, required=False, widget=forms.TextInput(attrs=DECIMAL)
    )
    unit = forms.CharField(max_length=20, required=False, initial="pcs")
    unit_price = forms.DecimalField(
        label="Unit price",
        max_digits=18,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs=DECIMAL),
    )
    discount_percent = forms.DecimalField(
        label="Discount %",
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs=DECIMAL),
    )
    tax_rate = forms.ModelChoiceField(
        label="Tax",
        queryset=TaxRate.objects.filter(active=True),
        required=False,
        empty_label="No tax",
    )

    def row(self) -> dict | None:
        data = self.cleaned_data if self.is_valid() else {}
        if not (data.get("description") or "").strip():
            return None
        return {k: v for k, v in data.items() if v not in (None, "")}


RecurringLineFormSet = forms.formset_factory(RecurringLineForm, extra=3, max_num=50)

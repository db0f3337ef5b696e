"""Forms of the payment screens: they parse what a person typed; the services decide
(open balances, what is left of a payment, rates)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from apps.core.forms import IdempotentForm
from apps.finance.documents import document_currencies
from apps.sales.forms import CustomerCodeField

from .models import PaymentMethod

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


def amount_field(**kwargs) -> forms.DecimalField:
    kwargs.setdefault("widget", forms.TextInput(attrs=DECIMAL))
    return forms.DecimalField(max_digits=18, decimal_places=2, **kwargs)


class PaymentForm(IdempotentForm):
    """Money received: who, when, how much; one allocation field per open invoice."""

    customer = CustomerCodeField()
    date = forms.DateField(widget=DATE)
    method = forms.ChoiceField(choices=PaymentMethod.choices, initial=PaymentMethod.BANK_TRANSFER)
    amount = amount_field(label="Amount received")
    currency = forms.ModelChoiceField(
        queryset=document_currencies(), required=False, empty_label="The base currency"
    )
    exchange_rate = forms.DecimalField(
        label="Exchange rate",
        required=False,
        max_digits=18,
        decimal_places=8,
        help_text="Base currency per unit; leave empty for the rate on the payment date.",
        widget=forms.TextInput(attrs=DECIMAL),
    )
    reference = forms.CharField(max_length=140, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.invoices = list(invoices)
        for invoice in self.invoices:
            self.fields[f"alloc_{invoice.pk}"] = amount_field(
                label=f"Allocate to {invoice.number}", required=False, min_value=Decimal("0")
            )

    def allocations(self) -> dict[int, Decimal]:
        data = self.cleaned_data
        return {
            invoice.pk: data[f"alloc_{invoice.pk}"]
            for invoice in self.invoices
            if data.get(f"alloc_{invoice.pk}")
        }

    def allocation_rows(self):
        """(invoice, bound field) pairs for the allocation table."""
        return [(invoice, self[f"alloc_{invoice.pk}"]) for invoice in self.invoices]


class ReverseForm(IdempotentForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on the payment and its timeline, e.g. “cheque bounced”.",
    )


class CreditApplyForm(IdempotentForm):
    invoice = forms.TypedChoiceField(coerce=int, label="Invoice")
    amount = amount_field(help_text="In the payment's currency.")

    def __init__(self, *args, invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].choices = [
            (i.pk, f"{i.number} · due {i.due_date:%Y-%m-%d} · {i.open_amount} {i.currency_id} open")
            for i in invoices
        ]


class CreditRefundForm(IdempotentForm):
    amount = amount_field(help_text="In the payment's currency.")
    date = forms.DateField(widget=DATE)
    method = forms.ChoiceField(choices=PaymentMethod.choices, initial=PaymentMethod.BANK_TRANSFER)
    reference = forms.CharField(max_length=140, required=False)

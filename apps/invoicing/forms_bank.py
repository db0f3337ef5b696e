"""Forms of the bank statement screens: shape only; the services decide."""

from __future__ import annotations

from django import forms

from apps.customers.models import Customer
from apps.finance.models import Currency

from .bank.tabular import CSV_FIELDS, DATE_FORMATS
from .models import BankAccount, StatementFormat

FORMAT_CHOICES = [("", "Recognise it from the file"), *StatementFormat.choices]


class BankAccountForm(forms.ModelForm):
    class Meta:
        model = BankAccount
        fields = ["name", "iban", "currency", "active", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].queryset = Currency.objects.filter(active=True)

    def clean_iban(self):
        return "".join(self.cleaned_data["iban"].split()).upper()


class StatementUploadForm(forms.Form):
    account = forms.ModelChoiceField(
        label="Bank account", queryset=BankAccount.objects.filter(active=True)
    )
    format = forms.ChoiceField(label="File format", choices=FORMAT_CHOICES, required=False)
    file = forms.FileField(
        label="Statement file",
        help_text="CAMT.053 (XML), OFX, or CSV (you map its columns on the next page).",
    )


class MappingForm(forms.Form):
    """Which of the file's columns holds each of our fields (CSV statements)."""

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(h, h) for h in headers if h]
        for name, label, required in CSV_FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=label + (" *" if required else ""), choices=choices, required=False
            )
        self.fields["date_format"] = forms.ChoiceField(
            label="Date format", choices=[(k, v) for k, v in DATE_FORMATS.items()]
        )
        self.fields["decimal"] = forms.ChoiceField(
            label="Decimal separator",
            choices=[(".", "Point: 1,234.56"), (",", "Comma: 1.234,56")],
        )

    def mapping(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}


class UndoForm(forms.Form):
    reason = forms.CharField(
        label="Why is this match undone?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The payment is reversed with this reason; the invoices reopen.",
    )


class CustomerChoiceForm(forms.Form):
    customer = forms.ModelChoiceField(
        label="Customer who paid",
        queryset=Customer.objects.order_by("name"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

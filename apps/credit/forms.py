from decimal import Decimal

from django import forms
from phonenumber_field.formfields import PhoneNumberField

from apps.core.forms import IdempotentForm
from apps.finance.money import MAX_AMOUNT

from .models import Seller


class AmountField(forms.DecimalField):
    """A positive amount with at most 2 decimals; NaN, Infinity and huge values are refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Amount")
        super().__init__(
            max_digits=18,
            decimal_places=2,
            min_value=Decimal("0.01"),
            max_value=MAX_AMOUNT,
            error_messages={
                "min_value": "The amount must be greater than zero.",
                "max_value": "The amount is too large.",
                "max_decimal_places": "Use at most 2 decimal places.",
                "max_digits": "The amount is too large.",
                "max_whole_digits": "The amount is too large.",
            },
            **kwargs,
        )
        self.widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0.01"})


def phone_field(**kwargs) -> PhoneNumberField:
    return PhoneNumberField(
        help_text=kwargs.pop("help_text", "International format, e.g. +44 7911 123456."),
        error_messages={
            "invalid": "Enter a valid international phone number, e.g. +44 7911 123456."
        },
        **kwargs,
    )


class SellerCreateForm(forms.Form):
    company = forms.CharField(label="Company", max_length=200)
    email = forms.EmailField(label="Login email")
    full_name = forms.CharField(label="Contact name", max_length=150, required=False)
    phone = phone_field(label="Phone", required=False)
    password = forms.CharField(
        label="First password",
        required=False,
        widget=forms.PasswordInput,
        help_text="Needed when the email has no login yet; the seller can change it later.",
    )


class SellerUpdateForm(forms.ModelForm):
    phone = phone_field(label="Phone", required=False)

    class Meta:
        model = Seller
        fields = ["company", "phone", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class CreditRequestForm(forms.Form):
    amount = AmountField(label="Top-up amount")
    note = forms.CharField(
        label="Note for the accountant", max_length=500, required=False, widget=forms.TextInput
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_topup_%s")  # unique ids next to the charge form
        super().__init__(*args, **kwargs)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.TextInput)


class ChargeForm(IdempotentForm):
    """The key is the credit service's own submission key (required): a resent charge is
    answered with the first result (credit_charge), so no separate record is needed."""

    phone = phone_field(label="Phone number")
    amount = AmountField(label="Charge amount")
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_charge_%s")
        super().__init__(*args, **kwargs)

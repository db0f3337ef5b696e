"""Forms for the core screens (company settings).

finance.Currency is looked up through the app registry: core sits below finance.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError

from .media import image_side_problem
from .models import CompanySettings


class CompanySettingsForm(forms.ModelForm):
    class Meta:
        model = CompanySettings
        fields = [
            "name",
            "address",
            "tax_id",
            "email",
            "phone",
            "base_currency",
            "logo",
            "default_low_stock_threshold",
            "invoice_terms",
            "invoice_due_days",
            "time_zone",
            "fiscal_year_start_month",
            "postal_code",
            "city",
            "country_code",
            "registration_id",
            "bank_name",
            "iban",
            "bic",
            "portal_orders_auto_confirm",
            "bank_auto_apply",
            "notes",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "invoice_terms": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_base_currency(self):
        from django.apps import apps

        code = self.cleaned_data["base_currency"].strip().upper()
        Currency = apps.get_model("finance", "Currency")
        if not Currency.objects.filter(pk=code).exists():
            raise ValidationError("Unknown currency code. Add it under Finance > Currencies first.")
        changed = self.instance.pk and code != self.instance.base_currency
        if changed and apps.get_model("finance", "ExchangeRate").objects.exists():
            raise ValidationError(
                "The base currency cannot change once exchange rates are recorded: every stored rate is relative to it."
            )
        return code

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > 2 * 1024 * 1024:
            raise ValidationError("The logo may be at most 2 MB.")
        if problem := image_side_problem(logo):
            raise ValidationError(problem)
        return logo


class IdempotentForm(forms.Form):
    """A hidden key made when the form is first shown, so a resubmission of the same
    form (a lost reply, a double click) is done once (apps.core.idempotency.form_once)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

from django import forms
from django.core.exceptions import ValidationError

from apps.core.models import CompanySettings

from .models import Currency, ExchangeRate, TaxRate


class CurrencyForm(forms.ModelForm):
    class Meta:
        model = Currency
        fields = ["code", "name", "symbol", "minor_units", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.instance._state.adding:
            self.fields["code"].disabled = True

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean_active(self):
        active = self.cleaned_data["active"]
        if not active and self.instance.pk == CompanySettings.load().base_currency:
            raise ValidationError("The base currency cannot be deactivated.")
        return active


class ExchangeRateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "date", "rate", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "rate": "Units of the base currency one unit of this currency buys on that date."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        base = CompanySettings.load().base_currency
        self.fields["currency"].queryset = Currency.objects.filter(active=True).exclude(pk=base)


class TaxRateForm(forms.ModelForm):
    class Meta:
        model = TaxRate
        fields = ["name", "rate", "active", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

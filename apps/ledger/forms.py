from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.finance.models import Currency
from apps.finance.selectors import base_currency_code

from .models import Account


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["code", "name", "type", "parent", "currency", "is_group", "active", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"parent": "A group account of the same type; leave empty for a heading."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Account.objects.filter(is_group=True).order_by("code")
        self.fields["currency"].queryset = Currency.objects.filter(active=True)
        if not self.instance.pk:
            self.fields["currency"].initial = base_currency_code()
        self.has_lines = bool(self.instance.pk) and self.instance.lines.exists()
        if self.has_lines:
            for name in ("type", "currency", "is_group"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed: the account already has postings."

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean(self):
        data = super().clean()
        parent, type_ = data.get("parent"), data.get("type")
        if parent is not None and type_ and parent.type != type_:
            self.add_error(
                "parent", f"The parent is a {parent.get_type_display().lower()} account."
            )
        if parent is not None and self.instance.pk:
            node = parent
            while node is not None:
                if node.pk == self.instance.pk:
                    self.add_error("parent", "An account cannot sit below itself.")
                    break
                node = node.parent
        return data


class TrialBalanceForm(forms.Form):
    as_of = forms.DateField(label="As of", widget=forms.DateInput(attrs={"type": "date"}))
    include_zero = forms.BooleanField(label="Show zero balances", required=False)

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data else {}
        data.setdefault("as_of", timezone.localdate().isoformat())
        super().__init__(data, **kwargs)

    def clean_as_of(self):
        value = self.cleaned_data["as_of"]
        if value.year < 1900:
            raise ValidationError("Pick a date after 1900.")
        return value


class ReverseEntryForm(forms.Form):
    memo = forms.CharField(
        label="Why is this entry reversed?", max_length=200, widget=forms.TextInput()
    )

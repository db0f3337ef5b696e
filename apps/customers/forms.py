from django import forms
from django.contrib.auth import get_user_model
from django.forms import inlineformset_factory

from apps.accounts.roles import Role
from apps.core.models import CompanySettings
from apps.finance.documents import document_currencies

from .models import Address, Contact, Customer
from .services import ADDRESS_FIELDS, CONTACT_FIELDS, CUSTOMER_FIELDS


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = list(CUSTOMER_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        base = CompanySettings.load().base_currency
        self.fields["currency"].queryset = document_currencies()
        if not self.instance.pk:
            self.fields["currency"].initial = base
        self.fields["opening_balance"].label = f"Opening balance ({base})"
        self.fields["credit_limit"].label = f"Credit limit ({base})"
        users = get_user_model().objects.filter(groups__name=Role.CUSTOMER, is_active=True)
        self.fields["portal_user"].queryset = users.order_by("email")
        self.fields["portal_user"].label_from_instance = lambda u: u.email
        self.fields["portal_user"].empty_label = "No portal login"


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = list(CONTACT_FIELDS)


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = list(ADDRESS_FIELDS)


ContactFormSet = inlineformset_factory(
    Customer, Contact, form=ContactForm, extra=1, can_delete=True, max_num=50
)
AddressFormSet = inlineformset_factory(
    Customer, Address, form=AddressForm, extra=1, can_delete=True, max_num=20
)


def formset_rows(formset, fields) -> list[dict]:
    """The rows a service needs: {"id", "delete", <fields>} for each filled-in form."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or (form.instance.pk is None and not form.has_changed()):
            continue
        rows.append(
            {
                "id": form.instance.pk,
                "delete": bool(data.get("DELETE")),
                **{field: data.get(field) for field in fields},
            }
        )
    return rows

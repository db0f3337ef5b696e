"""One form per report type: the period (or date) and the filters that apply.

`parameters()` gives what the run stores: JSON-safe values (ISO dates, primary keys) plus
a readable label for each filter, so the list and the PDF can say what was asked.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from apps.catalog.models import Category
from apps.credit.models import Seller
from apps.customers.models import Customer
from apps.inventory.models import Store

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DAYS = 366 * 5
PERIOD_GROUPS = [("day", "Day"), ("week", "Week"), ("month", "Month")]


def _month_start() -> dt.date:
    return timezone.localdate().replace(day=1)


class PeriodForm(forms.Form):
    start = forms.DateField(label="First day", widget=DATE, initial=_month_start)
    end = forms.DateField(label="Last day", widget=DATE, initial=timezone.localdate)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date is before the start date.")
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", "Pick a period of at most five years.")
        return data

    def parameters(self) -> dict:
        params: dict = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            if isinstance(value, dt.date):
                params[name] = value.isoformat()
            elif hasattr(value, "pk"):
                params[name] = value.pk
                params[f"{name}_label"] = str(value)
            else:
                params[name] = value
        return params


class AsOfForm(PeriodForm):
    start = None
    end = forms.DateField(label="As of", widget=DATE, initial=timezone.localdate)


class CustomerCodeMixin:
    """A `customer` field typed as a code (a select of 100,000 customers would not do)."""

    def clean_customer(self):
        text = (self.cleaned_data["customer"] or "").strip()
        if not text:
            return None
        customer = Customer.all_objects.by_code(text).first()
        if customer is None:
            raise forms.ValidationError("No customer with this code.")
        return customer


def _customer_field() -> forms.CharField:
    return forms.CharField(
        label="Customer code",
        required=False,
        help_text="e.g. CUST-00001; empty for all customers.",
    )


def _store_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Store", required=False, queryset=Store.objects.order_by("name"), empty_label="All"
    )


def _category_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Category",
        required=False,
        queryset=Category.objects.order_by("name"),
        empty_label="All",
    )


class SalesReportForm(CustomerCodeMixin, PeriodForm):
    group_by = forms.ChoiceField(
        label="Group by",
        initial="month",
        choices=[
            *PERIOD_GROUPS,
            ("product", "Product"),
            ("category", "Category"),
            ("customer", "Customer"),
            ("store", "Store"),
        ],
    )
    store = _store_field()
    category = _category_field()
    customer = _customer_field()


class GrossProfitForm(PeriodForm):
    group_by = forms.ChoiceField(label="Group by", initial="month", choices=PERIOD_GROUPS)


class SellerCreditForm(PeriodForm):
    seller = forms.ModelChoiceField(
        label="Seller",
        required=False,
        queryset=Seller.objects.order_by("company"),
        empty_label="All sellers",
    )


class TaxReportForm(PeriodForm):
    pass


class AgingForm(CustomerCodeMixin, AsOfForm):
    customer = _customer_field()


class StockValuationForm(AsOfForm):
    group_by = forms.ChoiceField(
        label="Group by",
        initial="store",
        choices=[("store", "Store"), ("product", "Product"), ("category", "Category")],
    )
    store = _store_field()
    category = _category_field()

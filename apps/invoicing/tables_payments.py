"""The payment list: table (CSV through the list view) and filters."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.utils.html import format_html

from apps.core.filters import FilterSet
from apps.core.search import latest_only
from apps.core.tables import Table
from apps.customers.filters import customer_widget
from apps.customers.selectors import documents_matching
from apps.finance.money import format_money

from .filters import CustomerLookupMixin
from .models import Payment, PaymentMethod, PaymentState

RIGHT = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}
DATE = forms.DateInput(attrs={"type": "date"})


def state_badge(status: str) -> str:
    css = "text-bg-success" if status == PaymentState.POSTED else "text-bg-dark"
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>', css, status, status.capitalize()
    )


class PaymentTable(Table):
    number = tables.Column(linkify=True, order_by=("number", "id"))
    date = tables.DateColumn(format="Y-m-d", order_by=("date", "id"))
    customer = tables.Column(
        accessor="customer__name", verbose_name="Customer", order_by=("customer__name", "id")
    )
    method = tables.Column(order_by=("method", "id"))
    reference = tables.Column(orderable=False)
    amount = tables.Column(attrs=RIGHT, order_by=("amount", "id"))
    currency = tables.Column(accessor="currency_id", verbose_name="Currency")
    allocated = tables.Column(attrs=RIGHT, orderable=False)
    credit_left = tables.Column(verbose_name="Credit left", attrs=RIGHT, orderable=False)
    status = tables.Column(order_by=("status", "id"))

    class Meta:
        model = Payment
        fields = (
            "number",
            "date",
            "customer",
            "method",
            "reference",
            "amount",
            "currency",
            "allocated",
            "credit_left",
            "status",
        )
        attrs = {"class": "table table-hover align-middle"}
        order_by = ("-date",)

    def render_amount(self, value):
        return format_money(value)

    def render_allocated(self, value):
        return format_money(value)

    def render_credit_left(self, record):
        return "—" if record.is_reversed else format_money(record.credit_left)

    def value_credit_left(self, record):
        return "" if record.is_reversed else record.credit_left

    def render_status(self, record):
        return state_badge(record.status)

    def value_status(self, record):
        return record.status


class PaymentFilter(CustomerLookupMixin, FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "number, reference or customer"}),
    )
    customer = django_filters.CharFilter(
        label="Customer", method="by_customer", widget=customer_widget()
    )
    method = django_filters.ChoiceFilter(
        label="Method", choices=PaymentMethod.choices, empty_label="Any method"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=PaymentState.choices, empty_label="Any status"
    )
    with_credit = django_filters.BooleanFilter(
        label="Credit left",
        method="by_credit",
        widget=forms.Select(choices=[("", "Any"), ("true", "With credit left")]),
    )
    start = django_filters.DateFilter(
        label="From", field_name="date", lookup_expr="gte", widget=DATE
    )
    end = django_filters.DateFilter(label="To", field_name="date", lookup_expr="lte", widget=DATE)

    class Meta:
        model = Payment
        fields = ["q", "customer", "method", "status", "with_credit", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_customer_lookup()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        queryset = queryset.filter(documents_matching(value, "number", "reference"))
        return latest_only(self, queryset, value, ("date", "id"), "payments")

    def by_credit(self, queryset, name, value):
        """The stored credit left (equal to the annotated one, check_books): the few such
        payments are found by payment_credit_left_idx, whose condition this is."""
        if value:
            return queryset.filter(status=PaymentState.POSTED, unapplied__gt=0)
        return queryset

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse_lazy

from apps.core.filters import FilterSet, TypedLookupFilter

from .models import (
    CreditRequest,
    RequestStatus,
    Seller,
    SellerStatus,
    TransactionLog,
    TransactionStatus,
    TransactionType,
)
from .selectors import seller_label_for, sellers_matching, transactions_matching

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def _seller_lookup(**kwargs):
    return TypedLookupFilter(
        label="Seller",
        field_name="seller",
        matching=sellers_matching,
        label_for=seller_label_for,
        noun="seller",
        datalist="seller-options",
        lookup_url=reverse_lazy("seller-lookup"),
        placeholder="company, login or phone",
        **kwargs,
    )


class SellerFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "company, email, phone"}),
    )
    status = django_filters.ChoiceFilter(label="Status", choices=SellerStatus.choices)

    class Meta:
        model = Seller
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(company__icontains=value)
            | Q(user__email__icontains=value)
            | Q(phone__icontains=value)
        )


class CreatedBetween(FilterSet):
    """From/To on the creation date, shared by the credit lists."""

    start = django_filters.DateFilter(
        label="From", field_name="created_at", lookup_expr="date__gte", **DATE
    )
    end = django_filters.DateFilter(
        label="To", field_name="created_at", lookup_expr="date__lte", **DATE
    )


class CreditRequestFilter(CreatedBetween):
    status = django_filters.ChoiceFilter(label="Status", choices=RequestStatus.choices)
    seller = _seller_lookup()

    class Meta:
        model = CreditRequest
        fields = ["status", "seller", "start", "end"]


class SellerTransactionFilter(CreatedBetween):
    """Filters a seller sees on its own history (the staff log adds the seller)."""

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "phone or transaction id"}),
    )
    type = django_filters.ChoiceFilter(label="Type", choices=TransactionType.choices)
    status = django_filters.ChoiceFilter(label="Status", choices=TransactionStatus.choices)

    class Meta:
        model = TransactionLog
        fields = ["q", "type", "status", "start", "end"]

    def search(self, queryset, name, value):
        return queryset.filter(transactions_matching(value))


class TransactionFilter(SellerTransactionFilter):
    seller = _seller_lookup()

    class Meta(SellerTransactionFilter.Meta):
        fields = ["q", "seller", "type", "status", "start", "end"]

import django_filters
from django import forms
from django.db.models import Q

from apps.core.filters import FewChoicesFilter, FilterSet

from .models import Currency, ExchangeRate, TaxRate


class CurrencyFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "code or name"}),
    )
    active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = Currency
        fields = ["q", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class ExchangeRateFilter(FilterSet):
    currency = FewChoicesFilter(label="Currency", queryset=Currency.objects.filter(active=True))
    start = django_filters.DateFilter(
        label="From",
        field_name="date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = django_filters.DateFilter(
        label="To",
        field_name="date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = ExchangeRate
        fields = ["currency", "start", "end"]


class TaxRateFilter(FilterSet):
    active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = TaxRate
        fields = ["active"]

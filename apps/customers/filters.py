import django_filters
from django import forms

from apps.core.filters import FewChoicesFilter
from apps.finance.models import Currency

from .models import Customer, CustomerKind


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(
            attrs={"placeholder": "code, name, email or phone", "type": "search"}
        ),
    )
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=CustomerKind.choices, empty_label="Any kind"
    )
    currency = FewChoicesFilter(
        label="Currency",
        queryset=Currency.objects.filter(active=True).only("code"),  # its str
        empty_label="Any currency",
    )
    portal = django_filters.BooleanFilter(
        label="Portal login", field_name="portal_user", lookup_expr="isnull", exclude=True
    )
    active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = Customer
        fields = ["q", "kind", "currency", "portal", "active"]

    def search(self, queryset, name, value):
        return queryset.search(value)

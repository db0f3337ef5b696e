import django_filters
from django import forms
from django.urls import reverse_lazy

from apps.accounts.roles import Area
from apps.core.filters import FewChoicesFilter, FilterSet
from apps.core.permissions import has_access
from apps.finance.models import Currency

from .models import Customer, CustomerKind
from .selectors import filter_by_customer


def customer_widget() -> forms.TextInput:
    """A document list's "Customer" box: a code or part of a name, with suggestions."""
    return forms.TextInput(
        attrs={"placeholder": "code or name", "list": "customer-options", "autocomplete": "off"}
    )


class CustomerLookupMixin:
    """A document filter set's `customer` filter (method `by_customer`), suggesting
    customers as one types to those who may read them (a select of every customer would
    not scale). Call `add_customer_lookup()` from the filter set's __init__."""

    def add_customer_lookup(self):
        user = getattr(self.request, "user", None)
        if user is not None and has_access(user, Area.CUSTOMERS, "read"):
            self.filters["customer"].field.widget.attrs.update(
                {
                    "hx-get": reverse_lazy("customer-lookup"),
                    "hx-trigger": "input changed delay:200ms",
                    "hx-target": "#customer-options",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            )

    def by_customer(self, queryset, name, value):
        """A customer id (links from the customer page), a code, or part of a name."""
        return filter_by_customer(queryset, value)


class CustomerFilter(FilterSet):
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
        reference="customers.currencies",
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

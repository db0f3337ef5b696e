import django_filters
from django import forms
from django.db.models import Q

from apps.core.filters import FewChoicesFilter, FilterSet
from apps.core.search import latest_only
from apps.customers.filters import CustomerLookupMixin, customer_widget
from apps.customers.selectors import documents_matching
from apps.inventory.models import Store

from .models import Coupon, CouponKind, Order, OrderStatus, Return, ReturnDisposition

DATE = forms.DateInput(attrs={"type": "date"})


class OrderFilter(CustomerLookupMixin, FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(
            attrs={"placeholder": "number, customer or reference", "type": "search"}
        ),
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=OrderStatus.choices, empty_label="Any status"
    )
    customer = django_filters.CharFilter(
        label="Customer",
        method="by_customer",
        widget=customer_widget(),
    )
    store = FewChoicesFilter(
        label="Store",
        queryset=Store.objects.only("name"),  # an option reads its key and name
        empty_label="Any store",
        reference="sales.stores",
    )
    start = django_filters.DateFilter(
        label="From", field_name="order_date", lookup_expr="gte", widget=DATE
    )
    end = django_filters.DateFilter(
        label="To", field_name="order_date", lookup_expr="lte", widget=DATE
    )
    min_total = django_filters.NumberFilter(
        label="Total from", field_name="total", lookup_expr="gte"
    )
    max_total = django_filters.NumberFilter(label="Total to", field_name="total", lookup_expr="lte")

    class Meta:
        model = Order
        fields = ["q", "status", "customer", "store", "start", "end", "min_total", "max_total"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_customer_lookup()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        queryset = queryset.filter(documents_matching(value, "number", "reference"))
        return latest_only(self, queryset, value, ("order_date", "id"), "orders")


class ReturnFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "return or order number", "type": "search"}),
    )
    disposition = django_filters.ChoiceFilter(
        label="Goods", choices=ReturnDisposition.choices, empty_label="Restocked or written off"
    )
    start = django_filters.DateFilter(
        label="From", field_name="return_date", lookup_expr="gte", widget=DATE
    )
    end = django_filters.DateFilter(
        label="To", field_name="return_date", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = Return
        fields = ["q", "disposition", "start", "end"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(number__icontains=value) | Q(order__number__icontains=value))
            if value
            else queryset
        )


class CouponFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "code or description", "type": "search"}),
    )
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=CouponKind.choices, empty_label="Any kind"
    )
    active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = Coupon
        fields = ["q", "kind", "active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(code__icontains=value) | Q(description__icontains=value))
            if value
            else queryset
        )

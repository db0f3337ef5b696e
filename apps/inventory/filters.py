import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, Value
from django.db.models.functions import Upper
from django.utils import timezone

from apps.accounts.roles import STAFF_ROLES
from apps.catalog.filters import active_filter
from apps.catalog.models import Category, Product
from apps.core.filters import FewChoicesFilter, FilterSet

from .models import MovementType, StockLevel, StockMovement, Store
from .selectors import StockStatus


def _search(widget_placeholder: str):
    return django_filters.CharFilter(
        label="Product",
        method="by_product",
        widget=forms.TextInput(attrs={"placeholder": widget_placeholder, "type": "search"}),
    )


def _category_filter():
    return FewChoicesFilter(
        label="Category",
        field_name="product__category",
        queryset=Category.objects.only("pk", "name"),
        empty_label="All categories",
        reference="catalog.categories",
    )


class StockLevelFilter(FilterSet):
    store = FewChoicesFilter(
        label="Store",
        queryset=Store.objects.only("pk", "name"),
        empty_label="All stores",
        reference="inventory.stores",
    )
    q = _search("name, SKU or barcode")
    category = _category_filter()
    status = django_filters.ChoiceFilter(
        label="Stock", choices=StockStatus.CHOICES, empty_label="Any stock"
    )

    class Meta:
        model = StockLevel
        fields = ["store", "q", "category", "status"]

    def by_product(self, queryset, name, value):
        return queryset.filter(product__in=Product.all_objects.search_keys(value))


class LowStockFilter(FilterSet):
    store = FewChoicesFilter(
        label="Store",
        queryset=Store.objects.filter(active=True).only("pk", "name"),
        empty_label="All stores",
        reference="inventory.stores.active",
    )
    category = _category_filter()
    status = django_filters.ChoiceFilter(
        label="Stock",
        choices=[c for c in StockStatus.CHOICES if c[0] != StockStatus.IN_STOCK],
        empty_label="Low or out",
        method="by_status",
    )

    class Meta:
        model = StockLevel
        fields = ["store", "category", "status"]

    def by_status(self, queryset, name, value):
        """Out: also `quantity <= 0`, what the status means, which the levels' quantity
        index reads: compared through the status CASE alone, the out levels (38 of
        300,000) were looked for along the product name index. (Low is most low levels:
        the name index finds them soon, and `quantity > 0` made PostgreSQL sort them.)"""
        queryset = queryset.filter(status=value)
        if value == StockStatus.OUT:
            return queryset.filter(quantity__lte=0)
        return queryset


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class MovementFilter(FilterSet):
    store = FewChoicesFilter(
        label="Store",
        queryset=Store.all_objects.only("pk", "name"),
        empty_label="All stores",
        reference="inventory.stores.with_deleted",
    )
    product = _search("SKU, barcode or name")
    movement_type = django_filters.ChoiceFilter(
        label="Type", choices=MovementType.choices, empty_label="All types"
    )
    user = FewChoicesFilter(
        label="User",
        queryset=get_user_model()
        .objects.filter(Q(groups__name__in=STAFF_ROLES) | Q(is_superuser=True))
        .distinct()
        .order_by("email")
        .only("pk", "email", "full_name"),  # what the option shows (User.__str__)
        empty_label="Anyone",
        reference="inventory.staff",
    )
    start = django_filters.DateFilter(
        label="From", method="since", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = django_filters.DateFilter(
        label="To", method="until", widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = django_filters.CharFilter(label="Reference", method="by_reference")

    class Meta:
        model = StockMovement
        fields = ["store", "product", "movement_type", "user", "start", "end", "reference"]

    def by_product(self, queryset, name, value):
        """An exact SKU or barcode picks that product; other text matches names and SKUs."""
        exact = Product.all_objects.by_code(value)
        if exact is not None:
            return queryset.filter(product_id=exact.pk)
        return queryset.filter(product__in=Product.all_objects.search_keys(value))

    def by_reference(self, queryset, name, value):
        """The reference in any case, through the UPPER(reference), -id index (`iexact`
        compares the same on PostgreSQL but is a LIKE on SQLite)."""
        return queryset.alias(reference_upper=Upper("reference")).filter(
            reference_upper=Upper(Value(value.strip()))
        )

    def since(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def until(self, queryset, name, value):
        if value >= dt.date.max:  # 9999-12-31: no day after it, and nothing is later
            return queryset
        return queryset.filter(created_at__lt=_day_start(value + dt.timedelta(days=1)))


class StoreFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "name or code", "type": "search"}),
    )
    active = active_filter()

    class Meta:
        model = Store
        fields = ["q", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

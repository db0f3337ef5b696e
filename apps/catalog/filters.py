import django_filters
from django import forms

from apps.core.filters import FewChoicesFilter, FilterSet

from . import hooks
from .models import Category, Product


def active_filter() -> django_filters.BooleanFilter:
    """Any / Active / Inactive (the default widget says "Unknown")."""
    return django_filters.BooleanFilter(
        label="Status",
        widget=forms.Select(
            choices=[("", "Active or not"), ("true", "Active"), ("false", "Inactive")]
        ),
    )


def _store_choices():
    return hooks.stock.store_choices() if hooks.stock else []


def _status_choices():
    return hooks.stock.StockStatus.CHOICES if hooks.stock else []


class ProductFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "name, SKU or barcode", "type": "search"}),
    )
    category = FewChoicesFilter(
        label="Category",
        queryset=Category.objects.only("pk", "name"),
        empty_label="All categories",
        reference="catalog.categories",
    )
    status = django_filters.ChoiceFilter(
        label="Stock", choices=_status_choices, method="by_status", empty_label="Any stock"
    )
    store = django_filters.ChoiceFilter(
        label="Store", choices=_store_choices, method="by_store", empty_label="All stores"
    )
    min_price = django_filters.NumberFilter(
        label="Price from", field_name="selling_price", lookup_expr="gte"
    )
    max_price = django_filters.NumberFilter(
        label="Price to", field_name="selling_price", lookup_expr="lte"
    )
    active = active_filter()

    class Meta:
        model = Product
        fields = ["q", "category", "status", "store", "min_price", "max_price", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stores once per request: the callable was read once to name the empty
        # choice (apps.core.views.human_empty_choice) and again to write the options.
        self.filters["store"].extra["choices"] = _store_choices()

    def search(self, queryset, name, value):
        """A search that finds at most a few hundred products, as their keys read first
        (`search_keys`), so every sort and part of the page probes them by key: one
        store's stock order (apps/inventory/store_order.py) walked each of its runs
        through the whole catalog for a search that finds little (`q=zz`: 141-344 ms).
        One that finds more stays a condition, which a page's walk meets early (as a
        subquery of keys, each run of that order read all of them: `q=bolt` 28 -> 80 ms)."""
        keys = Product.all_objects.search_keys(value)
        if isinstance(keys, list):
            return queryset.filter(pk__in=keys)
        return queryset.search(value)

    def by_status(self, queryset, name, value):
        if "stock_status" not in queryset.query.annotations:
            return queryset
        return hooks.stock.filter_status(queryset, value)

    def by_store(self, queryset, name, value):
        """The view already counts stock in this store only (see ProductListView)."""
        return queryset


class CategoryFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        field_name="name",
        lookup_expr="icontains",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    class Meta:
        model = Category
        fields = ["q"]

"""Catalog API: categories, products (same services and errors as the screens), price history."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers

from apps.accounts.roles import Area
from apps.core.api.viewsets import AreaViewSet, ReadOnlyAreaViewSet, RecordViewSet
from apps.core.filters import FilterSet

from . import hooks, services
from .models import Category, Product, ProductPriceRecord


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "description", "notes", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class CategoryViewSet(mixins.DestroyModelMixin, RecordViewSet):
    """Product categories. DELETE moves to the trash, refused while products use it."""

    area = Area.CATALOG
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]

    def perform_destroy(self, instance):
        services.category_delete(category=instance)


class ProductSerializer(serializers.ModelSerializer):
    on_hand = serializers.IntegerField(read_only=True, help_text="Units in all stores.")
    stock_status = serializers.CharField(read_only=True, help_text="ok, low or out.")

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "category",
            "barcode",
            "description",
            "cost_price",
            "selling_price",
            "currency",
            "tax_rate",
            "low_stock_threshold",
            "active",
            "notes",
            "on_hand",
            "stock_status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness and money rules are the service's (same messages as the form).
        validators: list = []
        extra_kwargs = {"sku": {"validators": []}, "barcode": {"validators": []}}


class ProductFilter(FilterSet):
    sku = django_filters.CharFilter(field_name="sku", lookup_expr="iexact")
    stock_status = django_filters.CharFilter(method="by_status", help_text="ok, low_stock, out")
    min_price = django_filters.NumberFilter(field_name="selling_price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="selling_price", lookup_expr="lte")

    class Meta:
        model = Product
        fields = ["sku", "category", "active", "currency", "min_price", "max_price"]

    def by_status(self, queryset, name, value):
        if "stock_status" not in queryset.query.annotations:
            return queryset
        return queryset.filter(stock_status={"low_stock": "low"}.get(value, value))


class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AreaViewSet,
):
    """Products. Prices are decimal strings in the product's currency; every price change
    writes a price-history record. DELETE moves to the trash (refused while stock is on hand)."""

    area = Area.CATALOG
    queryset = Product.objects.select_related("category", "currency", "tax_rate")
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    search_fields = ["sku", "name", "barcode"]
    ordering_fields = ["sku", "name", "selling_price", "created_at"]
    ordering = ["sku"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        queryset = super().get_queryset()
        if hooks.stock:
            queryset = hooks.stock.annotate_products(queryset)
        return queryset

    def perform_create(self, serializer):
        serializer.instance = services.product_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.product_update(
            product=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def _with_stock(self, response):
        product = self.get_queryset().get(pk=response.data["id"])
        response.data = self.get_serializer(product).data  # with the stock figures
        return response

    def create(self, request, *args, **kwargs):
        return self._with_stock(super().create(request, *args, **kwargs))

    def update(self, request, *args, **kwargs):
        return self._with_stock(super().update(request, *args, **kwargs))

    def perform_destroy(self, instance):
        services.product_delete(product=instance)


class PriceRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductPriceRecord
        fields = [
            "id",
            "product",
            "changed_at",
            "changed_by",
            "currency",
            "old_price",
            "new_price",
            "old_cost",
            "new_cost",
            "old_currency",
        ]


class PriceHistoryViewSet(ReadOnlyAreaViewSet):
    """Every price and cost change of every product, newest first."""

    area = Area.CATALOG
    queryset = ProductPriceRecord.objects.all()
    serializer_class = PriceRecordSerializer
    filterset_fields = ["product", "currency"]
    ordering_fields = ["changed_at"]
    ordering = ["-changed_at", "-id"]

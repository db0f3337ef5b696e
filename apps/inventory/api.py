"""Inventory API: stores, stock levels, low stock and stock movements (the POS path).

POST /movements/ moves stock through the same services as the screens (receive, return,
remove, sale, adjust, transfer) and accepts an Idempotency-Key, so a POS terminal can
resend after a lost reply without moving stock twice.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.roles import Area
from apps.catalog.models import Product
from apps.core.api.idempotency import idempotent
from apps.core.api.pagination import CursorPages
from apps.core.api.viewsets import ReadOnlyAreaViewSet, RecordViewSet
from apps.core.filters import FilterSet

from . import selectors, services
from .models import MovementReason, MovementType, StockLevel, StockMovement, Store


class StoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Store
        fields = [
            "id",
            "name",
            "code",
            "address",
            "contact_name",
            "phone",
            "email",
            "active",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class StoreViewSet(RecordViewSet):
    """Stores (warehouses, shops). Deactivate with `active: false`: stores are never deleted."""

    area = Area.STOCK
    queryset = Store.objects.all()
    serializer_class = StoreSerializer
    filterset_fields = ["active", "code"]
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code"]
    ordering = ["name"]


class StockLevelSerializer(serializers.ModelSerializer):
    store_code = serializers.CharField(source="store.code", read_only=True)
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    threshold = serializers.IntegerField(read_only=True)
    stock_status = serializers.CharField(
        source="status", read_only=True, help_text="ok, low or out."
    )

    class Meta:
        model = StockLevel
        fields = [
            "id",
            "store",
            "store_code",
            "product",
            "product_sku",
            "quantity",
            "threshold",
            "stock_status",
            "updated_at",
        ]


class StoreSummarySerializer(serializers.Serializer):
    store = serializers.IntegerField(source="store.pk")
    store_code = serializers.CharField(source="store.code")
    store_name = serializers.CharField(source="store.name")
    products = serializers.IntegerField()
    units = serializers.IntegerField()
    low = serializers.IntegerField(help_text="Levels at or under their threshold.")


class LevelFilter(FilterSet):
    stock_status = django_filters.ChoiceFilter(
        field_name="status", choices=selectors.StockStatus.CHOICES
    )

    class Meta:
        model = StockLevel
        fields = ["store", "product", "stock_status"]


class StockLevelViewSet(ReadOnlyAreaViewSet):
    """Units of each product in each store (the sum of its movements), with stock status."""

    area = Area.STOCK
    queryset = StockLevel.objects.select_related("store", "product")
    serializer_class = StockLevelSerializer
    filterset_class = LevelFilter
    ordering_fields = ["quantity", "updated_at", "product__sku", "store__code"]
    ordering = ["product__sku", "store__code"]

    def get_queryset(self):
        return selectors.levels_with_status(super().get_queryset())

    @extend_schema(responses=StoreSummarySerializer(many=True), filters=False)
    @action(detail=False, pagination_class=None, filter_backends=[])
    def by_store(self, request):
        """One row per active store: products held, units, levels low or out."""
        return Response(StoreSummarySerializer(selectors.store_summaries(), many=True).data)


class LowStockViewSet(ReadOnlyAreaViewSet):
    """Levels at or under their threshold (active products in active stores)."""

    area = Area.STOCK
    serializer_class = StockLevelSerializer
    filterset_class = LevelFilter
    ordering_fields = ["quantity", "product__name", "store__name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return StockLevel.objects.none()
        return selectors.low_stock_levels()


class MovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockMovement
        fields = [
            "id",
            "store",
            "product",
            "product_sku",
            "product_name",
            "movement_type",
            "quantity",
            "previous_quantity",
            "new_quantity",
            "reason",
            "reference",
            "notes",
            "user",
            "related_store",
            "transfer_id",
            "created_at",
        ]


class MovementCreateSerializer(serializers.Serializer):
    """What a POS terminal or a person sends; the stock service checks the rules."""

    KINDS = ["receive", "return", "remove", "sale", "adjust", "transfer"]

    type = serializers.ChoiceField(
        choices=KINDS,
        help_text="receive (delivery), return (goods back), remove (needs a reason), "
        "sale, adjust (to a counted quantity, needs a reason), transfer (to to_store).",
    )
    store = serializers.PrimaryKeyRelatedField(
        queryset=Store.objects.all(), help_text="The store (the source of a transfer)."
    )
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.IntegerField(
        required=False, min_value=-(2**62), max_value=2**62, help_text="Units (not for adjust)."
    )
    counted_quantity = serializers.IntegerField(
        required=False, min_value=-(2**62), max_value=2**62, help_text="adjust: units counted."
    )
    to_store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.all(), required=False)
    reason = serializers.ChoiceField(
        choices=MovementReason.choices, required=False, allow_blank=True
    )
    unit_cost = serializers.DecimalField(
        required=False,
        allow_null=True,
        max_digits=18,
        decimal_places=4,
        min_value=0,
        help_text="receive: unit cost in the base currency (default: the product's cost).",
    )
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def save(self, *, user) -> list[StockMovement]:
        data = self.validated_data
        kind = data["type"]
        common = {
            "product": data["product"],
            "reference": data.get("reference", ""),
            "notes": data.get("notes", ""),
            "user": user,
        }
        quantity = data.get("quantity")
        if kind == "transfer":
            if "to_store" not in data:
                raise serializers.ValidationError({"to_store": ["Choose the receiving store."]})
            out, into = services.stock_transfer(
                from_store=data["store"], to_store=data["to_store"], quantity=quantity, **common
            )
            return [out, into]
        common["store"] = data["store"]
        reason = data.get("reason", "")
        if kind == "adjust":
            movement = services.stock_adjust(
                counted_quantity=data.get("counted_quantity"), reason=reason, **common
            )
        elif kind == "receive":
            movement = services.stock_receive(
                quantity=quantity, unit_cost=data.get("unit_cost"), reason=reason, **common
            )
        elif kind == "return":
            movement = services.stock_return(quantity=quantity, **common)
        else:
            movement_type = MovementType.SALE if kind == "sale" else MovementType.MANUAL_REMOVAL
            movement = services.stock_remove(
                quantity=quantity, movement_type=movement_type, reason=reason, **common
            )
        return [movement]


class MovementsCreatedSerializer(serializers.Serializer):
    movements = MovementSerializer(many=True)


class MovementViewSet(mixins.CreateModelMixin, ReadOnlyAreaViewSet):
    """The append-only stock movement log (cursor pages, newest first). POST moves stock."""

    area = Area.STOCK
    queryset = StockMovement.objects.all()
    serializer_class = MovementSerializer
    pagination_class = CursorPages
    filterset_fields = ["store", "product", "movement_type", "reason", "transfer_id"]
    ordering_fields: list = []  # cursor pages keep their own order
    search_fields = ["product_sku", "product_name", "reference"]

    def get_serializer_class(self):
        return MovementCreateSerializer if self.action == "create" else MovementSerializer

    @extend_schema(request=MovementCreateSerializer, responses={201: MovementsCreatedSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        data = MovementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movements = data.save(user=request.user)
        body = {"movements": MovementSerializer(movements, many=True).data}
        return Response(body, status=status.HTTP_201_CREATED)


class StockChangeViewSet(ReadOnlyAreaViewSet):
    """/products/stock-changes/: the same movement log, for one product or all (seed API)."""

    area = Area.STOCK
    queryset = StockMovement.objects.all()
    serializer_class = MovementSerializer
    pagination_class = CursorPages
    filterset_fields = ["product", "store", "movement_type"]
    ordering_fields: list = []

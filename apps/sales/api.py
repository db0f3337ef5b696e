"""Sales API: orders (+lines, confirm/cancel/fulfil), returns, coupons.

Every write calls the same service as the order screens, so the rules and their messages
are the same: stock, credit limit, coupons, drafts only, numbering.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from apps.accounts.roles import Area
from apps.catalog.models import Product
from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import ReadOnlyAreaViewSet, RecordViewSet
from apps.core.filters import FilterSet
from apps.customers.models import Customer
from apps.customers.selectors import documents_matching
from apps.finance.models import Currency
from apps.inventory.models import Store

from . import services
from .models import Coupon, Order, OrderLine, Return, ReturnDisposition


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [
            "id",
            "position",
            "product",
            "product_sku",
            "product_name",
            "quantity",
            "unit_price",
            "discount_percent",
            "tax_name",
            "tax_percent",
            "gross",
            "discount",
            "coupon_discount",
            "net",
            "tax",
            "total",
            "returned_quantity",
        ]


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    currency = serializers.CharField(source="currency_id", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "customer",
            "store",
            "currency",
            "exchange_rate",
            "order_date",
            "status",
            "source",
            "reference",
            "shipping_address",
            "coupon_code",
            "subtotal",
            "discount_total",
            "tax_total",
            "total",
            "total_base",
            "returned_total",
            "confirmed_at",
            "fulfilled_at",
            "cancelled_at",
            "cancel_reason",
            "credit_override_reason",
            "notes",
            "lines",
            "created_at",
        ]


class OrderDetailSerializer(OrderSerializer):
    credit_warning = serializers.SerializerMethodField(
        help_text="Set while a draft would take the customer past its credit limit."
    )

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "credit_warning"]

    def get_credit_warning(self, order) -> str:
        if order.status != "draft":
            return ""
        return services.credit_problem(order)


class LineWriteSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.IntegerField(min_value=-(2**31), max_value=2**31, default=1)
    unit_price = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    discount_percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )


class LineUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=-(2**31), max_value=2**31, required=False)
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    discount_percent = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)


class OrderCreateSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.all())
    currency = serializers.PrimaryKeyRelatedField(
        queryset=Currency.objects.all(), required=False, help_text="Default: the customer's."
    )
    order_date = serializers.DateField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    lines = LineWriteSerializer(many=True, required=False)


class OrderUpdateSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.all(), required=False)
    currency = serializers.PrimaryKeyRelatedField(queryset=Currency.objects.all(), required=False)
    order_date = serializers.DateField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    shipping_address = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    coupon_code = serializers.CharField(required=False, allow_blank=True, max_length=40)


class ConfirmSerializer(serializers.Serializer):
    override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Admin: exceed credit limit."
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=500)


class OrderFilter(FilterSet):
    min_total = django_filters.NumberFilter(field_name="total", lookup_expr="gte")
    max_total = django_filters.NumberFilter(field_name="total", lookup_expr="lte")
    order_date_after = django_filters.DateFilter(field_name="order_date", lookup_expr="gte")
    order_date_before = django_filters.DateFilter(field_name="order_date", lookup_expr="lte")
    search = django_filters.CharFilter(
        method="by_text", help_text="Number or customer reference containing it, or customer."
    )

    class Meta:
        model = Order
        fields = ["status", "customer", "store", "order_date", "source", "currency"]

    def by_text(self, queryset, name, value):
        """The order screen's search, every order (no short-search cut: no note to say so)."""
        value = value.strip()
        return (
            queryset.filter(documents_matching(value, "number", "reference")) if value else queryset
        )


def _add_lines(order: Order, lines: list[dict]) -> None:
    services.order_lines_add(
        order=order,
        items=[
            services.LineItem(
                product=line["product"],
                quantity=line.get("quantity", 1),
                unit_price=line.get("unit_price"),
                discount_percent=line.get("discount_percent"),
            )
            for line in lines
        ],
    )


class OrderViewSet(ReadOnlyAreaViewSet):
    """Sales orders. A portal customer sees only its own orders.

    Drafts are edited (PATCH, lines); `confirm/` takes the stock (one SALE movement per
    line) and checks the credit limit; `cancel/` gives confirmed stock back; `fulfil/`
    marks a confirmed order shipped."""

    area = Area.ORDERS
    own_actions = ("list", "retrieve")
    queryset = Order.objects.select_related("currency").prefetch_related("lines")
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    search_fields: list = []  # `search` is the screens' search (OrderFilter.by_text)
    ordering_fields = ["order_date", "number", "total", "created_at"]
    ordering = ["-order_date", "-id"]

    own_path = "customer__portal_user"

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer

    def _answer(self, order: Order, code=status.HTTP_200_OK) -> Response:
        return self.answer(order, code, OrderDetailSerializer)

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderDetailSerializer})
    def create(self, request):
        """A draft order, optionally with its lines (all or nothing)."""
        data = self.validated(OrderCreateSerializer)
        fields = dict(data)
        lines = fields.pop("lines", [])
        with transaction.atomic():
            order = services.order_create(**fields)
            _add_lines(order, lines)
        return self._answer(order, status.HTTP_201_CREATED)

    @extend_schema(request=OrderUpdateSerializer, responses=OrderDetailSerializer)
    def partial_update(self, request, pk=None):
        """Change a draft's header (and its coupon code)."""
        order = self.get_object()
        data = self.validated(OrderUpdateSerializer)
        fields = dict(data)
        coupon = fields.pop("coupon_code", None)
        with transaction.atomic():
            if fields:
                order = services.order_update(order=order, **fields)
            if coupon is not None:
                order = services.order_coupon_set(order=order, code=coupon)
        return self._answer(order)

    @extend_schema(responses=OrderLineSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def lines(self, request, pk=None):
        return Response(OrderLineSerializer(self.get_object().lines.all(), many=True).data)

    @extend_schema(
        request=LineWriteSerializer(many=True),
        responses={201: OrderDetailSerializer},
        description="Add lines to a draft, one or many at once (all or nothing); a product "
        "already on the order raises that line's quantity.",
    )
    @lines.mapping.post
    def lines_create(self, request, pk=None):
        order = self.get_object()
        many = isinstance(request.data, list)
        data = self.validated(LineWriteSerializer, many=many)
        with transaction.atomic():
            _add_lines(order, data if many else [data])
        return self._answer(order, status.HTTP_201_CREATED)

    @extend_schema(request=LineUpdateSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["patch"], url_path=r"lines/(?P<line_id>\d+)")
    def line(self, request, pk=None, line_id=None):
        order = self.get_object()
        line = get_object_or_404(OrderLine, pk=line_id, order=order)
        data = self.validated(LineUpdateSerializer)
        services.order_line_update(line=line, **data)
        return self._answer(order)

    @extend_schema(responses=OrderDetailSerializer)
    @line.mapping.delete
    def line_delete(self, request, pk=None, line_id=None):
        order = self.get_object()
        line = get_object_or_404(OrderLine, pk=line_id, order=order)
        services.order_line_remove(line=line)
        return self._answer(order)

    @extend_schema(request=ConfirmSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def confirm(self, request, pk=None):
        order = self.get_object()
        data = self.validated(ConfirmSerializer)
        order = services.order_confirm(
            order=order,
            user=request.user,
            override_reason=data.get("override_reason", ""),
        )
        return self._answer(order)

    @extend_schema(request=CancelSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, pk=None):
        order = self.get_object()
        data = self.validated(CancelSerializer)
        order = services.order_cancel(order=order, reason=data["reason"], user=request.user)
        return self._answer(order)

    @extend_schema(request=None, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def fulfil(self, request, pk=None):
        order = services.order_fulfil(order=self.get_object(), user=request.user)
        return self._answer(order)


class ReturnLineWriteSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=-(2**31), max_value=2**31)


class ReturnSerializer(serializers.ModelSerializer):
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Return
        fields = [
            "id",
            "number",
            "order",
            "return_date",
            "reason",
            "disposition",
            "store",
            "net",
            "tax",
            "total",
            "lines",
            "created_at",
        ]

    def get_lines(self, obj) -> list[dict]:
        return [
            {"order_line": line.order_line_id, "quantity": line.quantity, "total": line.total}
            for line in obj.lines.all()
        ]


class ReturnCreateSerializer(serializers.Serializer):
    order = serializers.PrimaryKeyRelatedField(queryset=Order.objects.all())
    reason = serializers.CharField(allow_blank=True, max_length=2000)
    disposition = serializers.ChoiceField(choices=ReturnDisposition.choices)
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.all(), required=False)
    return_date = serializers.DateField(required=False)
    lines = ReturnLineWriteSerializer(many=True, allow_empty=True)


class ReturnViewSet(ReadOnlyAreaViewSet):
    """Returns of confirmed or fulfilled orders (Warehouse may record them)."""

    area = Area.ORDERS
    action_needs = {"create": "returns"}
    own_actions = ("list", "retrieve")
    queryset = Return.objects.prefetch_related("lines")
    serializer_class = ReturnSerializer
    filterset_fields = ["order", "disposition", "store", "return_date"]
    ordering_fields = ["return_date", "number"]
    ordering = ["-return_date", "-id"]

    own_path = "order__customer__portal_user"

    @extend_schema(request=ReturnCreateSerializer, responses={201: ReturnSerializer})
    @idempotent
    def create(self, request):
        data = self.validated(ReturnCreateSerializer)
        fields = dict(data)
        quantities: dict[int, int] = {}
        for line in fields.pop("lines"):
            quantities[line["order_line"]] = (
                quantities.get(line["order_line"], 0) + line["quantity"]
            )
        doc = services.return_create(quantities=quantities, user=request.user, **fields)
        return Response(ReturnSerializer(doc).data, status=status.HTTP_201_CREATED)


class CouponSerializer(serializers.ModelSerializer):
    class Meta:
        model = Coupon
        fields = [
            "id",
            "code",
            "description",
            "kind",
            "value",
            "valid_from",
            "valid_to",
            "max_uses",
            "times_used",
            "min_order_total",
            "active",
            "notes",
        ]
        read_only_fields = ["id", "times_used"]


class CouponViewSet(RecordViewSet):
    """Discount codes. Deactivate with `active: false`."""

    area = Area.ORDERS
    queryset = Coupon.objects.all()
    serializer_class = CouponSerializer
    filterset_fields = ["active", "kind"]
    search_fields = ["code", "description"]
    ordering_fields = ["code", "valid_to"]
    ordering = ["code"]

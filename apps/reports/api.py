"""Dashboard insights for integrations: the cards the role may see, and seed 002's three
headline figures (total customers, today's sales, low stock) where the role may read them."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.accounts.roles import Area
from apps.core.api.viewsets import AreaViewSet
from apps.core.permissions import has_access
from apps.customers.models import Customer
from apps.finance import money
from apps.finance.selectors import base_currency_code
from apps.inventory.selectors import low_stock_levels
from apps.sales.models import OPEN_STATUSES, Order

from .dashboard import dashboard_for


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class CardSerializer(serializers.Serializer):
    title = serializers.CharField()
    area = serializers.CharField()
    figures = FigureSerializer(many=True)


class TodaySalesSerializer(serializers.Serializer):
    orders = serializers.IntegerField(help_text="Confirmed or fulfilled orders dated today.")
    total = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField()


class InsightsSerializer(serializers.Serializer):
    total_customers = serializers.IntegerField(allow_null=True)
    today_sales = TodaySalesSerializer(allow_null=True)
    low_stock = serializers.IntegerField(allow_null=True, help_text="Levels low or out.")
    cards = CardSerializer(many=True)


def _today_sales() -> dict:
    sums = Order.objects.filter(order_date=timezone.localdate()).aggregate(
        orders=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        total=Sum("total_base", filter=Q(status__in=OPEN_STATUSES)),
    )
    total = money.quantize(sums["total"] or Decimal("0"))
    return {"orders": sums["orders"], "total": total, "currency": base_currency_code()}


class DashboardViewSet(AreaViewSet):
    """The dashboard's figures; null where the role may not read the area."""

    single_object = True  # `list` answers one object

    area = Area.LEDGER
    action_needs = {"list": "figures"}
    serializer_class = InsightsSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses=InsightsSerializer)
    def list(self, request):
        user = request.user

        def can(area):
            return has_access(user, area, "read")

        body = {
            "total_customers": Customer.objects.count() if can(Area.CUSTOMERS) else None,
            "today_sales": _today_sales() if can(Area.ORDERS) else None,
            "low_stock": low_stock_levels().count() if can(Area.STOCK) else None,
            "cards": [
                {
                    "title": card.title,
                    "area": str(card.area),
                    "figures": [{"label": k, "value": v} for k, v in card.figures],
                }
                for card in dashboard_for(user).cards
            ],
        }
        return Response(InsightsSerializer(body).data)

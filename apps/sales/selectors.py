"""Reads about orders shared by the screens, the customer pages, the portal and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.customers.models import Customer
from apps.finance import money
from apps.finance.selectors import base_currency_code
from apps.inventory.models import StockLevel

from .models import OPEN_STATUSES, Order, OrderLine, OrderStatus

ZERO = Decimal("0")


def customer_orders(customer: Customer):
    return (
        Order.objects.for_customer(customer).select_related("store").order_by("-order_date", "-id")
    )


def has_open_orders(customer: Customer) -> str:
    """The delete guard: a customer with drafts or confirmed orders stays."""
    count = Order.objects.filter(
        customer=customer, status__in=(OrderStatus.DRAFT, OrderStatus.CONFIRMED)
    ).count()
    if count:
        return (
            f"{customer} has {count} open order{'s' if count != 1 else ''}; "
            "fulfil or cancel them first."
        )
    return ""


def available_by_product(order: Order, product_ids) -> dict[int, int]:
    """Units on hand in the order's store for these products (one query)."""
    return dict(
        StockLevel.objects.filter(
            store_id=order.store_id, product_id__in=list(product_ids)
        ).values_list("product_id", "quantity")
    )


@dataclass
class EntryLine:
    line: OrderLine
    available: int

    @property
    def short_by(self) -> int:
        return max(self.line.quantity - self.available, 0)


def entry_lines(order: Order) -> list[EntryLine]:
    lines = list(order.lines.all())
    available = available_by_product(order, [line.product_id for line in lines])
    return [EntryLine(line, available.get(line.product_id, 0)) for line in lines]


def dashboard_figures() -> list[tuple[str, str]]:
    """The Sales card on the dashboard (base currency)."""
    today = timezone.localdate()
    month_start = today.replace(day=1)
    counts = Order.objects.aggregate(
        drafts=Count("pk", filter=Q(status=OrderStatus.DRAFT)),
        to_ship=Count("pk", filter=Q(status=OrderStatus.CONFIRMED)),
        today=Count("pk", filter=Q(order_date=today)),
        month=Sum(
            "total_base",
            filter=Q(status__in=OPEN_STATUSES, order_date__gte=month_start),
        ),
    )
    return [
        ("Orders today", f"{counts['today']:,}"),
        ("Drafts to confirm", f"{counts['drafts']:,}"),
        ("Confirmed, to ship", f"{counts['to_ship']:,}"),
        ("Sales this month", money.format_money(counts["month"] or ZERO, base_currency_code())),
    ]


__all__ = [
    "customer_orders",
    "dashboard_figures",
    "entry_lines",
    "has_open_orders",
]

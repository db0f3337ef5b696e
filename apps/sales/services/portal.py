"""Orders placed by a customer in the portal (the same services as the staff screens)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from apps.catalog.models import Product
from apps.core.models import CompanySettings
from apps.customers.models import Customer
from apps.inventory.models import Store

from ..models import (
    Order,
    OrderSource,
)
from .common import (
    OrderError,
)
from .orders import (
    order_confirm,
    order_create,
    order_line_add,
)


@dataclass
class PortalOutcome:
    order: Order
    confirmed: bool
    problem: str = ""


@transaction.atomic
def portal_order_place(
    *, customer: Customer, items: Iterable[tuple[Product, int]], reference: str = "", user=None
) -> PortalOutcome:
    """A customer's own order: a draft for Sales, or confirmed at once when the company
    setting says so (if that confirmation is refused, the draft stays for Sales)."""
    items = [(product, quantity) for product, quantity in items if quantity]
    if not items:
        raise OrderError("Add at least one product.")
    store = Store.objects.filter(active=True).order_by("pk").first()
    if store is None:
        raise OrderError("Ordering is not possible right now: no store is open.")
    order = order_create(
        customer=customer, store=store, reference=reference, source=OrderSource.PORTAL
    )
    for product, quantity in items:
        order_line_add(order=order, product=product, quantity=quantity)
    if not CompanySettings.load().portal_orders_auto_confirm:
        return PortalOutcome(order, confirmed=False)
    try:
        with transaction.atomic():
            order_confirm(order=order, user=user)
    except OrderError as exc:
        order.refresh_from_db()
        return PortalOutcome(order, confirmed=False, problem=" ".join(exc.messages))
    order.refresh_from_db()
    return PortalOutcome(order, confirmed=True)

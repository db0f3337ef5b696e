"""Demo orders: 80 over the last months, through the real services (so stock, coupons,
numbering and the timeline are exactly what the app itself would write). Few enough that a
fresh `make run` loads them in seconds (issue 12), enough that every status, currency,
coupon, return and the portal customer's history show on every screen.

The benchmark orders (about N, demo_scale.py) are built in bulk: priced by the same pricing code,
and confirmed ones take their stock as SALE movements, so check_books still holds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.request_context import acting_as
from apps.customers.models import Customer
from apps.finance.models import Currency
from apps.finance.selectors import MissingExchangeRate
from apps.inventory.models import Store

from . import services
from .models import (
    Coupon,
    CouponKind,
    Order,
    OrderSource,
    ReturnDisposition,
)

ORDERS = 80

COUPONS = [
    ("WELCOME10", "10 % off a first order", CouponKind.PERCENT, "10", None, None, 100),
    ("SAVE5", "5 USD off orders over 50 USD", CouponKind.FIXED, "5", "50", None, None),
    ("SUMMER15", "Summer sale, 15 %", CouponKind.PERCENT, "15", None, -60, 50),
]


def _coupons(today: dt.date) -> dict[str, Coupon]:
    coupons = {}
    for code, text, kind, value, minimum, ended_days_ago, uses in COUPONS:
        coupon = Coupon.all_objects.filter(code=code).first()
        if coupon is None:
            coupon = Coupon.objects.create(
                code=code,
                description=text,
                kind=kind,
                value=Decimal(value),
                min_order_total=Decimal(minimum) if minimum else None,
                valid_from=today - dt.timedelta(days=150),
                valid_to=today + dt.timedelta(days=ended_days_ago) if ended_days_ago else None,
                max_uses=uses,
            )
        coupons[code] = coupon
    return coupons


def seed(*, stdout) -> None:
    today = timezone.localdate()
    coupons = _coupons(today)
    if Order.all_objects.exists():
        return
    customers = list(Customer.objects.filter(active=True).order_by("pk")[:40])
    stores = list(Store.objects.filter(active=True).order_by("pk"))
    products = list(
        Product.objects.filter(active=True).exclude(sku__startswith="SC-").order_by("pk")
    )
    if not (customers and stores and products):
        return
    sales = get_user_model().objects.filter(email="sales@demo.test").first()
    acme = next((c for c in customers if c.name == "Acme Retail"), customers[0])
    rng = random.Random(2026)
    outcome: dict[str, int] = defaultdict(int)
    with acting_as(sales):
        for i in range(ORDERS):
            customer = acme if i % 4 == 0 else rng.choice(customers)
            order_date = today - dt.timedelta(days=int(110 * (1 - i / ORDERS)) + rng.randint(0, 3))
            currency = customer.currency if rng.random() < 0.85 else Currency.objects.get(pk="USD")
            store = stores[0] if rng.random() < 0.8 or len(stores) == 1 else rng.choice(stores[1:])
            try:
                order = services.order_create(
                    customer=customer,
                    store=store,
                    currency=currency,
                    order_date=order_date,
                    reference=f"PO-{7000 + i}" if rng.random() < 0.6 else "",
                    source=OrderSource.PORTAL
                    if customer == acme and i % 16 == 0
                    else OrderSource.BACKOFFICE,
                )
                items = [
                    services.LineItem(
                        product=product,
                        quantity=rng.randint(1, 4),
                        discount_percent=Decimal(rng.choice([0, 0, 0, 5, 10])),
                    )
                    for product in rng.sample(products, rng.randint(1, 4))
                ]
                services.order_lines_add(order=order, items=items)
                if i % 6 == 3:
                    code = "SUMMER15" if order_date < today - dt.timedelta(days=60) else "WELCOME10"
                    with contextlib.suppress(services.OrderError):
                        services.order_coupon_set(order=order, code=coupons[code].code)
            except (services.OrderError, MissingExchangeRate):
                outcome["skipped"] += 1
                continue
            _advance(order, i, rng, outcome)
    stdout.write("  orders: " + ", ".join(f"{n} {state}" for state, n in sorted(outcome.items())))


def _advance(order: Order, i: int, rng: random.Random, outcome: dict) -> None:
    """Move a fresh draft to its demo fate: draft, confirmed, fulfilled, cancelled, returned."""
    fate = rng.random()
    if fate < 0.12:
        outcome["draft"] += 1
        return
    if fate < 0.17:
        services.order_cancel(order=order, reason="Customer changed their mind.")
        outcome["cancelled"] += 1
        return
    try:
        services.order_confirm(order=order)
    except services.OrderError:
        outcome["draft (refused)"] += 1
        return
    if fate < 0.25:
        services.order_cancel(order=order, reason="Duplicate order, cancelled after confirming.")
        outcome["cancelled"] += 1
        return
    if fate < 0.55:
        outcome["confirmed"] += 1
        return
    services.order_fulfil(order=order)
    outcome["fulfilled"] += 1
    if i % 5 == 2:
        line = order.lines.first()
        services.return_create(
            order=order,
            quantities={line.pk: 1},
            reason="Damaged in transit." if i % 2 else "Wrong item delivered.",
            disposition=ReturnDisposition.WRITE_OFF if i % 2 else ReturnDisposition.RESTOCK,
        )
        outcome["with a return"] += 1

"""Demo orders: 80 over the last months, through the real services (so stock, coupons,
numbering and the timeline are exactly what the app itself would write). Few enough that a
fresh `make run` loads them in seconds (issue 12), enough that every status, currency,
coupon, return and the portal customer's history show on every screen.

`seed_scale` adds about N orders in bulk for benchmarks: priced by the same pricing code,
and confirmed ones take their stock as SALE movements, so check_books still holds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.request_context import acting_as
from apps.core.sequences import sequence_reserve
from apps.customers.models import Customer
from apps.finance import money
from apps.finance.models import Currency
from apps.finance.selectors import MissingExchangeRate, rate_on
from apps.inventory import valuation
from apps.inventory.models import MovementType, StockLevel, StockMovement, Store
from apps.ledger import chart

from . import services
from .models import (
    Coupon,
    CouponKind,
    Order,
    OrderLine,
    OrderSource,
    OrderStatus,
    ReturnDisposition,
)
from .pricing import LineInput, order_amounts

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


# --- scale ------------------------------------------------------------------------------

SCALE_REFERENCE = "SCALE-"
BATCH = 5000


class RateBook:
    """Rates by (currency, date), looked up once each."""

    def __init__(self):
        self.cache: dict[tuple[str, dt.date], Decimal] = {}

    def __call__(self, code: str, date: dt.date) -> Decimal:
        key = (code, date)
        if key not in self.cache:
            self.cache[key] = rate_on(code, date)
        return self.cache[key]


def seed_scale(*, scale: int, stdout) -> None:
    """About `scale` orders: 15 % drafts, 5 % cancelled drafts, the rest confirmed or
    fulfilled with their SALE movements (a receipt first where stock is short)."""
    have = Order.all_objects.filter(reference__startswith=SCALE_REFERENCE).count()
    if have >= scale:
        return
    customers = list(Customer.objects.values_list("pk", "currency_id"))
    store = Store.objects.filter(active=True).order_by("pk").first()
    pool = Product.objects.filter(active=True, sku__startswith="SC-")
    if not pool.exists():
        pool = Product.objects.filter(active=True)
    products = list(pool.select_related("tax_rate", "category").order_by("pk")[:20000])
    if not (customers and store and products):
        return
    minor = dict(Currency.all_objects.values_list("code", "minor_units"))
    rates = RateBook()
    rng = random.Random(scale)
    today = timezone.localdate()
    made = 0
    for start in range(have, scale, BATCH):
        count = min(BATCH, scale - start)
        with transaction.atomic():
            made += _scale_batch(count, start, customers, store, products, minor, rates, rng, today)
    if connection.vendor == "postgresql":  # fresh statistics after a bulk load
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE sales_order, sales_orderline, inventory_stockmovement, inventory_stocklevel"
            )
    stdout.write(f"  {made} scale orders")


def _scale_batch(count, start, customers, store, products, minor, rates, rng, today) -> int:
    plans = []
    for n in range(count):
        customer_id, currency = customers[rng.randrange(len(customers))]
        if minor.get(currency, 2) > 2:
            currency = "USD"
        order_date = today - dt.timedelta(days=rng.randint(0, 110))
        try:
            rate = rates(currency, order_date)
        except MissingExchangeRate:
            currency, rate = "USD", Decimal("1")
        chosen = rng.sample(products, min(rng.randint(1, 5), len(products)))
        lines = []
        for product in chosen:
            if product.currency_id == currency:
                price = money.quantize(product.selling_price, minor[currency])
            else:
                price = money.convert(
                    product.selling_price,
                    from_rate=rates(product.currency_id, order_date),
                    to_rate=rate,
                    minor_units=minor[currency],
                )
            tax = product.tax_rate
            lines.append((product, rng.randint(1, 5), price, Decimal(rng.choice([0, 0, 5])), tax))
        roll = rng.random()
        status = (
            OrderStatus.DRAFT
            if roll < 0.15
            else OrderStatus.CANCELLED
            if roll < 0.2
            else OrderStatus.CONFIRMED
            if roll < 0.5
            else OrderStatus.FULFILLED
        )
        plans.append((customer_id, currency, rate, order_date, lines, status, start + n))
    by_year = defaultdict(int)
    for plan in plans:
        by_year[plan[3].year] += 1
    next_number = {
        year: sequence_reserve(name=f"SO-{year}", count=n) for year, n in by_year.items()
    }
    now = timezone.now()
    orders, line_rows = [], []
    for customer_id, currency, rate, order_date, lines, status, n in plans:
        result = order_amounts(
            [
                LineInput(q, price, disc, tax.rate if tax else Decimal(0))
                for _, q, price, disc, tax in lines
            ],
            minor_units=minor[currency],
        )
        year = order_date.year
        number = f"SO-{year}-{next_number[year]:05d}"
        next_number[year] += 1
        confirmed = status in (OrderStatus.CONFIRMED, OrderStatus.FULFILLED)
        order = Order(
            number=number,
            customer_id=customer_id,
            store=store,
            currency_id=currency,
            exchange_rate=rate,
            order_date=order_date,
            status=status,
            reference=f"{SCALE_REFERENCE}{n}",
            **services.order_totals(result, rate),
            confirmed_at=now if confirmed else None,
            fulfilled_at=now if status == OrderStatus.FULFILLED else None,
            cancelled_at=now if status == OrderStatus.CANCELLED else None,
            cancel_reason="Scale data." if status == OrderStatus.CANCELLED else "",
            created_at=now,
        )
        orders.append(order)
        for position, ((product, q, price, disc, tax), amounts) in enumerate(
            zip(lines, result.lines, strict=True), 1
        ):
            line_rows.append(
                (
                    order,
                    OrderLine(
                        position=position,
                        product=product,
                        product_sku=product.sku,
                        product_name=product.name,
                        quantity=q,
                        unit_price=price,
                        discount_percent=disc,
                        tax_name=tax.name if tax else "",
                        tax_percent=tax.rate if tax else Decimal(0),
                        gross=amounts.gross,
                        discount=amounts.discount,
                        coupon_discount=amounts.coupon_discount,
                        net=amounts.net,
                        tax=amounts.tax,
                        total=amounts.total,
                    ),
                )
            )
    Order.objects.bulk_create(orders, batch_size=BATCH)
    for order, line in line_rows:
        line.order_id = order.pk
    _take_stock(
        store,
        [
            (order.number, line)
            for order, line in line_rows
            if order.status in (OrderStatus.CONFIRMED, OrderStatus.FULFILLED)
        ],
        rates,
        today,
    )
    OrderLine.objects.bulk_create([line for _, line in line_rows], batch_size=BATCH)
    return len(orders)


def _take_stock(store: Store, sold: list[tuple[str, OrderLine]], rates, today) -> None:
    """SALE movements for confirmed scale orders, chained on the current levels; a RECEIPT
    (at the product's cost) first wherever a level would not cover what is sold. Values
    follow apps/inventory/valuation.py; the batch posts one entry (restocks, cost of
    goods sold) and each line keeps its cost."""
    need: dict[int, int] = defaultdict(int)
    for _, line in sold:
        need[line.product_id] += line.quantity
    levels = {
        level.product_id: level
        for level in StockLevel.objects.filter(store=store, product_id__in=list(need))
    }
    new_levels = []
    for product_id in need:
        if product_id not in levels:
            levels[product_id] = StockLevel(store=store, product_id=product_id, quantity=0)
            new_levels.append(levels[product_id])
    StockLevel.objects.bulk_create(new_levels, batch_size=BATCH)
    levels = {
        level.product_id: level
        for level in StockLevel.objects.filter(store=store, product_id__in=list(need))
    }
    now = timezone.now()
    movements = []
    products = {line.product_id: line.product for _, line in sold}

    posted = {"received": Decimal(0), "sold": Decimal(0)}

    def move(product_id: int, kind: str, quantity: int, reference: str) -> Decimal:
        level = levels[product_id]
        product = products[product_id]
        if quantity > 0:
            rate = rates(product.currency_id, today)
            unit_cost = money.to_base(product.cost_price, rate, valuation.COST_PLACES)
            value = valuation.receipt_value(quantity, unit_cost)
            posted["received"] += value
        else:
            unit_cost = level.unit_cost
            value = -valuation.issue_value(
                on_hand=level.quantity, value=level.value, quantity=-quantity
            )
            posted["sold"] -= value
        movements.append(
            StockMovement(
                store=store,
                product_id=product_id,
                movement_type=kind,
                quantity=quantity,
                previous_quantity=level.quantity,
                new_quantity=level.quantity + quantity,
                unit_cost=unit_cost,
                value=value,
                reference=reference,
                created_at=now,
                product_sku=product.sku,
                product_name=product.name,
                category_name=product.category.name if product.category_id else "",
            )
        )
        level.quantity += quantity
        level.value += value
        level.unit_cost = valuation.average_cost(
            quantity=level.quantity, value=level.value, previous=level.unit_cost
        )
        return value

    for product_id, quantity in need.items():
        short = quantity - levels[product_id].quantity
        if short > 0:
            move(product_id, MovementType.RECEIPT, short + 50, "SCALE-RESTOCK")
    for number, line in sold:
        value = move(line.product_id, MovementType.SALE, -line.quantity, number)
        line.unit_cost, line.cost = movements[-1].unit_cost, -value
    StockMovement.objects.bulk_create(movements, batch_size=BATCH)
    for level in levels.values():
        level.updated_at = now
    StockLevel.objects.bulk_update(
        list(levels.values()), ["quantity", "value", "unit_cost", "updated_at"], batch_size=BATCH
    )
    received, cost = posted["received"], posted["sold"]
    valuation.stock_value_post(
        amounts={
            chart.INVENTORY: received - cost,
            chart.STOCK_RECEIVED_NOT_BILLED: -received,
            chart.COGS: cost,
        },
        memo="Scale orders: restocks and cost of goods sold",
        reference="SCALE-STOCK",
    )

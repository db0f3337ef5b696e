"""Benchmark orders (`seed_demo --scale N`): about N orders in bulk, priced by the same
pricing code as the services; confirmed and fulfilled ones take their stock as SALE
movements chained on the levels (a receipt first where stock is short), and the batch
posts its cost of goods, so check_books still holds. Plain indexes are built once after
the load (apps/core/bulkload.py).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.bulkload import ids_reserve, load_deferred, objects_insert, rows_update
from apps.core.sequences import sequence_reserve
from apps.customers.models import Customer
from apps.finance import money
from apps.finance.models import Currency, ExchangeRate
from apps.finance.selectors import MissingExchangeRate, base_currency_code
from apps.inventory import valuation
from apps.inventory.models import MovementType, StockLevel, StockMovement, Store
from apps.inventory.services import onhand_rebuild
from apps.ledger import chart

from . import services
from .models import Order, OrderLine, OrderStatus
from .pricing import LineInput, order_amounts

SCALE_REFERENCE = "SCALE-"
BATCH = 5000


class RateBook:
    """`rate_on` for many (currency, date) pairs: the rate table read once, then the latest
    rate on or before each date found in memory (the same rule, no query per pair)."""

    def __init__(self):
        self.base = base_currency_code()
        self.table: dict[str, tuple[list[dt.date], list[Decimal]]] = {}
        rows = ExchangeRate.objects.order_by("currency_id", "date")
        for code, date, rate in rows.values_list("currency_id", "date", "rate"):
            dates, rates = self.table.setdefault(code, ([], []))
            dates.append(date)
            rates.append(rate)

    def __call__(self, code: str, date: dt.date) -> Decimal:
        if code == self.base:
            return Decimal("1")
        dates, rates = self.table.get(code, ((), ()))
        index = bisect.bisect_right(dates, date) - 1
        if index < 0:
            raise MissingExchangeRate(code, date)
        return rates[index]


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
    with transaction.atomic(), load_deferred(Order, OrderLine, StockMovement):
        for start in range(have, scale, BATCH):
            count = min(BATCH, scale - start)
            made += _scale_batch(count, start, customers, store, products, minor, rates, rng, today)
    # the levels were written directly, not through the stock services (as inventory's
    # demo Ledger does): the stored stock totals follow them once, here
    onhand_rebuild()
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
    for order, pk in zip(orders, ids_reserve(Order, len(orders)), strict=True):
        order.pk = pk
    objects_insert(Order, orders)
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
    objects_insert(OrderLine, [line for _, line in line_rows])
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
    objects_insert(StockMovement, movements)
    rows_update(
        StockLevel,
        ["quantity", "value", "unit_cost", "updated_at"],
        [(lv.quantity, lv.value, lv.unit_cost, now, lv.pk) for lv in levels.values()],
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

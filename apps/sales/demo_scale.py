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
from apps.core.bulkload import ids_reserve, rows_insert, rows_update
from apps.core.bulkload_indexes import load_deferred
from apps.core.sequences import sequence_reserve
from apps.customers.models import Customer
from apps.finance import money
from apps.finance.models import Currency, ExchangeRate
from apps.finance.selectors import MissingExchangeRate, base_currency_code
from apps.inventory import valuation
from apps.inventory.models import MovementType, ProductTotal, StockLevel, StockMovement, Store
from apps.inventory.services import onhand_rebuild
from apps.ledger import chart

from .models import Order, OrderLine, OrderSource, OrderStatus
from .pricing import LineInput, order_amounts
from .services import order_totals

SCALE_REFERENCE = "SCALE-"
BATCH = 5000
# what this builder loads (seed_demo: the builders before it leave these tables alone);
# the products' on-hand totals through `onhand_rebuild`
WRITTEN = (Order, OrderLine, StockMovement, StockLevel, ProductTotal)


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


ORDER_COLUMNS = [
    "id", "created_at", "updated_at", "notes", "number", "customer_id", "store_id",
    "currency_id", "exchange_rate", "order_date", "status", "source", "reference",
    "shipping_address", "coupon_code", "subtotal", "discount_total", "tax_total", "total",
    "total_base", "returned_total", "returned_base", "confirmed_at", "fulfilled_at",
    "cancelled_at", "cancel_reason", "credit_override_reason",
]  # fmt: skip
LINE_COLUMNS = [
    "order_id", "position", "product_id", "product_sku", "product_name", "quantity",
    "unit_price", "discount_percent", "tax_name", "tax_percent", "gross", "discount",
    "coupon_discount", "net", "tax", "total", "returned_quantity", "unit_cost", "cost",
]  # fmt: skip
UNIT_COST, COST = LINE_COLUMNS.index("unit_cost"), LINE_COLUMNS.index("cost")
MOVEMENT_COLUMNS = [
    "store_id", "product_id", "movement_type", "quantity", "previous_quantity",
    "new_quantity", "unit_cost", "value", "reason", "reference", "notes", "created_at",
    "product_sku", "product_name", "category_name",
]  # fmt: skip
ZERO = Decimal(0)
CONFIRMED = (OrderStatus.CONFIRMED, OrderStatus.FULFILLED)


class _Product:
    """What the builder reads of a product (plain attributes, no model instance)."""

    __slots__ = ("pk", "sku", "name", "currency", "price", "cost", "tax_name", "tax", "category")

    def __init__(self, pk, sku, name, currency, price, cost, tax_name, tax, category):
        self.pk, self.sku, self.name, self.currency = pk, sku, name, currency
        self.price, self.cost, self.category = price, cost, category or ""
        self.tax_name, self.tax = tax_name or "", tax if tax is not None else ZERO


class _Stock:
    """The main store's levels of the pool, in memory across batches (units, value, unit
    cost), written back once at the end; `posted` collects each batch's entry."""

    def __init__(self, store_id: int, product_ids: list[int]):
        self.store_id = store_id
        self.levels: dict[int, list] = {}
        self.touched: set[int] = set()
        self._read(product_ids)

    def _read(self, product_ids) -> None:
        rows = StockLevel.objects.filter(store_id=self.store_id, product_id__in=product_ids)
        for pk, product_id, quantity, value, unit_cost in rows.values_list(
            "pk", "product_id", "quantity", "value", "unit_cost"
        ):
            self.levels[product_id] = [pk, quantity, value, unit_cost]

    def need(self, product_ids) -> None:
        """Levels (empty) for products that have none in the store yet."""
        missing = [pk for pk in product_ids if pk not in self.levels]
        StockLevel.objects.bulk_create(
            [StockLevel(store_id=self.store_id, product_id=pk, quantity=0) for pk in missing],
            batch_size=BATCH,
        )
        self._read(missing)
        self.touched.update(product_ids)

    def write(self) -> None:
        now = timezone.now()
        rows_update(
            StockLevel,
            ["quantity", "value", "unit_cost", "updated_at"],
            [(*self.levels[p][1:], now, self.levels[p][0]) for p in sorted(self.touched)],
        )


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
    products = [
        _Product(*row)
        for row in pool.order_by("pk").values_list(
            "pk", "sku", "name", "currency_id", "selling_price", "cost_price",
            "tax_rate__name", "tax_rate__rate", "category__name",
        )[:20000]
    ]  # fmt: skip
    if not (customers and store and products):
        return
    minor = dict(Currency.all_objects.values_list("code", "minor_units"))
    rates = RateBook()
    rng = random.Random(scale)
    today = timezone.localdate()
    made = 0
    with transaction.atomic(), load_deferred(Order, OrderLine, StockMovement):
        stock = _Stock(store.pk, [p.pk for p in products])
        for start in range(have, scale, BATCH):
            count = min(BATCH, scale - start)
            made += _scale_batch(count, start, customers, stock, products, minor, rates, rng, today)
        stock.write()
    # the levels were written directly, not through the stock services (as inventory's
    # demo Ledger does): the stored stock totals follow them once, here
    onhand_rebuild()
    stdout.write(f"  {made} scale orders")


def _scale_batch(count, start, customers, stock, products, minor, rates, rng, today) -> int:
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
            if product.currency == currency:
                price = money.quantize(product.price, minor[currency])
            else:
                price = money.convert(
                    product.price,
                    from_rate=rates(product.currency, order_date),
                    to_rate=rate,
                    minor_units=minor[currency],
                )
            lines.append((product, rng.randint(1, 5), price, Decimal(rng.choice([0, 0, 5]))))
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
    orders, line_rows, sold = [], [], []
    ids = ids_reserve(Order, len(plans))
    for (customer_id, currency, rate, order_date, lines, status, n), pk in zip(
        plans, ids, strict=True
    ):
        result = order_amounts(
            [LineInput(q, price, disc, product.tax) for product, q, price, disc in lines],
            minor_units=minor[currency],
        )
        year = order_date.year
        number = f"SO-{year}-{next_number[year]:05d}"
        next_number[year] += 1
        totals = order_totals(result, rate)
        cancelled = status == OrderStatus.CANCELLED
        orders.append(
            (pk, now, now, "", number, customer_id, stock.store_id, currency, rate, order_date,
             status, OrderSource.BACKOFFICE, f"{SCALE_REFERENCE}{n}", "", "",
             totals["subtotal"], totals["discount_total"], totals["tax_total"], totals["total"],
             totals["total_base"], ZERO, ZERO, now if status in CONFIRMED else None,
             now if status == OrderStatus.FULFILLED else None, now if cancelled else None,
             "Scale data." if cancelled else "", "")
        )  # fmt: skip
        for position, ((product, q, price, disc), a) in enumerate(
            zip(lines, result.lines, strict=True), 1
        ):
            row = [
                pk, position, product.pk, product.sku, product.name, q, price, disc,
                product.tax_name, product.tax, a.gross, a.discount, a.coupon_discount, a.net,
                a.tax, a.total, 0, ZERO, ZERO,
            ]  # fmt: skip
            line_rows.append(row)
            if status in CONFIRMED:
                sold.append((number, product, row))
    rows_insert(Order, ORDER_COLUMNS, orders)
    _take_stock(stock, sold, rates, today)
    rows_insert(OrderLine, LINE_COLUMNS, line_rows)
    return len(orders)


def _take_stock(stock: _Stock, sold: list[tuple], rates, today) -> None:
    """SALE movements for confirmed scale orders, chained on the current levels; a RECEIPT
    (at the product's cost) first wherever a level would not cover what is sold. Values
    follow apps/inventory/valuation.py; the batch posts one entry (restocks, cost of
    goods sold) and each line keeps its cost."""
    need: dict[int, int] = defaultdict(int)
    products = {}
    for _, product, line in sold:
        need[product.pk] += line[5]
        products[product.pk] = product
    stock.need(list(need))
    levels = stock.levels
    now = timezone.now()
    movements = []
    posted = {"received": ZERO, "sold": ZERO}

    def move(product: _Product, kind: str, quantity: int, reference: str) -> tuple:
        level = levels[product.pk]
        on_hand = level[1]
        if quantity > 0:
            rate = rates(product.currency, today)
            unit_cost = money.to_base(product.cost, rate, valuation.COST_PLACES)
            value = valuation.receipt_value(quantity, unit_cost)
            posted["received"] += value
        else:
            unit_cost = level[3]
            value = -valuation.issue_value(on_hand=on_hand, value=level[2], quantity=-quantity)
            posted["sold"] -= value
        movements.append(
            (stock.store_id, product.pk, kind, quantity, on_hand, on_hand + quantity, unit_cost,
             value, "", reference, "", now, product.sku, product.name, product.category)
        )  # fmt: skip
        level[1] = on_hand + quantity
        level[2] += value
        level[3] = valuation.average_cost(quantity=level[1], value=level[2], previous=level[3])
        return unit_cost, value

    for product_id, quantity in need.items():
        short = quantity - levels[product_id][1]
        if short > 0:
            move(products[product_id], MovementType.RECEIPT, short + 50, "SCALE-RESTOCK")
    for number, product, line in sold:
        unit_cost, value = move(product, MovementType.SALE, -line[5], number)
        line[UNIT_COST], line[COST] = unit_cost, -value
    rows_insert(StockMovement, MOVEMENT_COLUMNS, movements)
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

"""Sales services, shared part: errors, input checks, pricing and the recompute every
order change ends with (the services package's modules build on it)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from apps.catalog.models import Category, Product
from apps.core.request_context import current_user
from apps.core.sql import Rows, cache_related, case_by_id, insert_all, insert_sql
from apps.customers.models import AddressKind, Customer
from apps.finance import money
from apps.finance.documents import document_currency_problem
from apps.finance.models import Currency
from apps.finance.selectors import MissingExchangeRate, base_currency_code, rate_on
from apps.inventory.models import Store

from ..models import (
    MAX_LINE_QUANTITY,
    Coupon,
    CouponKind,
    Order,
    OrderLine,
    OrderStatus,
    SalesFigure,
)
from ..pricing import CouponTerms, LineInput, OrderResult, order_amounts

ZERO = Decimal("0")
HEADER_FIELDS = (
    "customer",
    "store",
    "currency",
    "order_date",
    "reference",
    "shipping_address",
    "notes",
)


class OrderError(ValidationError):
    """An order action refused by a business rule; nothing was changed."""


class StockShortage(OrderError):
    """Confirmation refused: lists every line the store cannot cover."""

    def __init__(self, shortages: list[tuple[OrderLine, int]], store: Store):
        self.shortages = shortages
        self.messages_list = [
            f"{line.product_sku} ({line.product_name}): {line.quantity} ordered, "
            f"{available} available in {store.name}."
            for line, available in shortages
        ]
        super().__init__(
            [
                f"Not enough stock for {len(shortages)} line{'s' if len(shortages) != 1 else ''};"
                " nothing was confirmed."
            ]
            + self.messages_list,
            code="insufficient_stock",
        )


class CreditLimitExceeded(OrderError):
    """Confirmation refused by the customer's credit limit (an Admin may override)."""


# --- small checks -----------------------------------------------------------------------


def _user(user):
    return user if getattr(user, "is_authenticated", False) else current_user()


def _lock(order: Order) -> Order:
    return (
        Order.all_objects.select_for_update(of=("self",))
        .select_related("currency", "store", "customer", "coupon")
        .get(pk=order.pk)
    )


def _lock_with_lines(order: Order) -> tuple[Order, list[OrderLine]]:
    """The order row locked, then the order and its lines (with products and categories)
    read in one statement; an order without lines is read alone.

    What `OrderLine.objects.select_related("order__currency", "order__store",
    "order__customer", "order__coupon", "product__category")` reads and builds, written
    out: that query's compile step alone cost ~5 ms of CPU."""
    with connection.cursor() as cursor:
        if connection.features.has_select_for_update:
            # The lock first, the read after: a statement reads what was committed when it
            # began, so one that waited for the lock would miss a line added by the
            # transaction it waited for (PostgreSQL rechecks only the locked row). SQLite
            # holds the one write lock from BEGIN, before any read.
            cursor.execute(_LOCK_ORDER_SQL, [order.pk])
        cursor.execute(_lock_sql(connection.vendor), [order.pk, order.pk])
        rows = cursor.fetchall()
    if not rows:
        return _lock(order), []
    first = rows[0]
    locked = _build("order", first)
    for name in ("customer", "store", "currency", "coupon"):
        cache_related(locked, name, _build(name, first))
    lines = []
    for row in rows:
        line, product = _build("line", row), _build("product", row)
        cache_related(product, "category", _build("category", row))
        cache_related(line, "product", product)
        cache_related(line, "order", locked)
        lines.append(line)
    return locked, lines


_LOCK_ROWS = {
    "line": Rows(OrderLine, "l"),
    "product": Rows(Product, "p"),
    "category": Rows(Category, "ca"),
    "order": Rows(Order, "o"),
    "customer": Rows(Customer, "cu"),
    "store": Rows(Store, "s"),
    "currency": Rows(Currency, "c"),
    "coupon": Rows(Coupon, "cp"),
}
_LOCK_AT = Rows.offsets(_LOCK_ROWS)
_LOCK_ORDER_SQL = f"SELECT id FROM {Order._meta.db_table} WHERE id = %s FOR UPDATE"


def _build(name: str, row):
    return _LOCK_ROWS[name].build(row, _LOCK_AT[name])


@functools.cache
def _lock_sql(vendor: str) -> str:
    """The lines with their products, next to the order's row (locked) with its customer,
    store, currency and coupon read in a subquery of its own: PostgreSQL plans two joins
    of 3 and 5 tables in about half the time of one of 8 (~1 ms against ~2 ms; `LIMIT 1`
    keeps the subquery apart, the order's primary key gives one row anyway)."""
    r = _LOCK_ROWS
    header = ", ".join(
        r[name].select for name in ("order", "customer", "store", "currency", "coupon")
    )
    return (
        f"SELECT {r['line'].select}, {r['product'].select}, {r['category'].select}, h.*"
        f" FROM {r['line'].table}"
        f" INNER JOIN {r['product'].table} ON l.product_id = p.id"
        f" LEFT OUTER JOIN {r['category'].table} ON p.category_id = ca.id"
        f" CROSS JOIN (SELECT {header} FROM {r['order'].table}"
        f" INNER JOIN {r['customer'].table} ON o.customer_id = cu.id"
        f" INNER JOIN {r['store'].table} ON o.store_id = s.id"
        f" INNER JOIN {r['currency'].table} ON o.currency_id = c.code"
        f" LEFT OUTER JOIN {r['coupon'].table} ON o.coupon_id = cp.id"
        f" WHERE o.id = %s LIMIT 1) h"
        " WHERE l.order_id = %s ORDER BY l.position ASC, l.id ASC"
    )


def _costs_sql(lines: list[OrderLine]) -> tuple[str, list]:
    """The lines' cost snapshots, one UPDATE written out (OrderLine.objects.bulk_update
    would build a Case(When()) per line per field)."""
    unit_cost, unit_params = case_by_id({line.pk: line.unit_cost for line in lines}, "NUMERIC")
    cost, cost_params = case_by_id({line.pk: line.cost for line in lines}, "NUMERIC")
    marks = ", ".join("%s" for _ in lines)
    return (
        f"UPDATE {OrderLine._meta.db_table} SET unit_cost = {unit_cost}, cost = {cost}"
        f" WHERE id IN ({marks})",
        [*unit_params, *cost_params, *(line.pk for line in lines)],
    )


def _order_sql(order: Order, fields: list[str]) -> tuple[str, list]:
    """`order.save(update_fields=fields)` written out, with what BaseModel.save adds when
    someone is signed in (updated_by, updated_at); Order sends no audit signal."""
    user = current_user()
    if user is not None:
        order.updated_by, order.updated_at = user, timezone.now()
        fields = [*fields, "updated_by", "updated_at"]
    opts, quote = order._meta, connection.ops.quote_name
    columns = [opts.get_field(name) for name in fields]
    return (
        f"UPDATE {quote(opts.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in columns)}"
        " WHERE id = %s",
        [*(f.get_db_prep_save(getattr(order, f.attname), connection) for f in columns), order.pk],
    )


def _order_writes(
    order: Order, fields: list[str], lines: list[OrderLine], figures: list
) -> tuple[str, list] | None:
    """The end of a confirm: the lines' cost snapshots, the order's `fields` and the daily
    sales figures. On PostgreSQL returned as data-modifying CTEs with their parameters,
    for the sale's last statement (`stock_sell`'s `then`); on SQLite written here (three
    statements), returning None."""
    costs = _costs_sql(lines)
    update = _order_sql(order, fields)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(*costs)
            cursor.execute(*update)
        insert_all(figures, SalesFigure)
        return None
    figures_sql, figures_params = insert_sql(figures, SalesFigure)
    return (
        f"costs AS ({costs[0]} RETURNING 1), figures AS ({figures_sql} RETURNING 1),"
        f" confirmed AS ({update[0]} RETURNING 1)",
        [*costs[1], *figures_params, *update[1]],
    )


def _require_draft(order: Order, action: str) -> None:
    if order.status != OrderStatus.DRAFT:
        raise OrderError(
            f"Order {order.number} is {order.get_status_display().lower()}; only drafts can be {action}."
        )


def _rate(currency: Currency, date: dt.date, field: str = "currency") -> Decimal:
    try:
        return rate_on(currency, date)
    except MissingExchangeRate as exc:
        raise OrderError({field: str(exc)}) from exc


def check_quantity(quantity, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise OrderError({field: "Enter a whole number of units."})
    if quantity < 1:
        raise OrderError({field: "Enter a quantity of at least 1."})
    if quantity > MAX_LINE_QUANTITY:
        raise OrderError({field: f"Enter at most {MAX_LINE_QUANTITY:,} units."})
    return quantity


def check_price(value, currency: Currency) -> Decimal:
    try:
        price = money.to_decimal(value)
    except money.MoneyError as exc:
        raise OrderError({"unit_price": str(exc)}) from exc
    if price < 0:
        raise OrderError({"unit_price": "A price cannot be negative."})
    if price > money.MAX_AMOUNT:
        raise OrderError({"unit_price": "That price is too large."})
    if money.has_more_places(price, currency.minor_units):
        places = currency.minor_units
        raise OrderError(
            {
                "unit_price": f"{currency.code} prices have at most {places} decimal place{'s' if places != 1 else ''}."
            }
        )
    return money.quantize(price, currency.minor_units)


def check_discount(value) -> Decimal:
    try:
        discount = money.to_decimal(value)
    except money.MoneyError as exc:
        raise OrderError({"discount_percent": str(exc)}) from exc
    if not ZERO <= discount <= 100:
        raise OrderError({"discount_percent": "A discount must be between 0 and 100 %."})
    if money.has_more_places(discount, 2):
        raise OrderError({"discount_percent": "Use at most 2 decimal places."})
    return discount


def _check_product(product) -> Product:
    if not isinstance(product, Product) or product.pk is None:
        raise OrderError({"product": "Choose a product."})
    if product.is_deleted or not product.active:
        raise OrderError({"product": f"{product.sku} is not available for sale."})
    return product


def _check_customer(customer) -> Customer:
    if not isinstance(customer, Customer) or customer.pk is None:
        raise OrderError({"customer": "Choose a customer."})
    if customer.is_deleted or not customer.active:
        raise OrderError({"customer": f"{customer} is inactive and takes no new orders."})
    return customer


def _check_store(store) -> Store:
    if not isinstance(store, Store) or store.pk is None:
        raise OrderError({"store": "Choose a store."})
    if store.is_deleted or not store.active:
        raise OrderError({"store": f"{store.name} is inactive."})
    return store


def _check_currency(currency) -> Currency:
    problem = document_currency_problem(currency if isinstance(currency, Currency) else None)
    if problem:
        raise OrderError({"currency": problem})
    return currency


# --- prices and totals ------------------------------------------------------------------


def default_price(*, product: Product, order: Order) -> Decimal:
    """The product's selling price in the order currency, at the rates on the order date."""
    minor = order.currency.minor_units
    if product.currency_id == order.currency_id:
        return money.quantize(product.selling_price, minor)
    from_rate = _rate(product.currency, order.order_date, field="product")
    return money.convert(
        product.selling_price, from_rate=from_rate, to_rate=order.exchange_rate, minor_units=minor
    )


def new_line(
    *, order: Order, product: Product, quantity: int, unit_price=None, discount_percent=None
) -> OrderLine:
    """An unsaved line with the product's snapshot (SKU, name, tax) and its price in the
    order currency: what `order_line_add` saves and what the portal's quote prices."""
    tax = product.tax_rate
    return OrderLine(
        order=order,
        product=product,
        product_sku=product.sku,
        product_name=product.name,
        quantity=quantity,
        unit_price=(
            default_price(product=product, order=order)
            if unit_price is None
            else check_price(unit_price, order.currency)
        ),
        discount_percent=check_discount(discount_percent or ZERO),
        tax_name=tax.name if tax else "",
        tax_percent=tax.rate if tax else ZERO,
    )


def coupon_problem(coupon: Coupon, *, order: Order, goods_value: Decimal | None = None) -> str:
    """Why this coupon cannot apply to this order now, or ""."""
    if coupon.is_deleted or not coupon.active:
        return f"Coupon {coupon.code} is not active."
    if coupon.valid_from and order.order_date < coupon.valid_from:
        return f"Coupon {coupon.code} is valid from {coupon.valid_from:%Y-%m-%d}."
    if coupon.valid_to and order.order_date > coupon.valid_to:
        return f"Coupon {coupon.code} expired on {coupon.valid_to:%Y-%m-%d}."
    if coupon.max_uses is not None and coupon.times_used >= coupon.max_uses:
        return f"Coupon {coupon.code} has been used up ({coupon.max_uses} uses)."
    if coupon.min_order_total is not None and goods_value is not None:
        goods_base = money.to_base(goods_value, order.exchange_rate)
        if goods_base < coupon.min_order_total:
            base = base_currency_code()
            return (
                f"Coupon {coupon.code} needs goods worth at least "
                f"{money.format_money(coupon.min_order_total, base)}; this order has "
                f"{money.format_money(goods_base, base)}."
            )
    return ""


def coupon_terms(coupon: Coupon, order: Order) -> CouponTerms:
    if coupon.kind == CouponKind.PERCENT:
        return CouponTerms(percent=coupon.value)
    amount = money.from_base(coupon.value, order.exchange_rate, order.currency.minor_units)
    return CouponTerms(amount=amount)


@dataclass
class Priced:
    result: OrderResult
    coupon_problem: str


def price_order(order: Order, lines: list[OrderLine]) -> Priced:
    inputs = [
        LineInput(line.quantity, line.unit_price, line.discount_percent, line.tax_percent)
        for line in lines
    ]
    minor = order.currency.minor_units
    result = order_amounts(inputs, minor_units=minor)
    problem = ""
    if order.coupon_id:
        problem = coupon_problem(order.coupon, order=order, goods_value=result.goods_value)
        if not problem:
            result = order_amounts(
                inputs, minor_units=minor, coupon=coupon_terms(order.coupon, order)
            )
    return Priced(result, problem)


LINE_AMOUNT_FIELDS = ("gross", "discount", "coupon_discount", "net", "tax", "total")


ORDER_TOTAL_FIELDS = ("subtotal", "discount_total", "tax_total", "total", "total_base")


def order_totals(result: OrderResult, rate: Decimal) -> dict[str, Decimal]:
    """The order's stored totals from its priced lines (total_base at the order's rate)."""
    return {
        "subtotal": result.subtotal,
        "discount_total": result.discount,
        "tax_total": result.tax,
        "total": result.total,
        "total_base": money.to_base(result.total, rate),
    }


def _recompute(order: Order, lines: list[OrderLine] | None = None) -> Priced:
    """Bring every line's amounts and the order's totals up to date (the one place that
    writes them); rows whose figures did not change are not written."""
    lines = list(order.lines.all()) if lines is None else lines
    priced = price_order(order, lines)
    changed = []
    for position, (line, amounts) in enumerate(zip(lines, priced.result.lines, strict=True), 1):
        new = {"position": position, **{f: getattr(amounts, f) for f in LINE_AMOUNT_FIELDS}}
        if any(getattr(line, field) != value for field, value in new.items()):
            for field, value in new.items():
                setattr(line, field, value)
            changed.append(line)
    if changed:
        OrderLine.objects.bulk_update(changed, ["position", *LINE_AMOUNT_FIELDS])
    totals = order_totals(priced.result, order.exchange_rate)
    if any(getattr(order, field) != value for field, value in totals.items()):
        for field, value in totals.items():
            setattr(order, field, value)
        order.save(update_fields=list(ORDER_TOTAL_FIELDS))
    return priced


# --- drafts -----------------------------------------------------------------------------


def _shipping_text(customer: Customer) -> str:
    address = customer.default_address(AddressKind.SHIPPING)
    return address.as_text() if address else ""

"""Every write on orders, returns and coupon usage (DESIGN.md §4.4, §5, §6).

Lock order, the same in every service so nothing deadlocks: the order row, then (confirm)
the customer row, then stock levels in primary-key order (`stock_levels_lock`), then the
coupon row (a conditional UPDATE). Stock only moves through the inventory services, with
the order number (or the return number) as the movement reference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.roles import Role, user_roles
from apps.catalog.models import Product
from apps.core.audit import audit_record, diff, snapshot
from apps.core.models import CompanySettings
from apps.core.request_context import current_user
from apps.core.sequences import sequence_next
from apps.customers import hooks as customer_hooks
from apps.customers.models import AddressKind, Customer
from apps.finance import money
from apps.finance.documents import document_currency_problem
from apps.finance.models import Currency
from apps.finance.selectors import MissingExchangeRate, base_currency_code, rate_on
from apps.inventory.models import Store
from apps.inventory.services import stock_levels_lock, stock_restock, stock_sell

from .models import (
    MAX_LINE_QUANTITY,
    OPEN_STATUSES,
    Coupon,
    CouponKind,
    Order,
    OrderLine,
    OrderSource,
    OrderStatus,
    Return,
    ReturnDisposition,
    ReturnLine,
)
from .pricing import CouponTerms, LineInput, OrderResult, order_amounts, returned_share

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


@transaction.atomic
def order_create(
    *,
    customer: Customer,
    store: Store,
    currency: Currency | None = None,
    order_date: dt.date | None = None,
    reference: str = "",
    notes: str = "",
    source: str = OrderSource.BACKOFFICE,
) -> Order:
    """A draft numbered SO-<year>-00001 (gapless per year, numbered in this transaction)."""
    _check_customer(customer)
    _check_store(store)
    currency = _check_currency(currency or customer.currency)
    order_date = order_date or timezone.localdate()
    rate = _rate(currency, order_date)
    if len(reference or "") > 100:
        raise OrderError({"reference": "At most 100 characters."})
    year = order_date.year
    number = f"SO-{year}-{sequence_next(name=f'SO-{year}'):05d}"
    order = Order.objects.create(
        number=number,
        customer=customer,
        store=store,
        currency=currency,
        exchange_rate=rate,
        order_date=order_date,
        source=source,
        reference=(reference or "").strip(),
        notes=notes or "",
        shipping_address=_shipping_text(customer),
    )
    audit_record(
        subject=order,
        event="order.created",
        changes={"customer": customer.code, "store": store.code, "currency": currency.code},
    )
    return order


@transaction.atomic
def order_update(*, order: Order, **changes: Any) -> Order:
    """Change a draft's header; a new currency re-prices the lines from the products."""
    unknown = set(changes) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"unknown order fields: {', '.join(sorted(unknown))}")
    order = _lock(order)
    _require_draft(order, "edited")
    before = snapshot(order, set(changes))
    if "customer" in changes and changes["customer"].pk != order.customer_id:
        order.customer = _check_customer(changes["customer"])
        order.shipping_address = _shipping_text(order.customer)
    if "store" in changes:
        order.store = _check_store(changes["store"])
    new_currency = "currency" in changes and changes["currency"].pk != order.currency_id
    if new_currency:
        order.currency = _check_currency(changes["currency"])
    if changes.get("order_date"):
        order.order_date = changes["order_date"]
    for field in ("reference", "shipping_address", "notes"):
        if field in changes and changes[field] is not None:
            setattr(
                order, field, changes[field].strip() if field == "reference" else changes[field]
            )
    if len(order.reference) > 100:
        raise OrderError({"reference": "At most 100 characters."})
    order.exchange_rate = _rate(order.currency, order.order_date)
    order.save()
    if new_currency:
        lines = list(order.lines.select_related("product"))
        for line in lines:
            line.unit_price = default_price(product=line.product, order=order)
        OrderLine.objects.bulk_update(lines, ["unit_price"])
    _recompute(order)
    changed = diff(before, snapshot(order, set(changes)))
    if changed:
        audit_record(subject=order, event="order.updated", changes=changed)
    return order


@transaction.atomic
def order_line_add(
    *,
    order: Order,
    product: Product,
    quantity: int = 1,
    unit_price=None,
    discount_percent=None,
) -> OrderLine:
    """Add a product (price defaults to the product's, converted); adding a product that
    is already on the order raises that line's quantity instead."""
    order = _lock(order)
    _require_draft(order, "edited")
    _check_product(product)
    check_quantity(quantity)
    line = order.lines.filter(product=product).first()
    if line is not None:
        line.quantity = check_quantity(line.quantity + quantity)
        if unit_price is not None:
            line.unit_price = check_price(unit_price, order.currency)
        if discount_percent is not None:
            line.discount_percent = check_discount(discount_percent)
        line.save()
        event = "order.line_changed"
    else:
        tax = product.tax_rate
        line = OrderLine.objects.create(
            order=order,
            position=order.lines.count() + 1,
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
        event = "order.line_added"
    _recompute(order)
    line.refresh_from_db()
    audit_record(
        subject=order,
        event=event,
        changes={"sku": product.sku, "quantity": line.quantity, "unit_price": line.unit_price},
    )
    return line


@transaction.atomic
def order_line_update(
    *, line: OrderLine, quantity=None, unit_price=None, discount_percent=None
) -> OrderLine:
    order = _lock(line.order)
    _require_draft(order, "edited")
    line = OrderLine.objects.get(pk=line.pk, order=order)
    old = (line.quantity, line.unit_price, line.discount_percent)
    if quantity is not None:
        line.quantity = check_quantity(quantity)
    if unit_price is not None:
        line.unit_price = check_price(unit_price, order.currency)
    if discount_percent is not None:
        line.discount_percent = check_discount(discount_percent)
    new = (line.quantity, line.unit_price, line.discount_percent)
    if new == old:
        return line
    line.save(update_fields=["quantity", "unit_price", "discount_percent"])
    _recompute(order)
    line.refresh_from_db()
    names = ("quantity", "unit_price", "discount_percent")
    audit_record(
        subject=order,
        event="order.line_changed",
        changes={
            "sku": line.product_sku,
            **{n: [a, b] for n, a, b in zip(names, old, new, strict=True) if a != b},
        },
    )
    return line


@transaction.atomic
def order_line_remove(*, line: OrderLine) -> Order:
    order = _lock(line.order)
    _require_draft(order, "edited")
    deleted, _ = OrderLine.objects.filter(pk=line.pk, order=order).delete()
    if deleted:
        _recompute(order)
        audit_record(subject=order, event="order.line_removed", changes={"sku": line.product_sku})
    return order


@transaction.atomic
def order_coupon_set(*, order: Order, code: str) -> Order:
    """Apply a coupon by code ("" removes it); refused with the reason when it cannot apply."""
    order = _lock(order)
    _require_draft(order, "edited")
    code = (code or "").strip()
    old = order.coupon_code
    if not code:
        order.coupon, order.coupon_code = None, ""
    else:
        coupon = Coupon.objects.filter(code__iexact=code).first()
        if coupon is None:
            raise OrderError({"coupon": f"No coupon with code “{code}”."})
        goods = price_order(order, list(order.lines.all())).result.goods_value
        problem = coupon_problem(coupon, order=order, goods_value=goods if goods else None)
        if problem:
            raise OrderError({"coupon": problem})
        order.coupon, order.coupon_code = coupon, coupon.code
    order.save(update_fields=["coupon", "coupon_code"])
    _recompute(order)
    if old != order.coupon_code:
        audit_record(
            subject=order, event="order.coupon", changes={"coupon": [old, order.coupon_code]}
        )
    return order


# --- transitions ------------------------------------------------------------------------


def credit_problem(order: Order, customer: Customer | None = None) -> str:
    """Why this order takes the customer past its credit limit, or "".

    The customer's exposure (open receivable + uninvoiced confirmed orders, base currency)
    comes from invoicing through customers.hooks.receivable.
    """
    customer = customer or order.customer
    if customer.credit_limit is None or customer_hooks.receivable is None:
        return ""
    exposure = customer_hooks.receivable.customer_exposure(customer)
    if exposure + order.total_base <= customer.credit_limit:
        return ""
    base = base_currency_code()
    return (
        f"Credit limit exceeded: {customer.name} owes {money.format_money(exposure, base)}, "
        f"this order adds {money.format_money(order.total_base, base)}, "
        f"the limit is {money.format_money(customer.credit_limit, base)}."
    )


def _is_admin(user) -> bool:
    return user is not None and Role.ADMIN in user_roles(user)


def _check_credit(order: Order, user, override_reason: str) -> str:
    """Refuse an order that takes the customer past its credit limit, unless an Admin
    overrides with a reason (returned, to be recorded). The customer row is locked so two
    orders cannot both squeeze under the limit."""
    if order.customer.credit_limit is None:
        return ""
    customer = Customer.all_objects.select_for_update().get(pk=order.customer_id)
    text = credit_problem(order, customer)
    if not text:
        return ""
    reason = (override_reason or "").strip()
    if reason and _is_admin(user):
        return f"{text} Overridden: {reason}"
    if reason:
        raise CreditLimitExceeded({"override_reason": "Only an Admin can override a credit limit."})
    raise CreditLimitExceeded(
        text + " An Admin can override it with a reason.", code="credit_limit"
    )


def _use_coupon(order: Order) -> None:
    """Count one use, only while uses are left: 20 orders racing for 5 uses get 5."""
    used = (
        Coupon.objects.filter(pk=order.coupon_id)
        .filter(Q(max_uses__isnull=True) | Q(times_used__lt=F("max_uses")))
        .update(times_used=F("times_used") + 1)
    )
    if not used:
        raise OrderError(
            {"coupon": f"Coupon {order.coupon_code} has been used up; remove it to confirm."}
        )


@transaction.atomic
def order_confirm(*, order: Order, user=None, override_reason: str = "") -> Order:
    """DRAFT -> CONFIRMED: one SALE movement per line, all or nothing.

    Every line is checked against its locked stock level before anything moves, so a
    refusal names every short line; the credit limit and the coupon are checked last.
    """
    user = _user(user)
    order = _lock(order)
    _require_draft(order, "confirmed")
    lines = list(order.lines.select_related("product__category"))
    if not lines:
        raise OrderError("Add at least one line before confirming.")
    _check_customer(order.customer)
    _check_store(order.store)
    unavailable = [
        f"{line.product_sku} is no longer available for sale; remove the line."
        for line in lines
        if line.product.is_deleted or not line.product.active
    ]
    if unavailable:
        raise OrderError(unavailable)
    priced = _recompute(order, lines)
    if priced.coupon_problem:
        raise OrderError({"coupon": priced.coupon_problem + " Remove it to confirm."})
    credit_note = _check_credit(order, user, override_reason)
    levels = stock_levels_lock(pairs=[(order.store_id, line.product_id) for line in lines])
    shortages = [
        (line, levels[(order.store_id, line.product_id)].quantity)
        for line in lines
        if levels[(order.store_id, line.product_id)].quantity < line.quantity
    ]
    if shortages:
        raise StockShortage(shortages, order.store)
    if order.coupon_id:
        _use_coupon(order)
    movements = stock_sell(
        store=order.store,
        lines=[(line.product, line.quantity) for line in lines],
        reference=order.number,
        source=order,
        levels=levels,
        user=user,
    )
    for line, movement in zip(lines, movements, strict=True):
        line.unit_cost, line.cost = movement.unit_cost, -movement.value
    OrderLine.objects.bulk_update(lines, ["unit_cost", "cost"])
    order.status = OrderStatus.CONFIRMED
    order.confirmed_at = timezone.now()
    order.confirmed_by = user
    order.credit_override_reason = (override_reason or "").strip() if credit_note else ""
    order.save(update_fields=["status", "confirmed_at", "confirmed_by", "credit_override_reason"])
    audit_record(
        subject=order,
        event="order.confirmed",
        actor=user,
        changes={
            "status": [OrderStatus.DRAFT, OrderStatus.CONFIRMED],
            "total": f"{order.total} {order.currency_id}",
            "lines": len(lines),
        },
        message=credit_note,
    )
    return order


@transaction.atomic
def order_cancel(*, order: Order, reason: str, user=None) -> Order:
    """DRAFT or CONFIRMED -> CANCELLED; a confirmed order's stock comes back (RETURN)."""
    user = _user(user)
    reason = (reason or "").strip()
    if not reason:
        raise OrderError({"reason": "Give a reason for the cancellation."})
    order = _lock(order)
    if order.status not in (OrderStatus.DRAFT, OrderStatus.CONFIRMED):
        hint = " Record a return instead." if order.status == OrderStatus.FULFILLED else ""
        raise OrderError(
            f"Order {order.number} is {order.get_status_display().lower()} and cannot be cancelled.{hint}"
        )
    was = order.status
    if was == OrderStatus.CONFIRMED:
        if order.returns.exists():
            raise OrderError(
                f"Order {order.number} has returns; record a return for the rest instead."
            )
        lines = list(order.lines.select_related("product__category"))
        stock_restock(
            store=order.store,
            lines=[(line.product, line.quantity, line.cost) for line in lines],
            reference=order.number,
            notes=f"Cancelled: {reason}"[:500],
            source=order,
            user=user,
        )
        if order.coupon_id:
            Coupon.objects.filter(pk=order.coupon_id, times_used__gt=0).update(
                times_used=F("times_used") - 1
            )
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = timezone.now()
    order.cancel_reason = reason
    order.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit_record(
        subject=order,
        event="order.cancelled",
        actor=user,
        changes={"status": [was, OrderStatus.CANCELLED]},
        message=reason,
    )
    return order


@transaction.atomic
def order_fulfil(*, order: Order, user=None) -> Order:
    """CONFIRMED -> FULFILLED: the goods have shipped (stock already left on confirm)."""
    user = _user(user)
    order = _lock(order)
    if order.status != OrderStatus.CONFIRMED:
        raise OrderError(
            f"Order {order.number} is {order.get_status_display().lower()}; only confirmed orders can be fulfilled."
        )
    order.status = OrderStatus.FULFILLED
    order.fulfilled_at = timezone.now()
    order.save(update_fields=["status", "fulfilled_at"])
    audit_record(
        subject=order,
        event="order.fulfilled",
        actor=user,
        changes={"status": [OrderStatus.CONFIRMED, OrderStatus.FULFILLED]},
    )
    return order


# --- returns ----------------------------------------------------------------------------


@transaction.atomic
def return_create(
    *,
    order: Order,
    quantities: dict[int, int],
    reason: str,
    disposition: str,
    store: Store | None = None,
    return_date: dt.date | None = None,
    user=None,
) -> Return:
    """Take back some units of a confirmed or fulfilled order.

    `quantities` maps order-line ids to units (never more than sold minus already
    returned). Restocked goods come back to `store` as RETURN movements; written-off goods
    move no stock. The order's returned amounts grow by the lines' share (cumulative
    rounding: returning everything gives back exactly the order total).
    """
    user = _user(user)
    reason = (reason or "").strip()
    if not reason:
        raise OrderError({"reason": "Give a reason for the return."})
    if disposition not in ReturnDisposition.values:
        raise OrderError({"disposition": "Choose restock or write off."})
    order = _lock(order)
    if order.status not in OPEN_STATUSES:
        raise OrderError(
            f"Order {order.number} is {order.get_status_display().lower()}; only confirmed or fulfilled orders take returns."
        )
    store = _check_store(store or order.store) if disposition == ReturnDisposition.RESTOCK else None
    lines = {line.pk: line for line in order.lines.select_related("product__category")}
    wanted: list[tuple[OrderLine, int]] = []
    errors = []
    for line_id, quantity in quantities.items():
        line = lines.get(line_id)
        if line is None:
            errors.append("A returned line does not belong to this order.")
            continue
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            errors.append(f"{line.product_sku}: enter a whole number of units, 0 or more.")
            continue
        if quantity > line.returnable_quantity:
            errors.append(
                f"{line.product_sku}: at most {line.returnable_quantity} can be returned "
                f"({line.quantity} sold, {line.returned_quantity} already returned)."
            )
            continue
        if quantity:
            wanted.append((line, quantity))
    if errors:
        raise OrderError(errors)
    if not wanted:
        raise OrderError("Enter the quantity of at least one line to return.")
    return_date = return_date or timezone.localdate()
    number = f"RET-{return_date.year}-{sequence_next(name=f'RET-{return_date.year}'):05d}"
    doc = Return.objects.create(
        number=number,
        order=order,
        return_date=return_date,
        reason=reason,
        disposition=disposition,
        store=store,
    )
    minor = order.currency.minor_units
    rows = []
    for line, quantity in wanted:
        shares = {
            part: returned_share(
                amount=getattr(line, part),
                quantity=line.quantity,
                before=line.returned_quantity,
                now=quantity,
                minor_units=minor,
            )
            for part in ("net", "tax")
        }
        cost = (
            returned_share(
                amount=line.cost,
                quantity=line.quantity,
                before=line.returned_quantity,
                now=quantity,
                minor_units=2,
            )
            if store is not None
            else ZERO
        )
        rows.append(
            ReturnLine(
                return_doc=doc,
                order_line=line,
                quantity=quantity,
                net=shares["net"],
                tax=shares["tax"],
                total=shares["net"] + shares["tax"],
                cost=cost,
            )
        )
        line.returned_quantity += quantity
    ReturnLine.objects.bulk_create(rows)
    OrderLine.objects.bulk_update([line for line, _ in wanted], ["returned_quantity"])
    doc.net = sum((r.net for r in rows), ZERO)
    doc.tax = sum((r.tax for r in rows), ZERO)
    doc.total = sum((r.total for r in rows), ZERO)
    doc.save(update_fields=["net", "tax", "total"])
    order.returned_total += doc.total
    order.returned_base = money.to_base(order.returned_total, order.exchange_rate)
    order.save(update_fields=["returned_total", "returned_base"])
    if store is not None:
        stock_restock(
            store=store,
            lines=[
                (line.product, row.quantity, row.cost)
                for (line, _), row in zip(wanted, rows, strict=True)
            ],
            reference=number,
            notes=f"Return of {order.number}: {reason}"[:500],
            source=doc,
            user=user,
        )
    audit_record(
        subject=order,
        event="order.returned",
        actor=user,
        changes={
            "return": number,
            "lines": {line.product_sku: quantity for line, quantity in wanted},
            "total": f"{doc.total} {order.currency_id}",
            "disposition": disposition,
        },
        message=reason,
    )
    return doc


# --- the customer portal ----------------------------------------------------------------


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

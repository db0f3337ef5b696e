"""Order services: create, edit lines and coupon, confirm (stock + credit), cancel, fulfil."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.roles import Role, user_roles
from apps.catalog.models import Product
from apps.core.audit import audit_build, audit_record, diff, snapshot
from apps.core.models import AuditEvent
from apps.core.sequences import sequence_next
from apps.core.sql import server_binding
from apps.customers import hooks as customer_hooks
from apps.customers.models import Customer
from apps.finance import money
from apps.finance.models import Currency
from apps.finance.selectors import base_currency_code
from apps.inventory.models import Store
from apps.inventory.services import stock_levels_lock, stock_restock, stock_sell

from ..figures import sales_figures_order, sales_figures_rows
from ..models import (
    Coupon,
    Order,
    OrderLine,
    OrderSource,
    OrderStatus,
)
from .common import (
    HEADER_FIELDS,
    CreditLimitExceeded,
    OrderError,
    StockShortage,
    _check_currency,
    _check_customer,
    _check_product,
    _check_store,
    _lock,
    _lock_with_lines,
    _order_writes,
    _rate,
    _recompute,
    _require_draft,
    _shipping_text,
    _user,
    check_discount,
    check_price,
    check_quantity,
    coupon_problem,
    default_price,
    new_line,
    price_order,
)


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


@dataclass(frozen=True)
class LineItem:
    """One product to add to a draft (price and discount default to the product's)."""

    product: Product
    quantity: int = 1
    unit_price: Any = None
    discount_percent: Any = None


@transaction.atomic
def order_lines_add(*, order: Order, items: Sequence[LineItem]) -> list[OrderLine]:
    """Add products to a draft, all or none: a product already on the order (or named twice)
    raises that line's quantity instead of adding a second line. One lock, one pricing
    pass, one insert of the new lines and one of their audit events, however many items
    (the API's bulk lines, the portal's placement). Returns the touched lines, priced."""
    order = _lock(order)
    _require_draft(order, "edited")
    lines = list(order.lines.all())
    by_product = {line.product_id: line for line in lines}
    touched: dict[int, OrderLine] = {}
    for item in items:
        _check_product(item.product)
        check_quantity(item.quantity)
        line = by_product.get(item.product.pk)
        if line is None:
            line = new_line(
                order=order,
                product=item.product,
                quantity=item.quantity,
                unit_price=item.unit_price,
                discount_percent=item.discount_percent,
            )
            line.position = len(lines) + 1
            lines.append(line)
            by_product[item.product.pk] = line
        else:
            line.quantity = check_quantity(line.quantity + item.quantity)
            if item.unit_price is not None:
                line.unit_price = check_price(item.unit_price, order.currency)
            if item.discount_percent is not None:
                line.discount_percent = check_discount(item.discount_percent)
        touched[item.product.pk] = line
    events = [
        audit_build(
            subject=order,
            event="order.line_added" if line.pk is None else "order.line_changed",
            changes={
                "sku": line.product_sku,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            },
        )
        for line in touched.values()
    ]
    existing = [line for line in touched.values() if line.pk is not None]
    if existing:
        OrderLine.objects.bulk_update(existing, ["quantity", "unit_price", "discount_percent"])
    OrderLine.objects.bulk_create([line for line in touched.values() if line.pk is None])
    _recompute(order, lines)
    AuditEvent.objects.bulk_create(events)
    return list(touched.values())


def order_line_add(
    *,
    order: Order,
    product: Product,
    quantity: int = 1,
    unit_price=None,
    discount_percent=None,
) -> OrderLine:
    """Add one product (see order_lines_add): the order-entry screen's add."""
    items = [LineItem(product, quantity, unit_price, discount_percent)]
    return order_lines_add(order=order, items=items)[0]


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
    Its statements keep the same text for a given number of lines and bind their values
    on the server (PostgreSQL), so a connection prepares them once (`server_binding`).
    """
    with server_binding():
        return _confirm(order, _user(user), override_reason)


def _confirm(order: Order, user, override_reason: str) -> Order:
    order, lines = _lock_with_lines(order)
    _require_draft(order, "confirmed")
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
    # issues only: a missing level holds nothing and is not created
    levels = stock_levels_lock(
        pairs=[(order.store_id, line.product_id) for line in lines], create=False
    )
    on_hand = {
        line.pk: getattr(levels.get((order.store_id, line.product_id)), "quantity", 0)
        for line in lines
    }
    shortages = [(line, on_hand[line.pk]) for line in lines if on_hand[line.pk] < line.quantity]
    if shortages:
        raise StockShortage(shortages, order.store)
    if order.coupon_id:
        _use_coupon(order)
    confirmed = audit_build(
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
    fields = ["status", "confirmed_at", "confirmed_by", "credit_override_reason"]

    def confirmed_rows(movements):
        """The order's own writes, once the sale has costed its lines."""
        for line, movement in zip(lines, movements, strict=True):
            line.unit_cost, line.cost = movement.unit_cost, -movement.value
        order.status = OrderStatus.CONFIRMED
        order.confirmed_at = timezone.now()
        order.confirmed_by = user
        order.credit_override_reason = (override_reason or "").strip() if credit_note else ""
        figures = sales_figures_rows(order=order, lines=lines)
        return _order_writes(order, fields, lines, figures)

    stock_sell(
        store=order.store,
        lines=[(line.product, line.quantity) for line in lines],
        reference=order.number,
        source=order,
        levels=levels,
        events=[confirmed],  # the order's event lists the movements (no event each)
        then=confirmed_rows,  # and its rows in the sale's last statement (PostgreSQL)
        user=user,
    )
    return order


@server_binding()
@transaction.atomic
def order_cancel(*, order: Order, reason: str, user=None) -> Order:
    """DRAFT or CONFIRMED -> CANCELLED; a confirmed order's stock comes back (RETURN)."""
    user = _user(user)
    reason = (reason or "").strip()
    if not reason:
        raise OrderError({"reason": "Give a reason for the cancellation."})
    order, lines = _lock_with_lines(order)
    if order.status not in (OrderStatus.DRAFT, OrderStatus.CONFIRMED):
        hint = " Record a return instead." if order.status == OrderStatus.FULFILLED else ""
        raise OrderError(
            f"Order {order.number} is {order.get_status_display().lower()} and cannot be cancelled.{hint}"
        )
    was = order.status
    cancelled = audit_build(
        subject=order,
        event="order.cancelled",
        actor=user,
        changes={"status": [was, OrderStatus.CANCELLED]},
        message=reason,
    )
    if was == OrderStatus.CONFIRMED:
        if order.returns.exists():
            raise OrderError(
                f"Order {order.number} has returns; record a return for the rest instead."
            )
        stock_restock(
            store=order.store,
            lines=[(line.product, line.quantity, line.cost) for line in lines],
            reference=order.number,
            notes=f"Cancelled: {reason}"[:500],
            source=order,
            events=[cancelled],  # the order's event lists the movements (no event each)
            user=user,
        )
        if order.coupon_id:
            Coupon.objects.filter(pk=order.coupon_id, times_used__gt=0).update(
                times_used=F("times_used") - 1
            )
        sales_figures_order(order=order, lines=lines, sign=-1)
    else:
        cancelled.save()
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = timezone.now()
    order.cancel_reason = reason
    order.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    return order


@server_binding()
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

"""Orders placed by a customer in the portal (the same services as the staff screens).

The portal prices a cart exactly as the order it becomes: an unsaved order in the
customer's currency, lines made by `new_line` (the product snapshot and `default_price`
that `order_line_add` uses) and totals by `price_order` (what `_recompute` stores). So the
total a customer reviews is the total of the placed order, to the cent.

Customers see availability as in stock / low / out, never the quantities on hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.models import CompanySettings
from apps.customers.models import AddressKind, Customer
from apps.inventory.models import StockLevel, Store
from apps.inventory.selectors import StockStatus, default_threshold

from ..models import (
    Order,
    OrderSource,
)
from .common import (
    OrderError,
    _check_currency,
    _check_customer,
    _check_product,
    _rate,
    check_quantity,
    new_line,
    price_order,
)
from .orders import (
    LineItem,
    order_confirm,
    order_create,
    order_lines_add,
)

PRICES_CHANGED = (
    "Prices changed since you reviewed this order; nothing was placed. "
    "Please check the new totals and place it again."
)

HINTS = {
    StockStatus.IN_STOCK: "In stock",
    StockStatus.LOW: "Low stock",
    StockStatus.OUT: "Out of stock: we confirm a delivery date",
    "partly": "Not all in stock: the rest follows",
}


@dataclass(frozen=True)
class PortalLine:
    """One product as the customer sees it: price in their currency, a stock hint."""

    product: Product
    quantity: int
    unit_price: Decimal | None  # None: no price can be given now (no exchange rate)
    tax_percent: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    availability: str  # a StockStatus value, or "partly" (fewer on hand than ordered)

    @property
    def hint(self) -> str:
        return HINTS[self.availability]


@dataclass(frozen=True)
class PortalQuote:
    lines: list[PortalLine]
    currency: str
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    store: Store
    shipping_address: str

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)


def portal_store() -> Store | None:
    """The store portal orders are taken from (the first active one)."""
    return Store.objects.filter(active=True).order_by("pk").first()


def _availability(on_hand: int, threshold: int, quantity: int) -> str:
    if on_hand <= 0:
        return StockStatus.OUT
    if on_hand < quantity:
        return "partly"
    if on_hand <= threshold:
        return StockStatus.LOW
    return StockStatus.IN_STOCK


def _on_hand(store: Store, products: list[Product]) -> dict[int, int]:
    return dict(
        StockLevel.objects.filter(store=store, product__in=products).values_list(
            "product_id", "quantity"
        )
    )


def _unsaved_order(customer: Customer) -> Order:
    """The order this customer's cart would become today (never saved)."""
    _check_customer(customer)
    store = portal_store()
    if store is None:
        raise OrderError("Ordering is not possible right now: no store is open.")
    currency = _check_currency(customer.currency)
    today = timezone.localdate()
    return Order(
        customer=customer,
        store=store,
        currency=currency,
        order_date=today,
        exchange_rate=_rate(currency, today),
    )


def _merge(items: Iterable[tuple[Product, int]]) -> list[tuple[Product, int]]:
    """One entry per product, quantities added (as `order_line_add` does), in first order."""
    merged: dict[int, list] = {}
    for product, quantity in items:
        if not quantity:
            continue
        _check_product(product)
        if product.pk in merged:
            merged[product.pk][1] += quantity
        else:
            merged[product.pk] = [product, quantity]
    for _product, quantity in merged.values():
        check_quantity(quantity)
    return [(product, quantity) for product, quantity in merged.values()]


def portal_order_quote(*, customer: Customer, items: Iterable[tuple[Product, int]]) -> PortalQuote:
    """What this cart costs now, priced as the order it becomes; OrderError when it cannot
    be ordered (an inactive product, a missing exchange rate, no open store)."""
    items = _merge(items)
    order = _unsaved_order(customer)
    lines = [new_line(order=order, product=p, quantity=q) for p, q in items]
    result = price_order(order, lines).result
    on_hand = _on_hand(order.store, [p for p, _ in items])
    default = default_threshold()
    address = customer.default_address(AddressKind.SHIPPING)
    return PortalQuote(
        lines=[
            PortalLine(
                product=product,
                quantity=quantity,
                unit_price=line.unit_price,
                tax_percent=line.tax_percent,
                net=amounts.net,
                tax=amounts.tax,
                total=amounts.total,
                availability=_availability(
                    on_hand.get(product.pk, 0),
                    default if product.low_stock_threshold is None else product.low_stock_threshold,
                    quantity,
                ),
            )
            for (product, quantity), line, amounts in zip(items, lines, result.lines, strict=True)
        ],
        currency=order.currency_id,
        subtotal=result.subtotal,
        discount=result.discount,
        tax=result.tax,
        total=result.total,
        store=order.store,
        shipping_address=address.as_text() if address else "",
    )


def portal_product_offers(*, customer: Customer, text: str, limit: int = 8) -> list[PortalLine]:
    """Active products matching a typed name, SKU or barcode, each priced for one unit in
    the customer's currency (a product whose price cannot be converted shows none)."""
    text = (text or "").strip()
    if not text:
        return []
    order = _unsaved_order(customer)
    products = list(
        Product.objects.filter(active=True)
        .search(text)
        .select_related("tax_rate", "currency")
        .order_by("name", "pk")[:limit]
    )
    on_hand = _on_hand(order.store, products)
    default = default_threshold()
    offers = []
    for product in products:
        threshold = default if product.low_stock_threshold is None else product.low_stock_threshold
        availability = _availability(on_hand.get(product.pk, 0), threshold, 1)
        try:
            line = new_line(order=order, product=product, quantity=1)
        except OrderError:
            offers.append(
                PortalLine(
                    product, 1, None, Decimal(0), Decimal(0), Decimal(0), Decimal(0), availability
                )
            )
            continue
        amounts = price_order(order, [line]).result.lines[0]
        offers.append(
            PortalLine(
                product=product,
                quantity=1,
                unit_price=line.unit_price,
                tax_percent=line.tax_percent,
                net=amounts.net,
                tax=amounts.tax,
                total=amounts.total,
                availability=availability,
            )
        )
    return offers


@dataclass
class PortalOutcome:
    order: Order
    confirmed: bool
    problem: str = ""


@transaction.atomic
def portal_order_place(
    *,
    customer: Customer,
    items: Iterable[tuple[Product, int]],
    reference: str = "",
    user=None,
    expected_total: Decimal | None = None,
) -> PortalOutcome:
    """A customer's own order: a draft for Sales, or confirmed at once when the company
    setting says so (if that confirmation is refused, the draft stays for Sales).

    `expected_total` is the total the customer reviewed: if the order would now cost
    something else (a price or rate changed meanwhile), nothing is placed.
    """
    items = _merge(items)
    if not items:
        raise OrderError("Add at least one product.")
    if expected_total is not None:
        quote = portal_order_quote(customer=customer, items=items)
        if quote.total != expected_total:
            raise OrderError(PRICES_CHANGED)
    store = portal_store()
    if store is None:
        raise OrderError("Ordering is not possible right now: no store is open.")
    order = order_create(
        customer=customer, store=store, reference=reference, source=OrderSource.PORTAL
    )
    order_lines_add(order=order, items=[LineItem(product, quantity) for product, quantity in items])
    if not CompanySettings.load().portal_orders_auto_confirm:
        order.refresh_from_db()
        return PortalOutcome(order, confirmed=False)
    try:
        with transaction.atomic():
            order_confirm(order=order, user=user)
    except OrderError as exc:
        order.refresh_from_db()
        return PortalOutcome(order, confirmed=False, problem=" ".join(exc.messages))
    order.refresh_from_db()
    return PortalOutcome(order, confirmed=True)

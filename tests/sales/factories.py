"""Builders for customer and order tests: real services, so every row is one the app makes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.customers.services import customer_create
from apps.finance.models import Currency, ExchangeRate, TaxRate
from apps.inventory.services import stock_receive
from apps.sales import services
from tests.catalog.factories import ProductFactory, usd
from tests.inventory.factories import StoreFactory

CURRENCIES = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "KWD": 3}


def currency(code: str = "USD") -> Currency:
    """A currency, re-created after a transactional test flushed the migration rows."""
    if code == "USD":
        return usd()
    return Currency.objects.get_or_create(
        code=code, defaults={"name": code, "minor_units": CURRENCIES.get(code, 2)}
    )[0]


def rate(code: str, value: str, date: dt.date | None = None) -> ExchangeRate:
    return ExchangeRate.objects.create(
        currency=currency(code), date=date or dt.date(2020, 1, 1), rate=Decimal(value)
    )


def tax(percent: str = "20") -> TaxRate:
    return TaxRate.objects.get_or_create(
        name=f"Tax {percent}", defaults={"rate": Decimal(percent)}
    )[0]


def make_customer(name: str = "Acme Retail", code: str = "USD", **fields):
    return customer_create(name=name, currency=currency(code), **fields)


def make_product(price: str = "10.00", **fields):
    fields.setdefault("currency", usd())
    return ProductFactory(selling_price=Decimal(price), **fields)


def stocked(store, product, quantity: int):
    stock_receive(store=store, product=product, quantity=quantity, reference="TEST")
    return product


def make_order(customer=None, store=None, lines=(), **fields):
    """A draft with lines [(product, quantity), ...] or [(product, quantity, {overrides})]."""
    customer = customer or make_customer()
    store = store or StoreFactory()
    order = services.order_create(customer=customer, store=store, **fields)
    for line in lines:
        product, quantity, *extra = line
        services.order_line_add(
            order=order, product=product, quantity=quantity, **(extra[0] if extra else {})
        )
    order.refresh_from_db()
    return order

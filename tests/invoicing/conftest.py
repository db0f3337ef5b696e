import datetime as dt
from decimal import Decimal

import pytest

from apps.core.books import registered_checks
from apps.core.models import CompanySettings
from apps.finance.models import Currency
from apps.invoicing import services
from apps.ledger.chart import chart_ensure
from tests.inventory.factories import StoreFactory
from tests.sales.factories import make_customer, make_order, make_product, stocked, tax

D = Decimal
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def books(db):
    """The chart of accounts (and its currencies) also after a transactional test."""
    Currency.objects.get_or_create(code="USD", defaults={"name": "US Dollar", "minor_units": 2})
    Currency.objects.get_or_create(code="EUR", defaults={"name": "Euro", "minor_units": 2})
    chart_ensure()
    settings = CompanySettings.load()
    settings.time_zone = "Europe/Paris"
    settings.save()


@pytest.fixture
def customer(books):
    return make_customer("Acme Retail")


@pytest.fixture
def confirmed_order(books, customer):
    """3 x 10.00 at 20 % and 2 x 7.50 at 0 %: net 45.00, tax 6.00, total 51.00 USD."""
    from apps.sales import services as sales

    store = StoreFactory()
    widget = stocked(
        store, make_product("10.00", sku="WID-1", name="Widget", tax_rate=tax("20")), 10
    )
    bolt = stocked(store, make_product("7.50", sku="BOLT-1", name="Bolt"), 10)
    order = make_order(customer, store, [(widget, 3), (bolt, 2)])
    return sales.order_confirm(order=order)


def free_invoice(customer, *lines, **fields):
    """lines: (description, quantity, unit_price, tax percent or None)."""
    return services.invoice_create(
        customer=customer,
        lines=[
            {
                "description": d,
                "quantity": q,
                "unit_price": p,
                "tax_rate": tax(t) if t is not None else None,
            }
            for d, q, p, t in lines
        ],
        **fields,
    )


def invoicing_violations(prefix: str = "invoicing.") -> dict[str, list[str]]:
    return {c.name: c.func().violations for c in registered_checks() if c.name.startswith(prefix)}


def assert_books_ok():
    problems = {
        name: v
        for name, v in invoicing_violations("").items()
        if v and name.split(".")[0] in ("invoicing", "ledger")
    }
    assert problems == {}


@pytest.fixture
def levels(books):
    """Three dunning levels: 7 days (no fee), 14 days (5.00), 30 days (10.00)."""
    return [
        services.dunning_level_create(
            name="First reminder",
            days_after_due=7,
            subject="Reminder: invoice {number} is {days_overdue} days overdue",
            body="Dear {customer}, {open_amount} {currency} of invoice {number} "
            "(due {due_date}) is still open.\n{company}",
        ),
        services.dunning_level_create(
            name="Second reminder",
            days_after_due=14,
            fee=D("5.00"),
            subject="Second reminder: {number}",
            body="Dear {customer}, a fee of {fee} {currency} applies.",
        ),
        services.dunning_level_create(
            name="Final notice",
            days_after_due=30,
            fee=D("10.00"),
            subject="Final notice: {number}",
            body="{customer}: {open_amount} {currency} is {days_overdue} days overdue.",
        ),
    ]

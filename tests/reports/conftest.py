"""Two fixed scenarios with figures computed by hand (see the comments), built with the
real services.

`sales_scenario`: June 2026 orders in USD and EUR, a draft and a cancelled order that must
not count, and a return of one unit in July.

`ledger_scenario`: what invoicing, stock valuation and seller credit post to the books,
posted through journal_post and the credit services (June and July 2026):

    May 20  seller 2 top-up 50.00                 Dr Bank 50 / Cr Seller 2
    May 31  opening balances                      Dr Bank 1000, Dr Inventory 500 / Cr OBE 1500
    Jun 3   invoice 36.00 (net 30, tax 6)         Dr AR 36 / Cr Sales 30, Cr Tax 6
            cost of goods                         Dr COGS 18 / Cr Inventory 18
    Jun 10  seller 1 top-up 100.00                Dr Bank 100 / Cr Seller 1
    Jun 12  seller 1 charge 15.00                 Dr Seller 1 / Cr Charge Revenue 15
    Jun 15  invoice 55.00 EUR at 1.10 (net 50, tax 5 EUR = 55.00 + 5.50 USD)
                                                  Dr AR 60.50 / Cr Sales 55.00, Cr Tax 5.50
            cost of goods                         Dr COGS 30 / Cr Inventory 30
    Jun 20  seller 1 charge 5.00                  Dr Seller 1 / Cr Charge Revenue 5
    Jul 2   seller 2 charge 7.50                  Dr Seller 2 / Cr Charge Revenue 7.50
    Jul 5   credit note 12.00 (net 10, tax 2)     Dr Sales Returns 10, Dr Tax 2 / Cr AR 12
            cost back to stock                    Dr Inventory 6 / Cr COGS 6
    Jul 10  payment 36.00                         Dr Bank 36 / Cr AR 36
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from apps.credit.services import credit_charge, creditrequest_approve, creditrequest_create
from apps.ledger import chart
from apps.ledger.services import Cr, Dr, journal_post
from apps.sales.services import order_cancel, order_confirm, return_create
from tests.catalog.factories import CategoryFactory
from tests.credit.conftest import approver, make_seller  # noqa: F401  (fixtures)
from tests.inventory.factories import StoreFactory
from tests.ledger.conftest import books  # noqa: F401  (fixture)
from tests.sales.factories import (
    currency,
    make_customer,
    make_order,
    make_product,
    rate,
    stocked,
    tax,
)

D = Decimal
PHONE = "+447911123456"


def day(month: int, d: int) -> dt.date:
    return dt.date(2026, month, d)


@dataclass
class SalesScenario:
    main: object
    second: object
    tools: object
    toys: object
    acme: object
    euro: object
    alpha: object
    beta: object


@pytest.fixture
def sales_scenario(books):  # noqa: F811
    """June: O1 Acme 3 x Alpha 10.00 +20% tax at Main (30.00 / 6.00 / 36.00, USD);
    O2 Euro GmbH 2 x Beta 25.00 EUR +10% at Second, EUR at 1.10 (base 55.00 / 5.50 /
    60.50); O3 a draft and O4 a cancelled order (never counted). July 5: 1 Alpha of O1
    comes back (10.00 / 2.00 / 12.00)."""
    rate("EUR", "1.10", dt.date(2026, 1, 1))
    main = StoreFactory(name="Main Store", code="MAIN")
    second = StoreFactory(name="Second Store", code="SEC")
    tools, toys = CategoryFactory(name="Tools"), CategoryFactory(name="Toys")
    alpha = stocked(
        main, make_product("10.00", sku="A-1", name="Alpha", category=tools, tax_rate=tax("20")), 50
    )
    beta = stocked(
        second, make_product("25.00", sku="B-1", name="Beta", category=toys, tax_rate=tax("10")), 50
    )
    acme = make_customer("Acme Retail")
    euro = make_customer("Euro GmbH", code="EUR")
    o1 = make_order(acme, main, [(alpha, 3)], order_date=day(6, 3))
    order_confirm(order=o1)
    o2 = make_order(
        euro,
        second,
        [(beta, 2, {"unit_price": "25.00"})],
        order_date=day(6, 15),
        currency=currency("EUR"),
    )
    order_confirm(order=o2)
    make_order(acme, main, [(alpha, 1)], order_date=day(6, 20))  # draft
    o4 = make_order(acme, main, [(alpha, 2)], order_date=day(6, 25))
    order_confirm(order=o4)
    order_cancel(order=o4, reason="customer changed their mind")
    return_create(
        order=o1,
        quantities={o1.lines.get().pk: 1},
        reason="damaged",
        disposition="restock",
        store=main,
        return_date=day(7, 5),
    )
    return SalesScenario(main, second, tools, toys, acme, euro, alpha, beta)


@dataclass
class LedgerScenario:
    seller1: object
    seller2: object


@pytest.fixture
def ledger_scenario(books, make_seller, approver):  # noqa: F811
    rate("EUR", "1.10", dt.date(2026, 1, 1))
    seller1 = make_seller(company="Seller One Ltd")
    seller2 = make_seller(company="Seller Two Ltd")

    def top_up(seller, amount, on):
        request = creditrequest_create(seller=seller, amount=amount)
        creditrequest_approve(credit_request=request, by=approver, date=on)

    def charge(seller, amount, on, key):
        credit_charge(seller=seller, amount=amount, phone=PHONE, idempotency_key=key, date=on)

    def post(on, memo, *lines, **kwargs):
        journal_post(date=on, memo=memo, lines=lines, **kwargs)

    top_up(seller2, "50.00", day(5, 20))
    post(
        day(5, 31),
        "Opening balances",
        Dr(chart.BANK, "1000.00"),
        Dr(chart.INVENTORY, "500.00"),
        Cr(chart.OPENING_BALANCE_EQUITY, "1500.00"),
    )
    post(
        day(6, 3),
        "Invoice 1",
        Dr(chart.AR, "36.00"),
        Cr(chart.SALES_REVENUE, "30.00"),
        Cr(chart.TAX_PAYABLE, "6.00"),
    )
    post(day(6, 3), "Cost of invoice 1", Dr(chart.COGS, "18.00"), Cr(chart.INVENTORY, "18.00"))
    top_up(seller1, "100.00", day(6, 10))
    charge(seller1, "15.00", day(6, 12), "c1")
    post(
        day(6, 15),
        "Invoice 2",
        Dr(chart.AR, "55.00"),
        Cr(chart.SALES_REVENUE, "50.00"),
        Cr(chart.TAX_PAYABLE, "5.00"),
        currency="EUR",
    )
    post(day(6, 15), "Cost of invoice 2", Dr(chart.COGS, "30.00"), Cr(chart.INVENTORY, "30.00"))
    charge(seller1, "5.00", day(6, 20), "c2")
    charge(seller2, "7.50", day(7, 2), "c3")
    post(
        day(7, 5),
        "Credit note 1",
        Dr(chart.SALES_RETURNS, "10.00"),
        Dr(chart.TAX_PAYABLE, "2.00"),
        Cr(chart.AR, "12.00"),
    )
    post(day(7, 5), "Cost of credit note 1", Dr(chart.INVENTORY, "6.00"), Cr(chart.COGS, "6.00"))
    post(day(7, 10), "Payment", Dr(chart.BANK, "36.00"), Cr(chart.AR, "36.00"))
    return LedgerScenario(seller1, seller2)

"""The API's `?search=` on orders, payments and journal entries: the screens' searches
(customers.selectors.documents_matching, ledger.selectors.entries_matching), uncut."""

import datetime as dt

import pytest

from apps.core import search
from apps.ledger import chart
from apps.ledger.chart import chart_ensure
from apps.ledger.services import Cr, Dr, journal_post
from tests.invoicing.conftest import books, customer  # noqa: F401  (fixtures)
from tests.sales.factories import make_customer, make_order

pytestmark = pytest.mark.django_db


def found(client, url, text) -> list:
    answer = client.get(url, {"search": text})
    assert answer.status_code == 200, answer.content
    return sorted(row["id"] for row in answer.json()["results"])


def test_orders_by_number_reference_and_customer(api_for, monkeypatch):
    acme, zeta = make_customer("Acme Retail"), make_customer("Zeta Wholesale")
    first = make_order(acme, reference="PO-4411")
    second = make_order(zeta)
    sales = api_for("Sales")
    assert found(sales, "/api/v1/orders/", "acme ret") == [first.pk]
    assert found(sales, "/api/v1/orders/", zeta.code.lower()) == [second.pk]
    assert found(sales, "/api/v1/orders/", "po-44") == [first.pk]
    assert found(sales, "/api/v1/orders/", second.number) == [second.pk]
    assert found(sales, "/api/v1/orders/", "nothing-like-it") == []
    monkeypatch.setattr(search, "SHORT_SEARCH_ROWS", 1)  # the screens' cut: not here
    assert found(sales, "/api/v1/orders/", "e") == [first.pk, second.pk]


def test_journal_entries_by_memo_reference_and_source_key(api_for):
    chart_ensure()
    lines = [Dr(chart.BANK, "10.00"), Cr(chart.OPENING_BALANCE_EQUITY, "10.00")]
    day = dt.date(2026, 3, 1)
    cash = journal_post(date=day, memo="Opening cash", reference="BANK-77", lines=lines)
    order = make_order(make_customer("Source Ltd"))
    sourced = journal_post(date=day, memo="Sourced", lines=lines, source=order)
    accountant = api_for("Accountant")
    url = "/api/v1/ledger/entries/"
    assert found(accountant, url, "opening") == [str(cash.pk)]
    assert found(accountant, url, "bank-7") == [str(cash.pk)]
    assert found(accountant, url, str(order.pk)) == [str(sourced.pk)]


def test_payments_by_number_reference_and_customer(api, books, customer):  # noqa: F811
    def record(payer, reference):
        body = {"customer": payer.pk, "amount": "5.00", "date": "2026-03-10"}
        answer = api.post("/api/v1/payments/", {**body, "reference": reference}, format="json")
        assert answer.status_code == 201, answer.content
        return answer.json()

    other = make_customer("Zeta Wholesale")
    first, second = record(customer, "BANK-TX-5501"), record(other, "")
    url = "/api/v1/payments/"
    assert found(api, url, "tx-55") == [first["id"]]
    assert found(api, url, "zeta whole") == [second["id"]]
    assert found(api, url, second["number"]) == [second["id"]]
    assert found(api, url, "nothing-like-it") == []

"""The portal shows a customer its own payments and credit; its statement includes them
and ends where its receivable stands."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.roles import Role
from apps.invoicing import services
from apps.invoicing.selectors import customer_receivable, customer_statement
from tests.sales.factories import make_customer

from .payments_helpers import D, issued

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_customers(books, make_user):
    user_a = make_user(Role.CUSTOMER, email="a@example.test")
    a = make_customer("Customer A", portal_user=user_a)
    b = make_customer("Customer B")
    client = Client()
    client.force_login(user_a)
    return client, a, b


def test_portal_lists_own_payments_and_credit(two_customers):
    client, a, b = two_customers
    invoice = issued(a, "80.00", day=dt.date(2026, 2, 1))
    mine = services.payment_record(
        customer=a, amount="100.00", date=dt.date(2026, 2, 5), allocations={invoice: "80.00"}
    )
    other = services.payment_record(customer=b, amount="55.00", date=dt.date(2026, 2, 5))
    html = client.get(reverse("portal-invoices")).content.decode()
    assert mine.number in html and other.number not in html
    assert f"{invoice.number} (80.00)" in html
    assert "Your credit: <strong>20.00 USD</strong>" in html


def test_statement_includes_payments_refunds_reversals_and_closes_at_receivable(two_customers):
    client, a, _ = two_customers
    jan = issued(a, "100.00", day=dt.date(2026, 1, 10))
    feb = issued(a, "50.00", day=dt.date(2026, 2, 10))
    first = services.payment_record(
        customer=a, amount="120.00", date=dt.date(2026, 1, 20), allocations={jan: "100.00"}
    )
    services.credit_refund(payment=first, amount="5.00", date=dt.date(2026, 2, 1))
    bounced = services.payment_record(
        customer=a, amount="50.00", date=dt.date(2026, 2, 12), allocations={feb: "50.00"}
    )
    services.payment_reverse(payment=bounced, reason="Bounced", date=dt.date(2026, 2, 15))
    statement = customer_statement(a, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
    assert statement.opening == D("-20.00")  # 100 invoiced - 120 paid
    assert [(r.kind, r.amount, r.balance) for r in statement.rows] == [
        ("refund", D("5.00"), D("-15.00")),
        ("invoice", D("50.00"), D("35.00")),
        ("payment", D("-50.00"), D("-15.00")),
        ("reversal", D("50.00"), D("35.00")),
    ]
    assert statement.closing == customer_receivable(a).balance == D("35.00")
    page = client.get(reverse("portal-statement"), {"start": "2026-02-01", "end": "2026-02-28"})
    assert f"Payment {bounced.number}" in page.content.decode()


def test_statement_in_the_documents_currency_and_in_base_currency(two_customers):
    """Issue 8: a customer billed in EUR reads its statement in EUR (the invoices' own
    amounts, no exchange differences); the base statement shows what the books hold."""
    from .payments_helpers import eur, set_rate

    client, a, _ = two_customers
    set_rate("EUR", dt.date(2026, 4, 1), "1.10000000")
    invoice = issued(a, "1000.00", currency=eur(), day=dt.date(2026, 4, 1))
    issued(a, "30.00", day=dt.date(2026, 4, 2))  # a USD invoice: not on the EUR statement
    set_rate("EUR", dt.date(2026, 4, 20), "1.12000000")
    payment = services.payment_record(
        customer=a,
        amount="600.00",
        currency="EUR",
        date=dt.date(2026, 4, 20),
        allocations={invoice: "600.00"},
    )
    period = {"start": dt.date(2026, 4, 1), "end": dt.date(2026, 4, 30)}
    in_eur = customer_statement(a, currency="EUR", **period)
    assert in_eur.currency == "EUR" and in_eur.opening == D("0.00")
    assert [(r.kind, r.number, r.amount, r.balance) for r in in_eur.rows] == [
        ("invoice", invoice.number, D("1000.00"), D("1000.00")),
        ("payment", payment.number, D("-600.00"), D("400.00")),
    ]
    in_base = customer_statement(a, **period)
    assert in_base.currency == "USD"
    assert [(r.kind, r.amount, r.balance) for r in in_base.rows] == [
        ("invoice", D("1100.00"), D("1100.00")),
        ("invoice", D("30.00"), D("1130.00")),
        ("payment", D("-672.00"), D("458.00")),  # 600 EUR at 1.12
        ("fx", D("12.00"), D("470.00")),  # the 600 EUR settled 660 USD of the invoice
    ]
    assert in_base.closing == customer_receivable(a).balance == D("470.00")

    # the portal offers the currencies of the customer's documents; PDF in the chosen one
    query = {"start": "2026-04-01", "end": "2026-04-30", "currency": "EUR"}
    page = client.get(reverse("portal-statement"), query)
    assert page.context["statement"].closing == D("400.00")
    html = page.content.decode()
    assert '<option value="EUR" selected>EUR</option>' in html and "amounts in EUR" in html
    pdf = client.get(reverse("portal-statement"), {**query, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    bad = client.get(reverse("portal-statement"), {**query, "currency": "JPY"})
    assert "Select a valid choice" in bad.content.decode()
    assert bad.context["statement"].currency == "USD"  # the default: the customer's own

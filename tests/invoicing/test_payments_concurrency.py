"""Payments under real threads against the real database (SQLite WAL + BEGIN IMMEDIATE,
or PostgreSQL): the invoice's and the payment's rows are locked, so nothing is settled or
applied twice."""

from collections import Counter

import pytest

from apps.invoicing import services
from apps.invoicing.models import Allocation, Payment
from apps.invoicing.selectors import invoice_open_amount
from apps.invoicing.selectors_payments import payment_use
from apps.invoicing.services import InvoicingError
from tests.inventory.test_concurrency import run_together

from .conftest import assert_books_ok
from .payments_helpers import DAY, D, issued

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_two_payments_for_the_last_hundred_one_wins(customer):
    invoice = issued(customer, "300.00")
    services.payment_record(
        customer=customer, amount="200.00", date=DAY, allocations={invoice: "200"}
    )
    for attempt in range(3):
        results = run_together(
            [
                lambda: services.payment_record(
                    customer=customer, amount="100.00", date=DAY, allocations={invoice: "100.00"}
                ),
                lambda: services.payment_record(
                    customer=customer, amount="100.00", date=DAY, allocations={invoice: "100.00"}
                ),
            ]
        )
        if attempt == 0:
            kinds = sorted(type(r).__name__ for r in results)
            assert kinds == ["InvoicingError", "Payment"], results
            error = next(r for r in results if isinstance(r, InvoicingError))
            assert error.message_dict == {
                "allocations": [f"Invoice {invoice.number} is already paid."]
            }
        else:
            assert [type(r).__name__ for r in results] == ["InvoicingError"] * 2
    assert invoice_open_amount(invoice) == D("0.00")
    assert Payment.objects.count() == 2  # the refused ones left nothing, not even a number
    assert_books_ok()


def test_ten_threads_apply_the_same_credit(customer):
    invoices = [issued(customer, "30.00") for _ in range(10)]
    payment = services.payment_record(customer=customer, amount="100.00", date=DAY)
    results = run_together(
        [
            lambda i=i: services.credit_apply(payment=payment, invoice=i, amount="30.00", date=DAY)
            for i in invoices
        ]
    )
    counts = Counter(type(r).__name__ for r in results)
    assert counts == {"Allocation": 3, "InvoicingError": 7}
    errors = {r.messages[0] for r in results if isinstance(r, InvoicingError)}
    assert errors == {f"Only 10.00 USD of payment {payment.number} is left to allocate."}
    use = payment_use(payment)
    assert (use.allocated, use.credit_left, use.credit_left_base) == (
        D("90.00"),
        D("10.00"),
        D("10.00"),
    )
    assert Allocation.objects.filter(payment=payment).count() == 3
    assert_books_ok()

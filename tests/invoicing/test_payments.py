"""payment_record, credit_apply, credit_refund, payment_reverse: exact figures."""

from __future__ import annotations

import pytest

from apps.invoicing import services
from apps.invoicing.models import Allocation, Payment, PaymentMethod, PaymentState
from apps.invoicing.selectors import customer_receivable, invoice_open_amount, payment_status
from apps.invoicing.selectors_payments import payment_use
from apps.invoicing.services import InvoicingError
from apps.ledger import chart

from .conftest import assert_books_ok
from .payments_helpers import DAY, D, balance, eur, issued, set_rate

pytestmark = pytest.mark.django_db


def test_partial_payment_then_rest_closes_invoice(customer):
    invoice = issued(customer, "250.00")
    first = services.payment_record(
        customer=customer, amount="100.00", date=DAY, allocations={invoice: "100.00"}
    )
    assert first.number.startswith("PAY-2026-")
    assert invoice_open_amount(invoice) == D("150.00")
    assert payment_status(invoice, today=DAY) == "partially_paid"
    services.payment_record(
        customer=customer,
        amount="150.00",
        date=DAY,
        method=PaymentMethod.CASH,
        allocations={invoice.pk: "150.00"},
    )
    assert invoice_open_amount(invoice) == D("0.00")
    assert payment_status(invoice, today=DAY) == "paid"
    assert balance(chart.AR) == D("0.00")
    assert balance(chart.BANK) == D("100.00")
    assert balance(chart.CASH) == D("150.00")
    assert_books_ok()


def test_overpayment_leaves_credit_applied_later_and_refunded(customer):
    a = issued(customer, "80.00")
    b = issued(customer, "30.00")
    payment = services.payment_record(
        customer=customer, amount="100.00", date=DAY, allocations={a: "80.00"}
    )
    use = payment_use(payment)
    assert (use.credit_left, use.credit_left_base) == (D("20.00"), D("20.00"))
    assert customer_receivable(customer).balance == D("10.00")  # 30 open - 20 credit
    assert balance(chart.AR) == D("10.00")
    services.credit_apply(payment=payment, invoice=b, amount="15.00", date=DAY)
    assert invoice_open_amount(b) == D("15.00")
    assert payment_use(payment).credit_left == D("5.00")
    refund = services.credit_refund(payment=payment, amount="5.00", date=DAY)
    assert refund.amount_base == D("5.00")
    assert payment_use(payment).credit_left == D("0.00")
    assert balance(chart.BANK) == D("95.00")
    assert balance(chart.AR) == D("15.00")
    assert customer_receivable(customer).balance == D("15.00")
    assert_books_ok()


def test_payment_in_invoice_currency_at_another_rate_posts_fx(customer, books):
    set_rate("EUR", DAY, "1.10000000")
    invoice = issued(customer, "1000.00", currency=eur())
    assert invoice.total_base == D("1100.00")
    later = DAY.replace(day=20)
    set_rate("EUR", later, "1.12000000")
    payment = services.payment_record(
        customer=customer,
        amount="1000.00",
        currency="EUR",
        date=later,
        allocations={invoice: "1000.00"},
    )
    assert payment.exchange_rate == D("1.12") and payment.amount_base == D("1120.00")
    allocation = Allocation.objects.get(payment=payment)
    assert (allocation.amount, allocation.amount_base) == (D("1000.00"), D("1100.00"))
    assert invoice_open_amount(invoice) == D("0.00")
    assert balance(chart.AR) == D("0.00")
    assert balance(chart.FX_GAIN_LOSS) == D("-20.00")  # an expense account: a gain is < 0
    assert balance(chart.BANK) == D("1120.00")
    assert_books_ok()


def test_payment_in_base_currency_closes_foreign_invoice_exactly(customer, books):
    set_rate("EUR", DAY, "1.0853")
    invoice = issued(customer, "99.99", currency=eur())
    assert invoice.total_base == D("108.52")
    later = DAY.replace(day=10)
    set_rate("EUR", later, "1.1")
    # 99.99 EUR at 1.1 = 109.989 -> 109.99 USD settles it entirely
    payment = services.payment_record(
        customer=customer, amount="109.99", date=later, allocations={invoice: "109.99"}
    )
    allocation = Allocation.objects.get(payment=payment)
    assert (allocation.amount, allocation.amount_base) == (D("99.99"), D("108.52"))
    assert (allocation.source_amount, allocation.source_amount_base) == (
        D("109.99"),
        D("109.99"),
    )
    assert invoice_open_amount(invoice) == D("0.00")
    assert balance(chart.FX_GAIN_LOSS) == D("-1.47")
    assert balance(chart.AR) == D("0.00")
    assert_books_ok()


def test_reverse_reopens_invoices_and_nets_the_books(customer):
    a = issued(customer, "60.00")
    b = issued(customer, "40.00")
    payment = services.payment_record(
        customer=customer, amount="120.00", date=DAY, allocations={a: "60.00", b: "40.00"}
    )
    assert balance(chart.AR) == D("-20.00")
    with pytest.raises(InvoicingError) as err:
        services.payment_reverse(payment=payment, reason="  ")
    assert err.value.message_dict == {"reason": ["Say why the payment is reversed."]}
    services.payment_reverse(payment=payment, reason="Cheque bounced", date=DAY)
    payment.refresh_from_db()
    assert payment.status == PaymentState.REVERSED
    assert payment.reversal_reason == "Cheque bounced"
    assert not payment.allocations.exists()
    assert invoice_open_amount(a) == D("60.00") and invoice_open_amount(b) == D("40.00")
    assert balance(chart.AR) == D("100.00") and balance(chart.BANK) == D("0.00")
    with pytest.raises(InvoicingError, match="already reversed"):
        services.payment_reverse(payment=payment, reason="again")
    with pytest.raises(InvoicingError, match="reversed; it has no credit"):
        services.credit_apply(payment=payment, invoice=a, amount="1.00")
    assert_books_ok()


def test_idempotency_key_records_once(customer):
    invoice = issued(customer, "50.00")
    first = services.payment_record(
        customer=customer, amount="50.00", allocations={invoice: "50.00"}, idempotency_key="k1"
    )
    again = services.payment_record(
        customer=customer, amount="50.00", allocations={invoice: "50.00"}, idempotency_key="k1"
    )
    assert again.pk == first.pk and again.replayed
    assert Payment.objects.count() == 1
    assert balance(chart.BANK) == D("50.00")


def test_the_stored_credit_left_follows_every_payment_service(customer):
    """`Payment.unapplied` (what the list's "With credit left" filter and its index read)
    equals the credit left computed from allocations and refunds after each service."""

    def stored_and_computed(payment):
        payment.refresh_from_db()
        return payment.unapplied, payment_use(payment).credit_left

    a = issued(customer, "80.00")
    b = issued(customer, "30.00")
    payment = services.payment_record(
        customer=customer, amount="100.00", date=DAY, allocations={a: "80.00"}
    )
    assert stored_and_computed(payment) == (D("20.00"), D("20.00"))
    services.credit_apply(payment=payment, invoice=b, amount="15.00", date=DAY)
    assert stored_and_computed(payment) == (D("5.00"), D("5.00"))
    services.credit_refund(payment=payment, amount="5.00", date=DAY)
    assert stored_and_computed(payment) == (D("0.00"), D("0.00"))
    full = services.payment_record(
        customer=customer, amount="15.00", date=DAY, allocations={b: "15.00"}
    )
    assert stored_and_computed(full) == (D("0.00"), D("0.00"))
    services.payment_reverse(payment=full, reason="Wrong customer", date=DAY)
    assert stored_and_computed(full) == (D("15.00"), D("15.00"))
    assert_books_ok()

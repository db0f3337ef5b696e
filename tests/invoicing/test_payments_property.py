"""Hypothesis state machine: invoices, payments (in the invoice's currency or another, at
another rate), allocations, credit applications, refunds and reversals against a plain
Python model. After every step invariants 6 and 7 hold (check_books), the trial balance
is zero, and every invoice's open balance is its total minus its allocations in its
currency and in base currency (zero in both once paid)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from apps.invoicing import services
from apps.invoicing.models import Invoice, Payment, PaymentState
from apps.invoicing.selectors import invoice_open_amount
from apps.invoicing.selectors_payments import payment_use
from apps.invoicing.services import InvoicingError
from apps.ledger.selectors import trial_balance
from tests.sales.factories import make_customer

from .conftest import assert_books_ok
from .payments_helpers import DAY, eur, issued, set_rate

pytestmark = pytest.mark.django_db
LATER = DAY + dt.timedelta(days=10)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=2)
ZERO = Decimal("0.00")


class PaymentsMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # every example rolls back to a clean database
        set_rate("EUR", DAY, "1.0853")
        set_rate("EUR", LATER, "1.1")
        self.customer = make_customer("Property Ltd")
        self.invoices: list[Invoice] = []
        self.settled: dict[int, Decimal] = {}  # invoice pk -> allocated (invoice currency)
        self.payments: list[Payment] = []
        self.used: dict[int, Decimal] = {}  # payment pk -> allocated + refunded

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def open(self, invoice) -> Decimal:
        return invoice.total - self.settled[invoice.pk]

    def credit(self, payment) -> Decimal:
        return payment.amount - self.used[payment.pk]

    @rule(amount=amounts, foreign=st.booleans())
    def invoice(self, amount, foreign):
        invoice = issued(self.customer, str(amount), currency=eur() if foreign else None)
        self.invoices.append(invoice)
        self.settled[invoice.pk] = ZERO

    @rule(
        amount=amounts,
        in_eur=st.booleans(),
        later=st.booleans(),
        parts=st.lists(st.tuples(st.integers(min_value=0), amounts), max_size=3),
    )
    def pay(self, amount, in_eur, later, parts):
        code = "EUR" if in_eur else "USD"
        chosen: dict[int, Decimal] = {}
        for pick, value in parts:
            if self.invoices:
                chosen.setdefault(self.invoices[pick % len(self.invoices)].pk, value)
        by_pk = {i.pk: i for i in self.invoices}
        same = all(by_pk[pk].currency_id == code for pk in chosen)
        ok = all(v <= self.open(by_pk[pk]) and self.open(by_pk[pk]) > 0 for pk, v in chosen.items())
        ok = ok and sum(chosen.values(), ZERO) <= amount
        try:
            payment = services.payment_record(
                customer=self.customer,
                amount=amount,
                currency=code,
                date=LATER if later else DAY,
                allocations=chosen,
            )
        except InvoicingError:
            assert not (same and ok), (amount, code, chosen)
            return
        if same:
            assert ok, (amount, code, chosen)
        self.payments.append(payment)
        self.used[payment.pk] = ZERO
        for row in payment.allocations.all():
            self.settled[row.invoice_id] += row.amount
            self.used[payment.pk] += row.source_amount
            if same:
                assert row.amount == row.source_amount == chosen[row.invoice_id]

    @precondition(lambda self: self.payments and self.invoices)
    @rule(p=st.integers(min_value=0), i=st.integers(min_value=0), amount=amounts)
    def apply(self, p, i, amount):
        payment = self.payments[p % len(self.payments)]
        invoice = self.invoices[i % len(self.invoices)]
        posted = Payment.objects.get(pk=payment.pk).status == PaymentState.POSTED
        try:
            row = services.credit_apply(payment=payment, invoice=invoice, amount=amount, date=LATER)
        except InvoicingError:
            if posted and invoice.currency_id == payment.currency_id:
                assert (
                    amount > min(self.credit(payment), self.open(invoice))
                    or self.open(invoice) == 0
                )
            return
        assert posted and amount <= self.credit(payment)
        self.settled[invoice.pk] += row.amount
        self.used[payment.pk] += row.source_amount

    @precondition(lambda self: self.payments)
    @rule(p=st.integers(min_value=0), amount=amounts, later=st.booleans())
    def refund(self, p, amount, later):
        payment = self.payments[p % len(self.payments)]
        posted = Payment.objects.get(pk=payment.pk).status == PaymentState.POSTED
        try:
            services.credit_refund(payment=payment, amount=amount, date=LATER if later else None)
        except InvoicingError:
            assert not posted or amount > self.credit(payment)
            return
        assert posted and amount <= self.credit(payment)
        self.used[payment.pk] += amount

    @precondition(lambda self: self.payments)
    @rule(p=st.integers(min_value=0))
    def reverse(self, p):
        payment = self.payments[p % len(self.payments)]
        rows = list(payment.allocations.all())
        has_refunds = payment.refunds.exists()
        try:
            services.payment_reverse(payment=payment, reason="property test", date=LATER)
        except InvoicingError:
            fresh = Payment.objects.get(pk=payment.pk)
            assert fresh.status == PaymentState.REVERSED or has_refunds
            return
        assert not has_refunds
        for row in rows:
            self.settled[row.invoice_id] -= row.amount
        self.used[payment.pk] = payment.amount  # nothing left to use

    @invariant()
    def open_balances_in_both_currencies(self):
        for invoice in self.invoices:
            fresh = Invoice.objects.get(pk=invoice.pk)
            sums = fresh.allocations.aggregate(a=Sum("amount"), b=Sum("amount_base"))
            open_amount = invoice_open_amount(fresh)
            assert open_amount == fresh.total - (sums["a"] or ZERO) == self.open(invoice)
            open_base = fresh.total_base - (sums["b"] or ZERO)
            assert open_amount >= 0 and open_base >= 0
            assert (open_amount == 0) == (open_base == 0), (fresh.number, open_amount, open_base)

    @invariant()
    def payments_match_the_model(self):
        for payment in self.payments:
            fresh = Payment.objects.get(pk=payment.pk)
            use = payment_use(fresh)
            if fresh.status == PaymentState.POSTED:
                assert use.credit_left == self.credit(payment)
                assert use.credit_left >= 0 and use.credit_left_base >= 0
            else:
                assert use.allocated == 0

    @invariant()
    def books_agree(self):
        tb = trial_balance(LATER)
        assert tb.total_debit == tb.total_credit
        assert_books_ok()


def test_payments_state_machine(books):
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        PaymentsMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )

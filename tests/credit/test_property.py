"""Hypothesis state machine: top-ups, charges and reversals against a plain Python model.

After every step the database agrees with the model to the cent, every entry balances and
the trial balance is zero.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from apps.credit import services
from apps.credit.models import Seller, TransactionLog, TransactionStatus, TransactionType
from apps.ledger import chart
from apps.ledger.models import Account
from apps.ledger.selectors import cents, trial_balance
from tests.credit.test_services import all_checks_pass

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2)


class CreditMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # every example rolls back to a clean database
        self.sellers = [
            services.seller_create(email=f"p{n}@example.test", company=f"P{n}", password="x" * 12)
            for n in range(2)
        ]
        self.balance = {s.pk: Decimal("0.00") for s in self.sellers}
        self.revenue = Decimal("0.00")
        self.bank = Decimal("0.00")
        self.completed: list[TransactionLog] = []
        self.keys = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def seller(self, index):
        return Seller.objects.select_related("account__currency").get(pk=self.sellers[index].pk)

    @rule(index=st.integers(0, 1), amount=amounts)
    def top_up(self, index, amount):
        seller = self.seller(index)
        request = services.creditrequest_create(seller=seller, amount=amount)
        log = services.creditrequest_approve(credit_request=request, by=None)
        self.balance[seller.pk] += amount
        self.bank += amount
        self.completed.append(log)

    @rule(index=st.integers(0, 1), amount=amounts, replay=st.booleans())
    def charge(self, index, amount, replay):
        seller = self.seller(index)
        self.keys += 1
        key = f"k{self.keys}"
        try:
            outcome = services.credit_charge(
                seller=seller, amount=amount, phone="+447911123456", idempotency_key=key
            )
        except services.InsufficientCredit:
            assert amount > self.balance[seller.pk]
            return
        assert amount <= self.balance[seller.pk]
        self.balance[seller.pk] -= amount
        self.revenue += amount
        self.completed.append(outcome.transaction)
        if replay:
            again = services.credit_charge(
                seller=seller, amount=amount, phone="+447911123456", idempotency_key=key
            )
            assert again.replayed and again.transaction.pk == outcome.transaction.pk

    @precondition(lambda self: self.completed)
    @rule(pick=st.integers(min_value=0))
    def reverse(self, pick):
        log = self.completed[pick % len(self.completed)]
        try:
            services.credit_reverse(transaction_log=log, reason="property test", by=None)
        except services.InsufficientCredit:
            assert log.type == TransactionType.TOPUP and log.amount > self.balance[log.seller_id]
            return
        self.completed.remove(log)
        self.balance[log.seller_id] -= log.amount
        if log.type == TransactionType.CHARGE:
            self.revenue += log.amount  # amount is negative for a charge
        else:
            self.bank -= log.amount

    @invariant()
    def database_matches_the_model(self):
        for pk, expected in self.balance.items():
            seller = Seller.objects.select_related("account").get(pk=pk)
            assert seller.balance == seller.account.balance == expected
            logged = TransactionLog.objects.filter(seller_id=pk).aggregate(t=Sum("amount"))["t"]
            assert cents(logged) == expected
        revenue = Account.objects.filter(parent__code=chart.CHARGE_REVENUE).aggregate(
            t=Sum("balance")
        )
        assert cents(revenue["t"]) == self.revenue
        assert Account.objects.get(code=chart.BANK).balance == self.bank
        assert (
            TransactionLog.objects.filter(status=TransactionStatus.COMPLETED).count()
            == len([log for log in self.completed])
            + TransactionLog.objects.filter(type=TransactionType.REVERSAL).count()
        )

    @invariant()
    def books_balance(self):
        from django.utils import timezone

        tb = trial_balance(timezone.localdate())
        assert tb.total_debit == tb.total_credit
        assert all_checks_pass() == {}


def test_credit_state_machine(books):
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        CreditMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )

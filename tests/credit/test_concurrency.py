"""Real threads against the real database (DESIGN.md §6): bursts of charges never lose a cent.

Each thread has its own connection (Django opens one per thread) and closes it when done.
PostgreSQL runs the sizes the issue names (16 threads x 50 charges); SQLite serialises
writers (WAL + BEGIN IMMEDIATE) and runs the very same sizes, only slower.
"""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from apps.credit import services
from apps.credit.models import CreditRequest, RequestStatus, Seller, TransactionLog
from apps.ledger import chart
from apps.ledger.models import Account, JournalEntry
from tests.credit.test_services import all_checks_pass

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
PHONE = "+447911123456"
THREADS, CHARGES = 16, 50


def run_in_threads(count: int, work) -> list:
    """Start `count` threads together on work(index); re-raise the first unexpected error."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def target(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # reported below, with the thread that raised it
            errors.append((index, exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise AssertionError(f"thread {errors[0][0]} failed") from errors[0][1]
    return results


class BalanceWatcher:
    """Samples (seller balance, account balance) in one statement until stopped."""

    def __init__(self, sellers):
        self.pks = [s.pk for s in sellers]
        self.samples: list[tuple[Decimal, Decimal]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        try:
            while not self.stop.is_set():
                self.samples += list(
                    Seller.objects.filter(pk__in=self.pks).values_list(
                        "balance", "account__balance"
                    )
                )
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def charge_burst(sellers) -> Counter:
    """THREADS threads x CHARGES charges of 7.00, thread i's j-th charge on seller (i+j) % n."""
    fresh = {s.pk: Seller.objects.select_related("account__currency").get(pk=s.pk) for s in sellers}
    order = [s.pk for s in sellers]

    def work(i):
        outcome = Counter()
        for j in range(CHARGES):
            seller = fresh[order[(i + j) % len(order)]]
            try:
                services.credit_charge(
                    seller=seller, amount="7.00", phone=PHONE, idempotency_key=f"t{i}-c{j}"
                )
                outcome["ok"] += 1
            except services.InsufficientCredit:
                outcome["refused"] += 1
        return outcome

    return sum(run_in_threads(THREADS, work), Counter())


def test_16x50_charges_on_one_seller_exactly_300_succeed(books, make_seller):
    seller = make_seller("2100.00")  # exactly 300 charges of 7.00
    with BalanceWatcher([seller]) as watcher:
        outcome = charge_burst([seller])
    assert outcome == Counter(ok=300, refused=500)
    seller.refresh_from_db()
    account = Account.objects.get(pk=seller.account_id)
    assert seller.balance == account.balance == Decimal("0.00")
    charges = TransactionLog.objects.filter(seller=seller, type="charge")
    assert charges.count() == 300
    assert sorted(charges.values_list("balance_after", flat=True)) == [
        Decimal(7 * n) for n in range(300)
    ]
    assert Account.objects.get(pk=seller.revenue_account_id).balance == Decimal("2100.00")
    assert watcher.samples, "the watcher saw the balance at least once"
    assert all(balance >= 0 and balance == ledger for balance, ledger in watcher.samples)
    assert all_checks_pass() == {}


def test_16x50_charges_over_ten_sellers_at_once(books, make_seller):
    sellers = [make_seller("210.00") for _ in range(10)]  # 30 charges each
    with BalanceWatcher(sellers) as watcher:
        outcome = charge_burst(sellers)
    assert outcome == Counter(ok=300, refused=500)
    for seller in sellers:
        seller.refresh_from_db()
        assert seller.balance == Account.objects.get(pk=seller.account_id).balance == 0
        assert TransactionLog.objects.filter(seller=seller, type="charge").count() == 30
        assert Account.objects.get(pk=seller.revenue_account_id).balance == Decimal("210.00")
    revenue = Account.objects.filter(parent__code=chart.CHARGE_REVENUE)
    assert sorted(revenue.values_list("balance", flat=True)) == [Decimal("210.00")] * 10
    assert all(balance >= 0 and balance == ledger for balance, ledger in watcher.samples)
    assert all_checks_pass() == {}


def test_ten_simultaneous_approvals_post_once(books, make_seller, make_user):
    seller = make_seller()
    request = services.creditrequest_create(seller=seller, amount="500.00")
    approvers = [make_user("Accountant", email=f"acc{n}@example.test") for n in range(10)]

    def work(i):
        try:
            services.creditrequest_approve(
                credit_request=CreditRequest.objects.get(pk=request.pk), by=approvers[i]
            )
            return "approved"
        except services.CreditError as exc:
            return exc.messages[0]

    results = run_in_threads(10, work)
    assert Counter(results) == Counter(
        {"approved": 1, "This request is already approved; nothing was changed.": 9}
    )
    request.refresh_from_db()
    seller.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert seller.balance == Decimal("500.00")
    assert TransactionLog.objects.filter(credit_request=request).count() == 1
    assert JournalEntry.objects.for_source(request).count() == 1
    assert all_checks_pass() == {}


def test_replayed_idempotency_keys_charge_once(books, make_seller):
    seller = make_seller("1000.00")
    keys = [f"key-{n}" for n in range(20)]

    def work(i):
        mine = Seller.objects.select_related("account__currency").get(pk=seller.pk)
        return [
            services.credit_charge(seller=mine, amount="7.00", phone=PHONE, idempotency_key=key)
            for key in keys
        ]

    results = run_in_threads(8, work)
    outcomes = [o for thread in results for o in thread]
    assert sum(not o.replayed for o in outcomes) == 20
    assert sum(o.replayed for o in outcomes) == 140
    for n, key in enumerate(keys):  # every submission of a key got the same transaction
        assert len({thread[n].transaction.pk for thread in results}) == 1, key
    seller.refresh_from_db()
    assert seller.balance == Decimal("1000.00") - 20 * Decimal("7.00")
    assert TransactionLog.objects.filter(seller=seller, type="charge").count() == 20
    assert all_checks_pass() == {}

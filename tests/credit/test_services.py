from decimal import Decimal

import pytest
from django.db import connection

from apps.core.models import AuditEvent
from apps.credit import services
from apps.credit.books import log_explains_balance
from apps.credit.models import (
    CreditRequest,
    RequestStatus,
    Seller,
    SellerStatus,
    TransactionLog,
    TransactionStatus,
    TransactionType,
)
from apps.ledger import chart
from apps.ledger.models import Account, JournalEntry
from tests.ledger.test_invariants import ledger_results

pytestmark = pytest.mark.django_db
PHONE = "+447911123456"


def counts():
    return (
        JournalEntry.objects.count(),
        TransactionLog.objects.count(),
        AuditEvent.objects.filter(event__startswith="credit.").count(),
        tuple(Account.objects.order_by("pk").values_list("balance", flat=True)),
        tuple(Seller.objects.order_by("pk").values_list("balance", flat=True)),
    )


def charge(seller, amount="7.00", key="k1", phone=PHONE):
    return services.credit_charge(seller=seller, amount=amount, phone=phone, idempotency_key=key)


def all_checks_pass():
    results = {**ledger_results("ledger."), **ledger_results("credit.")}
    return {n: r.violations for n, r in results.items() if not r.ok}


def test_seller_create_gives_a_seller_login_and_its_own_credit_account(books):
    seller = services.seller_create(
        email="Shop@Example.test", company="Shop", phone=PHONE, password="pw-2026-long"
    )
    assert seller.user.email == "shop@example.test"
    assert seller.user.roles == ["Seller"]
    assert seller.account.code == f"2100-{seller.user.pk:06d}"
    assert seller.account.parent.code == chart.SELLER_CREDIT
    assert (seller.account.type, seller.balance, seller.status) == (
        "liability",
        Decimal("0.00"),
        SellerStatus.ACTIVE,
    )
    with pytest.raises(services.CreditError, match="already a seller"):
        services.seller_create(email="shop@example.test", company="Again")


def test_staff_login_cannot_become_a_seller(books, make_user):
    make_user("Accountant", email="acc@example.test")
    with pytest.raises(services.CreditError, match="staff member"):
        services.seller_create(email="acc@example.test", company="X")


def test_approval_posts_bank_to_seller_credit_once(make_seller, approver):
    seller = make_seller()
    request = services.creditrequest_create(seller=seller, amount="250.00", note="float")
    log = services.creditrequest_approve(credit_request=request, by=approver)
    request.refresh_from_db()
    seller.refresh_from_db()
    assert (request.status, request.decided_by, request.entry) == (
        RequestStatus.APPROVED,
        approver,
        log.entry,
    )
    assert (log.type, log.amount, log.balance_after) == (
        TransactionType.TOPUP,
        Decimal("250.00"),
        Decimal("250.00"),
    )
    assert sorted(log.entry.lines.values_list("account__code", "debit", "credit")) == [
        (chart.BANK, Decimal("250.00"), Decimal("0.00")),
        (seller.account.code, Decimal("0.00"), Decimal("250.00")),
    ]
    assert seller.balance == seller.account.balance == Decimal("250.00")
    before = counts()
    with pytest.raises(services.CreditError, match="already approved"):
        services.creditrequest_approve(credit_request=request, by=approver)
    with pytest.raises(services.CreditError, match="already approved"):
        services.creditrequest_reject(credit_request=request, reason="late", by=approver)
    assert counts() == before
    assert all_checks_pass() == {}


def test_reject_needs_a_reason_and_posts_nothing(make_seller, approver):
    seller = make_seller()
    request = services.creditrequest_create(seller=seller, amount="10.00")
    with pytest.raises(services.CreditError):
        services.creditrequest_reject(credit_request=request, reason="  ", by=approver)
    services.creditrequest_reject(credit_request=request, reason="No payment received", by=approver)
    request.refresh_from_db()
    assert (request.status, request.reason, request.entry) == (
        RequestStatus.REJECTED,
        "No payment received",
        None,
    )
    assert not TransactionLog.objects.exists()


def test_suspended_seller_cannot_request_be_topped_up_or_charge(make_seller, approver):
    seller = make_seller("50.00")
    pending = services.creditrequest_create(seller=seller, amount="10.00")
    services.seller_set_status(seller=seller, status=SellerStatus.SUSPENDED, reason="audit")
    before = counts()
    with pytest.raises(services.SellerSuspended):
        services.creditrequest_create(seller=seller, amount="10.00")
    with pytest.raises(services.SellerSuspended):
        services.creditrequest_approve(credit_request=pending, by=approver)
    with pytest.raises(services.SellerSuspended, match="suspended"):
        charge(seller)
    assert counts() == before
    assert CreditRequest.objects.get(pk=pending.pk).status == RequestStatus.PENDING


def test_charge_debits_credit_posts_and_logs(make_seller, make_user):
    seller = make_seller("100.00")
    user = seller.user
    outcome = services.credit_charge(
        seller=seller, amount="7.25", phone="+44 7911 123456", idempotency_key="abc", by=user
    )
    log = outcome.transaction
    assert outcome.replayed is False
    assert (log.type, log.amount, log.balance_after, log.phone, log.status) == (
        TransactionType.CHARGE,
        Decimal("-7.25"),
        Decimal("92.75"),
        "+447911123456",
        TransactionStatus.COMPLETED,
    )
    assert sorted(log.entry.lines.values_list("account__code", "debit", "credit")) == [
        (seller.account.code, Decimal("7.25"), Decimal("0.00")),
        (seller.revenue_account.code, Decimal("0.00"), Decimal("7.25")),
    ]
    assert list(JournalEntry.objects.for_source(log)) == [log.entry]
    seller.refresh_from_db()
    assert seller.balance == Account.objects.get(pk=seller.account_id).balance == Decimal("92.75")
    assert Account.objects.get(pk=seller.revenue_account_id).balance == Decimal("7.25")
    event = AuditEvent.objects.get(event="credit.charge")
    assert (event.actor, event.object_id, event.changes["amount"]) == (user, str(log.pk), "7.25")
    assert all_checks_pass() == {}


def test_same_key_returns_the_first_result_and_charges_once(make_seller):
    seller = make_seller("20.00")
    first = charge(seller, key="same")
    before = counts()
    again = charge(seller, key="same")
    assert again.replayed is True
    assert again.transaction.pk == first.transaction.pk
    assert counts() == before
    with pytest.raises(services.CreditError, match="already used"):
        charge(seller, amount="8.00", key="same")
    # keys are per seller: another seller may use the same one
    other = make_seller("20.00")
    assert charge(other, key="same").replayed is False


def test_insufficient_credit_changes_nothing(make_seller):
    seller = make_seller("10.00")
    charge(seller, "6.00", key="a")
    before = counts()
    with pytest.raises(services.InsufficientCredit, match="balance is 4.00, the charge needs 6.00"):
        charge(seller, "6.00", key="b")
    assert counts() == before
    charge(seller, "4.00", key="c")  # exactly the balance is fine
    seller.refresh_from_db()
    assert seller.balance == Decimal("0.00")


@pytest.mark.parametrize(
    ("amount", "phone", "field"),
    [
        ("0", PHONE, "amount"),
        ("-5", PHONE, "amount"),
        ("1.005", PHONE, "amount"),
        ("NaN", PHONE, "amount"),
        ("Infinity", PHONE, "amount"),
        ("-Infinity", PHONE, "amount"),
        ("1e17", PHONE, "amount"),
        ("abc", PHONE, "amount"),
        (1.5, PHONE, "amount"),
        ("5", "07911 123456", "phone"),
        ("5", "+44 12", "phone"),
        ("5", "+447700900123", "phone"),
        ("5", "call me", "phone"),
    ],
)
def test_bad_input_to_the_service_is_refused(make_seller, amount, phone, field):
    seller = make_seller("100.00")
    before = counts()
    with pytest.raises(services.CreditError) as info:
        charge(seller, amount, key="bad", phone=phone)
    assert field in info.value.message_dict
    assert counts() == before


def test_reversing_a_charge_gives_the_credit_back_once(make_seller, approver):
    seller = make_seller("30.00")
    log = charge(seller, "12.00").transaction
    reversal = services.credit_reverse(transaction_log=log, reason="Wrong number", by=approver)
    log.refresh_from_db()
    seller.refresh_from_db()
    assert (reversal.type, reversal.amount, reversal.balance_after) == (
        TransactionType.REVERSAL,
        Decimal("12.00"),
        Decimal("30.00"),
    )
    assert log.status == TransactionStatus.REVERSED
    assert reversal.entry.reverses == log.entry
    assert seller.balance == seller.account.balance == Decimal("30.00")
    assert Account.objects.get(pk=seller.revenue_account_id).balance == Decimal("0.00")
    with pytest.raises(services.CreditError, match="already been reversed"):
        services.credit_reverse(transaction_log=log, reason="again", by=approver)
    with pytest.raises(services.CreditError, match="cannot be reversed"):
        services.credit_reverse(transaction_log=reversal, reason="again", by=approver)
    assert all_checks_pass() == {}


def test_a_spent_top_up_cannot_be_reversed(make_seller, approver):
    seller = make_seller("10.00")
    topup = TransactionLog.objects.get(seller=seller, type=TransactionType.TOPUP)
    charge(seller, "6.00")
    before = counts()
    with pytest.raises(services.InsufficientCredit, match="no longer covers"):
        services.credit_reverse(transaction_log=topup, reason="bounced", by=approver)
    assert counts() == before
    assert TransactionLog.objects.get(pk=topup.pk).status == TransactionStatus.COMPLETED


def test_log_rows_are_immutable(make_seller):
    log = charge(make_seller("10.00")).transaction
    log.amount = Decimal("-1.00")
    with pytest.raises(TypeError):
        log.save()
    with pytest.raises(TypeError):
        TransactionLog.objects.filter(pk=log.pk).update(amount=Decimal("-1.00"))
    with pytest.raises(TypeError):
        TransactionLog.objects.all().delete()


def test_checks_catch_a_seller_balance_that_drifts_from_its_account(make_seller):
    seller = make_seller("10.00")
    Seller.objects.filter(pk=seller.pk).update(balance=Decimal("11.00"))
    problems = all_checks_pass()
    assert problems["credit.balance_equals_ledger"] == [
        f"{seller}: balance 11.00 ≠ account {seller.account.code} balance 10.00"
    ]
    assert problems["credit.log_explains_balance"] == [
        f"{seller}: log sums to 10.00, balance is 11.00",
        f"{seller}: last balance-after 10.00 ≠ balance 11.00",
    ]


def test_checks_catch_a_log_row_whose_currency_does_not_exist(make_seller):
    """The database does not enforce the log's currency (see TransactionLog.currency)."""
    log = charge(make_seller("10.00")).transaction
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE credit_transactionlog SET currency_id = 'XXX' WHERE idempotency_key = 'k1'"
        )
    assert all_checks_pass()["credit.log_references"] == [
        f"transaction {log.pk}: currency 'XXX' does not exist"
    ]


def test_log_check_does_not_query_per_seller(make_seller, django_assert_num_queries):
    for balance in ("10.00", "20.00", "0.00"):
        make_seller(balance)
    with django_assert_num_queries(2):  # the log totals, the sellers with their last row
        assert log_explains_balance().violations == []


def test_charge_query_count(make_seller, django_assert_num_queries):
    seller = make_seller("100.00")
    charge(seller, key="warm-up")
    # PostgreSQL: the whole charge is one statement; elsewhere the accounts, the conditional
    # debit, 2 entry inserts, log, audit, one UPDATE of both balances. Both +
    # SAVEPOINT/RELEASE because the test's own transaction wraps the service's (outside one,
    # see test_charge_rows.py).
    expected = 1 + 2 if connection.vendor == "postgresql" else 7 + 2
    with django_assert_num_queries(expected):
        charge(seller, key="counted")

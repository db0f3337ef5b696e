"""Seller credit invariants for check_books (DESIGN.md §4.3)."""

from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Round

from apps.core.books import CheckResult, register
from apps.finance.models import Currency
from apps.ledger.models import JournalLine
from apps.ledger.selectors import cents

from .models import CreditRequest, RequestStatus, Seller, TransactionLog, TransactionStatus

ZERO = Decimal("0.00")


@register(
    "credit.balance_equals_ledger",
    "Each seller's balance equals its ledger credit account and is never negative.",
)
def balance_equals_ledger() -> CheckResult:
    sellers = Seller.all_objects.select_related("account")
    violations = []
    for seller in sellers:
        if seller.balance < 0:
            violations.append(f"{seller}: balance {seller.balance} is negative")
        if seller.balance != seller.account.balance:
            violations.append(
                f"{seller}: balance {seller.balance} ≠ account {seller.account.code} "
                f"balance {seller.account.balance}"
            )
    return CheckResult(counted=len(sellers), violations=violations)


@register(
    "credit.log_explains_balance",
    "Each seller's transaction log adds up to its balance, and the latest row's "
    "balance-after equals it.",
)
def log_explains_balance() -> CheckResult:
    totals = dict(
        TransactionLog.objects.values("seller").annotate(t=Sum("amount")).values_list("seller", "t")
    )
    latest = TransactionLog.objects.filter(seller=OuterRef("pk")).order_by("-created_at")
    violations = []
    sellers = Seller.all_objects.annotate(last=Subquery(latest.values("balance_after")[:1]))
    for seller in sellers:
        total = cents(totals.get(seller.pk))
        if total != seller.balance:
            violations.append(f"{seller}: log sums to {total}, balance is {seller.balance}")
        last = None if seller.last is None else cents(seller.last)  # SQLite: a float
        if last is not None and last != seller.balance:
            violations.append(f"{seller}: last balance-after {last} ≠ balance {seller.balance}")
    return CheckResult(counted=len(sellers), violations=violations)


@register(
    "credit.applied_once",
    "Every approved top-up has exactly one log row and one journal entry; undecided or "
    "rejected requests have none; every reversed row has exactly one reversal.",
)
def applied_once() -> CheckResult:
    violations = []
    requests = CreditRequest.all_objects.annotate(
        logged=Exists(TransactionLog.objects.filter(credit_request=OuterRef("pk")))
    )
    for request in requests.filter(status=RequestStatus.APPROVED).filter(
        Q(entry__isnull=True) | Q(logged=False)
    ):
        violations.append(f"approved request #{request.pk} has no posting")
    for request in requests.exclude(status=RequestStatus.APPROVED).filter(
        Q(entry__isnull=False) | Q(logged=True)
    ):
        violations.append(f"{request.get_status_display().lower()} request #{request.pk} posted")
    reversed_rows = TransactionLog.objects.filter(status=TransactionStatus.REVERSED)
    for row in reversed_rows.filter(reversed_by__isnull=True):
        violations.append(f"transaction {row.pk} is marked reversed but has no reversal")
    for row in TransactionLog.objects.filter(
        reversed_by__isnull=False, status=TransactionStatus.COMPLETED
    ):
        violations.append(f"transaction {row.pk} has a reversal but is not marked reversed")
    return CheckResult(counted=requests.count() + reversed_rows.count(), violations=violations)


@register(
    "credit.log_matches_entries",
    "Each log row's journal entry moves the seller's credit account by exactly the row's amount.",
)
def log_matches_entries() -> CheckResult:
    moved = (
        JournalLine.objects.filter(entry=OuterRef("entry"), account=OuterRef("seller__account"))
        .values("entry")
        .annotate(net=Sum(F("base_credit") - F("base_debit")))
        .values("net")
    )

    rows = TransactionLog.objects.annotate(moved=Round(Subquery(moved), 2)).exclude(
        moved=F("amount")
    )
    violations = [
        f"transaction {row.pk}: amount {row.amount}, credit account moved {cents(row.moved)}"
        for row in rows[:200]
    ]
    duplicates = (
        TransactionLog.objects.values("seller", "idempotency_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    violations += [
        f"seller {d['seller']}: key {d['idempotency_key']} used {d['n']} times" for d in duplicates
    ]
    return CheckResult(counted=TransactionLog.objects.count(), violations=violations)


@register(
    "credit.log_references",
    "Every log row's currency exists (a reference the database does not enforce: every "
    "charge would share-lock that row).",
)
def log_references() -> CheckResult:
    bad = (
        TransactionLog.objects.filter(
            ~Exists(Currency.all_objects.filter(code=OuterRef("currency_id")))
        )
        .order_by("pk")
        .values_list("pk", "currency_id")
    )
    violations = [f"transaction {pk}: currency {code!r} does not exist" for pk, code in bad[:200]]
    return CheckResult(counted=TransactionLog.objects.count(), violations=violations)

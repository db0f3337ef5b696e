"""Ledger invariants for check_books (DESIGN.md §4.2)."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import Round

from apps.core.books import CheckResult, register
from apps.finance.models import Currency

from .models import Account, JournalEntry, JournalLine, normal_sign
from .selectors import cents, line_totals, stored_balances_net

ZERO = Decimal("0.00")


@register(
    "ledger.entries_balanced",
    "Every journal entry has two or more lines and its debits equal its credits, in the "
    "document currency and in the base currency.",
)
def entries_balanced() -> CheckResult:
    bad = (
        JournalLine.objects.values("entry")
        .annotate(
            n=Count("id"),
            dr=Sum("debit"),
            cr=Sum("credit"),
            base_dr=Sum("base_debit"),
            base_cr=Sum("base_credit"),
            # ROUND: SQLite sums decimals as floats; compare at the column's scale
            diff=Round(Sum("debit") - Sum("credit"), 2),
            base_diff=Round(Sum("base_debit") - Sum("base_credit"), 2),
        )
        .filter(Q(n__lt=2) | ~Q(diff=0) | ~Q(base_diff=0))
    )
    violations = [
        f"entry {row['entry']}: debits {cents(row['dr'])} / credits {cents(row['cr'])} "
        f"(base {cents(row['base_dr'])} / {cents(row['base_cr'])}), {row['n']} line(s)"
        for row in bad[:200]
    ]
    violations += [
        f"entry {pk} has no lines"
        for pk in JournalEntry.objects.filter(lines__isnull=True).values_list("pk", flat=True)[:50]
    ]
    return CheckResult(counted=JournalEntry.objects.count(), violations=violations)


@register(
    "ledger.entry_totals",
    "Every journal entry's stored amount equals the sum of its lines' base debits.",
)
def entry_totals() -> CheckResult:
    bad = (
        JournalLine.objects.values("entry")
        .annotate(
            lines=Sum("base_debit"),
            stored=Max("entry__total"),
            # ROUND: SQLite sums decimals as floats; compare at the column's scale
            diff=Round(Sum("base_debit") - Max("entry__total"), 2),
        )
        .filter(~Q(diff=0))
        .order_by("entry")
    )
    violations = [
        f"entry {row['entry']}: stored amount {cents(row['stored'])}, "
        f"lines say {cents(row['lines'])}"
        for row in bad[:200]
    ]
    # an entry without lines (ledger.entries_balanced reports it) sums to nothing
    violations += [
        f"entry {pk}: stored amount {cents(total)}, it has no lines"
        for pk, total in JournalEntry.objects.filter(lines__isnull=True)
        .exclude(total=0)
        .order_by("pk")
        .values_list("pk", "total")[:50]
    ]
    return CheckResult(counted=JournalEntry.objects.count(), violations=violations)


@register(
    "ledger.account_balances",
    "Every account's stored balance equals the sum of its journal lines.",
)
def account_balances() -> CheckResult:
    totals = line_totals()
    violations = []
    accounts = Account.all_objects.only("pk", "code", "name", "type", "balance")
    for account in accounts:
        debit, credit = totals.get(account.pk, (ZERO, ZERO))
        expected = (debit - credit) * normal_sign(account.type)
        if account.balance != expected:
            violations.append(f"{account}: stored balance {account.balance}, lines say {expected}")
    return CheckResult(counted=len(accounts), violations=violations)


@register(
    "ledger.trial_balance_zero",
    "The trial balance is zero: all debits equal all credits, and the debit-side balances "
    "equal the credit-side balances.",
)
def trial_balance_zero() -> CheckResult:
    violations = []
    lines = JournalLine.objects.aggregate(debit=Sum("base_debit"), credit=Sum("base_credit"))
    debit, credit = cents(lines["debit"]), cents(lines["credit"])
    if debit != credit:
        violations.append(f"all lines: debits {debit} ≠ credits {credit}")
    net = stored_balances_net()
    if net:
        violations.append(f"stored balances do not net to zero: off by {net}")
    return CheckResult(counted=2, violations=violations)


@register(
    "ledger.references",
    "Every journal entry's currency and source type exist (references the database does "
    "not enforce: every posting would share-lock those few rows).",
)
def references() -> CheckResult:
    currency = Exists(Currency.all_objects.filter(code=OuterRef("currency_id")))
    source_type = Exists(ContentType.objects.filter(pk=OuterRef("source_type_id")))
    bad = (
        JournalEntry.objects.filter(~currency | (Q(source_type_id__isnull=False) & ~source_type))
        .order_by("pk")
        .values_list("pk", "currency_id", "source_type_id")
    )
    violations = [
        f"entry {pk}: currency {code!r} or source type {type_id} does not exist"
        for pk, code, type_id in bad[:200]
    ]
    return CheckResult(counted=JournalEntry.objects.count(), violations=violations)


@register(
    "ledger.reversals",
    "A reversal mirrors its original entry line for line (debits and credits swapped).",
)
def reversals_mirror() -> CheckResult:
    violations = []
    reversals = JournalEntry.objects.filter(reverses__isnull=False)
    count = 0
    for reversal in reversals.prefetch_related("lines", "reverses__lines").iterator(chunk_size=500):
        count += 1
        mine = sorted((r.account_id, r.base_credit, r.base_debit) for r in reversal.lines.all())
        theirs = sorted(
            (r.account_id, r.base_debit, r.base_credit) for r in reversal.reverses.lines.all()
        )
        if mine != theirs:
            violations.append(
                f"reversal {reversal.pk} does not mirror entry {reversal.reverses_id}"
            )
    return CheckResult(counted=count, violations=violations)

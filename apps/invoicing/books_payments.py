"""check_books: invariant 6 of DESIGN.md §4 (payments), with the ledger's view of them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Sum

from apps.core.books import CheckResult, register
from apps.finance import money
from apps.ledger import chart
from apps.ledger.models import JournalLine

from .models import Allocation, Invoice, InvoiceStatus, Payment, PaymentState
from .selectors_payments import with_credit

ZERO = Decimal("0")


def cents(value) -> Decimal:
    return money.quantize(value or ZERO)


def _ledger_by_payment(code_in: tuple[str, ...]) -> dict[int, Decimal]:
    """Net base debit of the given accounts' lines posted by each payment."""
    ct = ContentType.objects.get_for_model(Payment)
    rows = (
        JournalLine.objects.filter(entry__source_type=ct, account__code__in=code_in)
        .values("entry__source_id")
        .annotate(net=Sum("base_debit") - Sum("base_credit"))
    )
    return {int(r["entry__source_id"]): cents(r["net"]) for r in rows}


@register(
    "invoicing.payments",
    "Every payment equals its allocations + refunds + the credit it leaves, in its currency "
    "and in base currency, never less; allocations stay within the customer and never "
    "exceed an invoice; a paid invoice is settled to zero in base currency too; the AR, Bank "
    "and Cash lines each payment posted agree with it; a reversed payment keeps nothing; "
    "each payment's stored credit left (unapplied) equals its amount less its allocations "
    "and refunds.",
)
def payments() -> CheckResult:
    violations: list[str] = []
    ar = _ledger_by_payment((chart.AR,))
    money_in = _ledger_by_payment((chart.BANK, chart.CASH))
    settled = dict(
        Allocation.objects.filter(payment__isnull=False)
        .values("payment_id")
        .annotate(t=Sum("amount_base"))
        .values_list("payment_id", "t")
    )
    refunded_base: dict[int, Decimal] = defaultdict(Decimal)
    for pk, base in Payment.objects.filter(refunds__isnull=False).values_list(
        "pk", "refunds__amount_base"
    ):
        refunded_base[pk] += base
    rows = with_credit(Payment.objects.all()).values_list(
        "pk",
        "number",
        "status",
        "unapplied",
        "credit_left",
        "credit_left_base",
        "allocated",
    )
    counted = 0
    for pk, number, status, unapplied, left, left_base, allocated in rows:
        counted += 1
        left, left_base = cents(left), cents(left_base)
        if cents(unapplied) != left:
            violations.append(f"payment {number}: stored credit left {unapplied}, computed {left}")
        if status == PaymentState.REVERSED:
            if allocated:
                violations.append(f"payment {number}: reversed but still allocates {allocated}")
            if ar.get(pk, ZERO) or money_in.get(pk, ZERO):
                violations.append(f"payment {number}: reversed but its entries do not net to 0")
            continue
        if left < 0 or left_base < 0:
            violations.append(
                f"payment {number}: allocations and refunds exceed it by {-left} "
                f"({-left_base} base)"
            )
        elif (left == 0) != (left_base == 0):
            violations.append(f"payment {number}: credit left {left}, in base {left_base}")
        want_ar = -(cents(settled.get(pk)) + left_base)
        if ar.get(pk, ZERO) != want_ar:
            violations.append(f"payment {number}: AR lines {ar.get(pk, ZERO)}, expected {want_ar}")
    base_in = dict(
        Payment.objects.filter(status=PaymentState.POSTED).values_list("pk", "amount_base")
    )
    numbers = dict(Payment.objects.values_list("pk", "number"))
    for pk, amount_base in base_in.items():
        want = cents(amount_base) - cents(refunded_base.get(pk))
        # a refund pays out at its own rate: Bank/Cash differ from the credit used by FX
        if not refunded_base.get(pk) and money_in.get(pk, ZERO) != want:
            violations.append(
                f"payment {numbers[pk]}: Bank/Cash lines {money_in.get(pk, ZERO)}, expected {want}"
            )
    foreign = Allocation.objects.filter(payment__isnull=False).exclude(
        invoice__customer_id=F("payment__customer_id")
    )
    violations += [
        f"payment {n}: allocated to invoice {i} of another customer"
        for n, i in foreign.values_list("payment__number", "invoice__number")
    ]
    paid = (
        Invoice.all_objects.filter(status=InvoiceStatus.ISSUED)
        .annotate(a=Sum("allocations__amount"), b=Sum("allocations__amount_base"))
        .filter(a=F("total"))
        .exclude(b=F("total_base"))
        .values_list("number", "total_base", "b")
    )
    violations += [
        f"invoice {n}: paid, but {cents(b)} base settled of {cents(t)}" for n, t, b in paid
    ]
    return CheckResult(counted=counted, violations=violations)


__all__ = ["payments"]

"""check_books: bank statement lines and the payments their matches recorded."""

from __future__ import annotations

from django.db.models import Count, Q

from apps.core.books import CheckResult, register

from .models import BankLine, BankMatch, LineStatus, MatchStatus, PaymentState


@register(
    "invoicing.bank",
    "Every matched bank line has exactly one applied match whose payment is posted, from "
    "the match's customer, for the line's amount and date; an undone match's payment is "
    "reversed; no other line has an applied match.",
)
def bank() -> CheckResult:
    violations: list[str] = []
    applied = BankMatch.objects.filter(status=MatchStatus.APPLIED).select_related("line", "payment")
    for match in applied:
        line, payment = match.line, match.payment
        where = f"Bank line {line.pk} ({line.date} {line.amount})"
        if line.status != LineStatus.MATCHED:
            violations.append(f"{where}: has an applied match but is {line.status}")
        if payment is None:
            violations.append(f"{where}: applied match {match.pk} has no payment")
            continue
        if payment.status != PaymentState.POSTED:
            violations.append(f"{where}: payment {payment.number} is {payment.status}")
        if (payment.amount, payment.date, payment.customer_id) != (
            line.amount,
            line.date,
            match.customer_id,
        ):
            violations.append(
                f"{where}: payment {payment.number} is {payment.amount} on {payment.date} "
                f"from customer {payment.customer_id}, the match says customer "
                f"{match.customer_id}"
            )
    orphans = BankLine.objects.filter(status=LineStatus.MATCHED).annotate(
        n=Count("matches", filter=Q(matches__status=MatchStatus.APPLIED))
    )
    for line in orphans.exclude(n=1):
        violations.append(f"Bank line {line.pk} is matched with {line.n} applied matches")
    undone = BankMatch.objects.filter(status=MatchStatus.REVERSED).exclude(
        payment__status=PaymentState.REVERSED
    )
    for match in undone.select_related("payment"):
        violations.append(
            f"Bank line {match.line_id}: match {match.pk} was undone but payment "
            f"{match.payment.number} is still posted"
        )
    return CheckResult(counted=applied.count(), violations=violations)

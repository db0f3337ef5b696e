"""Reversing a charge or a top-up with a mirror entry."""

from __future__ import annotations

from django.db import transaction

from apps.core.audit import audit_record
from apps.ledger.services import (
    journal_reverse,
)

from ..models import (
    TransactionLog,
    TransactionType,
)
from .common import (
    CreditError,
    InsufficientCredit,
    _actor,
    _seller_balance_add,
)


@transaction.atomic
def credit_reverse(*, transaction_log: TransactionLog, reason: str, by) -> TransactionLog:
    """Undo a charge (credit comes back) or a top-up (only while the balance covers it):
    a reversing journal entry and a new log row; the original is marked reversed, once."""
    original = transaction_log
    reason = (reason or "").strip()
    if not reason:
        raise CreditError({"reason": "Say why this transaction is reversed."})
    if original.type == TransactionType.REVERSAL:
        raise CreditError("A reversal cannot be reversed; record a new transaction instead.")
    if not TransactionLog.objects.mark_reversed(original.pk):
        raise CreditError("This transaction has already been reversed.")
    delta = -original.amount
    balance = _seller_balance_add(original.seller_id, delta)
    if balance is None:
        raise InsufficientCredit(
            "The seller's balance no longer covers this top-up, so it cannot be reversed."
        )
    entry = journal_reverse(
        entry=original.entry, memo=f"Reversal: {reason}"[:255], posted_by=_actor(by), audit=False
    )
    log = TransactionLog.objects.create(
        seller_id=original.seller_id,
        type=TransactionType.REVERSAL,
        amount=delta,
        balance_after=balance,
        currency_id=original.currency_id,
        rate=original.rate,
        idempotency_key=f"reversal:{original.pk}",
        phone=original.phone,
        entry=entry,
        reverses=original,
        created_by=_actor(by),
        note=reason[:500],
    )
    audit_record(
        actor=_actor(by),
        subject=log,
        event="credit.reversal",
        changes={"reverses": original.pk, "amount": delta, "balance_after": balance},
        message=reason,
    )
    return log

"""Gapless number sequences (DESIGN.md §3, core): orders, returns, customers, invoices."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .models import NumberSequence


@transaction.atomic
def sequence_next(*, name: str) -> int:
    """The next number of a series, gapless: call it inside the issuing transaction.

    The UPDATE locks the counter row until the caller commits (a concurrent issuer waits),
    and a rollback takes the number back with everything else.
    """
    counter = NumberSequence.objects.filter(name=name)
    if not counter.update(last_value=F("last_value") + 1):
        NumberSequence.objects.bulk_create(
            [NumberSequence(name=name, last_value=0)], ignore_conflicts=True
        )
        counter.update(last_value=F("last_value") + 1)
    return counter.values_list("last_value", flat=True).get()


@transaction.atomic
def sequence_reserve(*, name: str, count: int) -> int:
    """Take `count` consecutive numbers at once (bulk demo data); returns the first."""
    if count < 1:
        raise ValueError("Reserve at least one number.")
    counter = NumberSequence.objects.filter(name=name)
    if not counter.update(last_value=F("last_value") + count):
        NumberSequence.objects.bulk_create(
            [NumberSequence(name=name, last_value=0)], ignore_conflicts=True
        )
        counter.update(last_value=F("last_value") + count)
    return counter.values_list("last_value", flat=True).get() - count + 1

"""Benchmark books (`seed_demo --scale N`): 4 N manual journal entries with 10 N lines
(N=100,000: 400,000 entries, 1,000,000 lines; the credit and invoicing builders that run
after this one add their own postings on top).

Entries alternate two and three lines over the last year, on accounts that no document
explains (so every check_books reconciliation still holds): cash deposited at the bank,
a petty-cash float, supplier bills for received stock paid from the bank (two bills or
one), an owner's contribution. Stored balances move by the lines' sums in one update per
account. Written with COPY on PostgreSQL; idempotent (nothing is added once they exist).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from apps.core.bulkload import UuidMaker, load_deferred, rows_insert
from apps.finance.selectors import base_currency_code

from . import chart
from .models import Account, JournalEntry, JournalLine, normal_sign

ENTRIES_PER_SCALE = 4  # two entries of two lines and two of three: 10 lines per scale unit
REFERENCE = "SCALE-JE"
ZERO = Decimal("0.00")
ONE = Decimal("1")

# memo, debits, credits: two-line and three-line entries (a split side takes two lines)
ENTRIES = [
    ("Cash deposited at the bank", [chart.BANK], [chart.CASH]),
    ("Supplier bills paid", [chart.STOCK_RECEIVED_NOT_BILLED] * 2, [chart.BANK]),
    ("Petty cash float", [chart.CASH], [chart.BANK]),
    ("Owner's contribution", [chart.BANK, chart.CASH], [chart.OPENING_BALANCE_EQUITY]),
]
ENTRY = [
    "id", "date", "memo", "reference", "rate", "source_id", "posted_at", "currency_id",
    "posted_by_id", "reverses_id", "source_type_id",
]  # fmt: skip
LINE = ["debit", "credit", "base_debit", "base_credit", "memo", "account_id", "entry_id"]


def seed_scale(*, scale: int, stdout) -> None:
    if JournalEntry.objects.filter(reference=REFERENCE).exists():
        return
    accounts = dict(Account.objects.filter(code__in=_codes()).values_list("code", "pk"))
    types = dict(Account.objects.filter(code__in=_codes()).values_list("pk", "type"))
    base = base_currency_code()
    rng = random.Random(scale)
    make = UuidMaker()
    now = timezone.now()
    entries, lines = [], []
    deltas: dict[int, Decimal] = defaultdict(Decimal)
    count = ENTRIES_PER_SCALE * scale
    step = dt.timedelta(days=365) / count
    for n in range(count):
        memo, debits, credits = ENTRIES[n % len(ENTRIES)]
        at = now - dt.timedelta(days=365) + n * step
        entry = make()
        entries.append((entry, at.date(), memo, REFERENCE, ONE, "", at, base, None, None, None))
        parts = [Decimal(rng.randint(1000, 500000)) / 100 for _ in debits]
        for code, amount in zip(debits, parts, strict=True):
            lines.append((amount, ZERO, amount, ZERO, "", accounts[code], entry))
            deltas[accounts[code]] += amount
        total = sum(parts, ZERO)
        for code in credits:  # one credit line per entry
            lines.append((ZERO, total, ZERO, total, "", accounts[code], entry))
            deltas[accounts[code]] -= total
    with transaction.atomic(), load_deferred(JournalEntry, JournalLine):
        rows_insert(JournalEntry, ENTRY, entries)
        rows_insert(JournalLine, LINE, lines)
        with connection.cursor() as cursor:
            for pk in sorted(deltas):
                cursor.execute(
                    f"UPDATE {Account._meta.db_table} SET balance = ROUND(balance + %s, 2)"
                    " WHERE id = %s",
                    [deltas[pk] * normal_sign(types[pk]), pk],
                )
    stdout.write(f"  {len(entries)} scale journal entries, {len(lines)} lines")


def _codes() -> set[str]:
    return {code for _, debits, credits in ENTRIES for code in (*debits, *credits)}

"""Benchmark books (`seed_demo --scale N`): 4 N manual journal entries with 10 N lines
(N=100,000: 400,000 entries, 1,000,000 lines; the credit and invoicing builders that run
after this one add their own postings on top).

Entries alternate two and three lines over the last year, on accounts that no document
explains (so every check_books reconciliation still holds): cash deposited at the bank,
a petty-cash float, supplier bills for received stock paid from the bank (two bills or
one), an owner's contribution. Stored balances move by the lines' sums in one update per
account. Computed in parts by forked workers (`forked_map`, apps/core/bulkload.py) and
written with COPY on PostgreSQL; idempotent (nothing is added once they exist).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from apps.core.bulkload import UuidMaker, forked_map, packed_insert, rows_pack
from apps.core.bulkload_indexes import load_deferred
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
    "posted_by_id", "reverses_id", "source_type_id", "total",
]  # fmt: skip
LINE = ["debit", "credit", "base_debit", "base_credit", "memo", "account_id", "entry_id"]


PART = 25000  # entries per part computed by a worker
WRITTEN = (JournalEntry, JournalLine)  # what this builder loads (seed_demo)


def seed_scale(*, scale: int, stdout) -> None:
    if JournalEntry.objects.filter(reference=REFERENCE).exists():
        return
    accounts = dict(Account.objects.filter(code__in=_codes()).values_list("code", "pk"))
    types = dict(Account.objects.filter(code__in=_codes()).values_list("pk", "type"))
    count = ENTRIES_PER_SCALE * scale
    rng = random.Random(scale)  # the amounts drawn in entry order, whoever writes them
    draws = [rng.randint(1000, 500000) for _ in range(_draws_before(count))]
    shared = _Shared(accounts, base_currency_code(), timezone.now(), count, draws)
    deltas: dict[int, Decimal] = defaultdict(Decimal)
    written = [0, 0]
    with transaction.atomic(), load_deferred(JournalEntry, JournalLine):
        parts = [(n, min(n + PART, count)) for n in range(0, count, PART)]
        for entries, lines, part_deltas in forked_map(_part, parts, shared):
            written[0] += packed_insert(entries)
            written[1] += packed_insert(lines)
            for pk, amount in part_deltas.items():
                deltas[pk] += amount
        with connection.cursor() as cursor:
            for pk in sorted(deltas):
                cursor.execute(
                    f"UPDATE {Account._meta.db_table} SET balance = ROUND(balance + %s, 2)"
                    " WHERE id = %s",
                    [deltas[pk] * normal_sign(types[pk]), pk],
                )
    stdout.write(f"  {written[0]} scale journal entries, {written[1]} lines")


class _Shared(NamedTuple):
    accounts: dict[str, int]
    base: str
    now: dt.datetime
    count: int
    draws: list[int]  # rng.randint(1000, 500000) per debit line, in entry order


def _draws_before(n: int) -> int:
    """How many amounts the entries before entry n drew (one per debit line)."""
    cycle, rest = divmod(n, len(ENTRIES))
    sizes = [len(debits) for _, debits, _ in ENTRIES]
    return cycle * sum(sizes) + sum(sizes[:rest])


def _part(shared: _Shared, bounds: tuple[int, int]):
    """Entries [start, stop): their entry and line rows (packed) and the balance deltas.
    Runs in a worker process: no database access."""
    accounts, make = shared.accounts, UuidMaker()
    entries, lines = [], []
    deltas: dict[int, Decimal] = defaultdict(Decimal)
    step = dt.timedelta(days=365) / shared.count
    start, stop = bounds
    draw = _draws_before(start)
    for n in range(start, stop):
        memo, debits, credits = ENTRIES[n % len(ENTRIES)]
        at = shared.now - dt.timedelta(days=365) + n * step
        entry = make()
        parts = [Decimal(v) / 100 for v in shared.draws[draw : draw + len(debits)]]
        draw += len(debits)
        total = sum(parts, ZERO)
        entries.append(
            (entry, at.date(), memo, REFERENCE, ONE, "", at, shared.base, None, None, None, total)
        )
        for code, amount in zip(debits, parts, strict=True):
            lines.append((amount, ZERO, amount, ZERO, "", accounts[code], entry))
            deltas[accounts[code]] += amount
        for code in credits:  # one credit line per entry
            lines.append((ZERO, total, ZERO, total, "", accounts[code], entry))
            deltas[accounts[code]] -= total
    return rows_pack(JournalEntry, ENTRY, entries), rows_pack(JournalLine, LINE, lines), deltas


def _codes() -> set[str]:
    return {code for _, debits, credits in ENTRIES for code in (*debits, *credits)}

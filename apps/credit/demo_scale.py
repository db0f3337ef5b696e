"""Benchmark seller credit (`seed_demo --scale N`): N/100 sellers (at least 3) with 1,000
transaction-log rows each (10 N rows: N=100,000 gives 1,000 sellers and 1,000,000 rows).

Each seller's year, replayed in time order with the services' rules: an approved top-up
request (500, 1,000 or 2,000) whenever the balance falls below 60, else a charge of 5 to
50 to one of a few numbers, and every 200th row the reversal of the charge before it.
Every row has its journal entry as the services post it (top-up: Dr Bank / Cr the
seller's credit account, source the request; charge: Dr seller credit / Cr the seller's
Charge Revenue account, source the log row; reversal: the mirror entry), the seller's
balance and its two accounts' balances are the sums, so check_books holds. Computed per
20 sellers by forked workers (`forked_map`, apps/core/bulkload.py; the keys reserved
here first) and written with COPY on PostgreSQL in the command's transaction, no audit
events, like a data migration.
Sellers already there are kept (idempotent).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.bulkload import UuidMaker, forked_map, ids_reserve, packed_insert, rows_pack
from apps.core.bulkload_indexes import load_deferred
from apps.ledger import chart
from apps.ledger.models import Account, AccountType, JournalEntry, JournalLine
from apps.ledger.selectors import account_by_code

from .models import (
    CreditRequest,
    RequestStatus,
    Seller,
    TransactionLog,
    TransactionStatus,
    TransactionType,
)

EMAIL = "scale.seller{:05d}@scale.example"
ROWS_PER_SELLER = 1000
CHUNK = 20  # sellers per part a worker computes (and per COPY of each table)
TOPUPS = [Decimal(v) for v in ("500.00", "1000.00", "2000.00")]
CHARGES = [Decimal(v) for v in ("5.00", "10.00", "15.00", "20.00", "25.00", "50.00")]
LOW = Decimal("60.00")
PHONES = ["+447911000111", "+4915112345678", "+33698765432", "+12025550199", "+447911123000"]
ZERO = Decimal("0.00")
ONE = Decimal("1")
WRITTEN = (JournalEntry, JournalLine, TransactionLog)  # what this builder loads (seed_demo)

ENTRY = [
    "id", "date", "memo", "reference", "rate", "source_id", "posted_at", "currency_id",
    "posted_by_id", "reverses_id", "source_type_id", "total",
]  # fmt: skip
LINE = ["debit", "credit", "base_debit", "base_credit", "memo", "account_id", "entry_id"]
LOG = [
    "id", "type", "amount", "balance_after", "rate", "status", "idempotency_key", "phone",
    "created_at", "note", "created_by_id", "credit_request_id", "currency_id", "entry_id",
    "reverses_id", "seller_id",
]  # fmt: skip
REQUEST = [
    "id", "created_at", "updated_at", "notes", "amount", "note", "status", "decided_at",
    "reason", "entry_id", "seller_id",
]  # fmt: skip


def scale_sellers(scale: int) -> int:
    return max(scale // 100, 3)


def seed_scale(*, scale: int, stdout) -> None:
    want = scale_sellers(scale)
    User = get_user_model()
    have = User.objects.filter(email__startswith="scale.seller").count()
    if have >= want:
        return
    parent, revenue = account_by_code(chart.SELLER_CREDIT), account_by_code(chart.CHARGE_REVENUE)
    bank = account_by_code(chart.BANK)
    base = parent.currency_id
    context = _Context(
        base=base,
        parent=parent.pk,
        revenue=revenue.pk,
        bank=bank.pk,
        group=Group.objects.get(name=Role.SELLER).pk,
        log_type=ContentType.objects.get_for_model(TransactionLog).pk,
        request_type=ContentType.objects.get_for_model(CreditRequest).pk,
        end=timezone.now(),
    )
    rows = 0
    chunks = [range(n + 1, min(n + CHUNK, want) + 1) for n in range(have, want, CHUNK)]
    with transaction.atomic(), load_deferred(JournalEntry, JournalLine, TransactionLog):
        topups = list(forked_map(_topups, chunks))
        parts = [_reserve(numbers, count) for numbers, count in zip(chunks, topups, strict=True)]
        bank_in = ZERO
        for packs, logs, brought in forked_map(_chunk, parts, context):
            for packed in packs:
                packed_insert(packed)
            rows += logs
            bank_in += brought
        with connection.cursor() as cursor:  # what the top-ups brought in
            cursor.execute(
                f"UPDATE {Account._meta.db_table} SET balance = ROUND(balance + %s, 2)"
                " WHERE id = %s",
                [bank_in, bank.pk],
            )
    stdout.write(f"  {want - have} scale sellers, {rows} credit transactions")


class _Context(SimpleNamespace):
    """What every seller's rows need (plain values: the workers see it by the fork)."""


def _topups(ctx, numbers: range) -> int:
    """How many top-up requests sellers `numbers` make (their ids are reserved first)."""
    return sum(_plan(n, ctx).topups for n in numbers)


def _reserve(numbers: range, topups: int) -> tuple:
    """The primary keys of sellers `numbers`' users, accounts, sellers and requests."""
    User = get_user_model()
    return (
        numbers,
        ids_reserve(User, len(numbers)),
        ids_reserve(Account, 2 * len(numbers)),
        ids_reserve(Seller, len(numbers)),
        ids_reserve(CreditRequest, topups),
    )


def _chunk(ctx: _Context, part: tuple):
    """Sellers `numbers` (1-based) with their accounts, requests, entries, lines and logs,
    packed for COPY; with the number of log rows and what the top-ups brought in. Runs in
    a worker process: no database access."""
    numbers, users, accounts, sellers, request_ids = part
    User = get_user_model()
    requests = iter(request_ids)
    plans = [_plan(n, ctx) for n in numbers]
    entries, lines, logs, asks = [], [], [], []
    account_rows, seller_rows = [], []
    joined = ctx.end - dt.timedelta(days=366)
    uuid, bank_in = UuidMaker(), [ZERO]
    for i, (n, plan) in enumerate(zip(numbers, plans, strict=True)):
        user, seller = users[i], sellers[i]
        credit, income = accounts[2 * i], accounts[2 * i + 1]
        company = f"Scale seller {n:05d}"
        balance, earned = _write(
            plan, ctx, (seller, company, uuid, bank_in), credit, income, requests,
            entries, lines, logs, asks,
        )  # fmt: skip
        account_rows += [
            (credit, joined, joined, "", f"{chart.SELLER_CREDIT}-{user:06d}",
             f"Seller credit: {company}", AccountType.LIABILITY, balance, False, True,
             ctx.base, ctx.parent),
            (income, joined, joined, "", f"{chart.CHARGE_REVENUE}-{user:06d}",
             f"Charge revenue: {company}", AccountType.INCOME, earned, False, True,
             ctx.base, ctx.revenue),
        ]  # fmt: skip
        seller_rows.append(
            (seller, joined, joined, "", company, "", "active", balance, credit, user, income)
        )
    packs = [
        rows_pack(
            User,
            ["id", "password", "is_superuser", "email", "full_name", "phone", "avatar",
             "is_active", "is_staff", "date_joined"],
            [(user, "!scale", False, EMAIL.format(n), f"Scale seller {n:05d}", "", "", True,
              False, joined) for user, n in zip(users, numbers, strict=True)],
        ),
        rows_pack(User.groups.through, ["user_id", "group_id"], [(u, ctx.group) for u in users]),
        rows_pack(
            Account,
            ["id", "created_at", "updated_at", "notes", "code", "name", "type", "balance",
             "is_group", "active", "currency_id", "parent_id"],
            account_rows,
        ),
        rows_pack(
            Seller,
            ["id", "created_at", "updated_at", "notes", "company", "phone", "status", "balance",
             "account_id", "user_id", "revenue_account_id"],
            seller_rows,
        ),
        rows_pack(JournalEntry, ENTRY, entries),
        rows_pack(JournalLine, LINE, lines),
        rows_pack(CreditRequest, REQUEST, asks),
        rows_pack(TransactionLog, LOG, logs),
    ]  # fmt: skip
    return packs, len(logs), bank_in[0]


class _Plan:
    """One seller's rows in time order: (kind, amount, phone, reverses index)."""

    def __init__(self):
        self.rows: list[tuple[str, Decimal, str, int | None]] = []
        self.reversed: set[int] = set()
        self.topups = 0


def _plan(n: int, ctx: _Context) -> _Plan:
    rng = random.Random(n)
    plan = _Plan()
    balance = ZERO
    last_charge = None
    for i in range(ROWS_PER_SELLER):
        if balance < LOW:
            amount = TOPUPS[rng.randrange(3)]
            plan.rows.append((TransactionType.TOPUP, amount, "", None))
            plan.topups += 1
            balance += amount
        elif i % 200 == 199 and last_charge is not None:
            plan.rows.append(
                (TransactionType.REVERSAL, -plan.rows[last_charge][1], "", last_charge)
            )
            plan.reversed.add(last_charge)
            balance -= plan.rows[last_charge][1]
            last_charge = None
        else:
            amount = CHARGES[rng.randrange(len(CHARGES))]
            plan.rows.append((TransactionType.CHARGE, -amount, PHONES[rng.randrange(5)], None))
            balance -= amount
            last_charge = i
    return plan


def _write(plan, ctx, seller, credit, income, requests, entries, lines, logs, asks):
    """Rows of one seller; returns (balance, charge revenue)."""
    seller, company, make, bank_in = seller
    step = dt.timedelta(days=365) / (ROWS_PER_SELLER + 1)
    at = ctx.end - dt.timedelta(days=365) + dt.timedelta(seconds=seller % 3600)
    balance = earned = ZERO
    ids: list = []
    entry_ids: list = []
    for index, (kind, amount, phone, target) in enumerate(plan.rows):
        at += step
        log, entry = make(), make()
        ids.append(log)
        entry_ids.append(entry)
        balance += amount
        day = at.date()
        request = None
        if kind == TransactionType.TOPUP:
            request = next(requests)
            bank_in[0] += amount
            entries.append(
                (entry, day, f"Credit top-up for {company}", f"CR-{request}", ONE,
                 str(request), at, ctx.base, None, None, ctx.request_type, amount)
            )  # fmt: skip
            lines.append((amount, ZERO, amount, ZERO, "", ctx.bank, entry))
            lines.append((ZERO, amount, ZERO, amount, "", credit, entry))
            asks.append(
                (request, at, at, "", amount, "Scale top-up", RequestStatus.APPROVED, at, "",
                 entry, seller)
            )  # fmt: skip
            key, note, reverses = f"topup:{request}", "Scale top-up", None
        elif kind == TransactionType.CHARGE:
            earned -= amount
            entries.append(
                (entry, day, f"Charge {phone}", "", ONE, str(log), at, ctx.base, None, None,
                 ctx.log_type, -amount)
            )  # fmt: skip
            lines.append((-amount, ZERO, -amount, ZERO, "", credit, entry))
            lines.append((ZERO, -amount, ZERO, -amount, "", income, entry))
            key, note, reverses = f"scale-{seller}-{index}", "", None
        else:  # the reversal of a charge: its mirror entry
            earned -= amount
            original = ids[target]
            phone = plan.rows[target][2]
            entries.append(
                (entry, day, "Reversal: wrong number (scale data)", "", ONE, str(original), at,
                 ctx.base, None, entry_ids[target], ctx.log_type, amount)
            )  # fmt: skip
            lines.append((ZERO, amount, ZERO, amount, "", credit, entry))
            lines.append((amount, ZERO, amount, ZERO, "", income, entry))
            key, note, reverses = f"reversal:{original}", "wrong number (scale data)", original
        status = (
            TransactionStatus.REVERSED if index in plan.reversed else TransactionStatus.COMPLETED
        )
        logs.append(
            (log, kind, amount, balance, ONE, status, key, phone, at, note, None, request,
             ctx.base, entry, reverses, seller)
        )  # fmt: skip
    return balance, earned

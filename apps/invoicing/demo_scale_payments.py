"""Benchmark payments for the scale invoices (demo_scale.py), and the journal rows both write.

A paid invoice gets one payment on a day 3 to 40 days after issue (not after today), in the
invoice's currency at the invoice's rate, allocated to it: in full for 7 invoices in 10,
half for 1 in 10 (the rest stays open). That is what `payment_record` writes for such a
payment: Dr Bank (Cash for cash payments) / Cr AR, the allocation's base figures by its
rules (the allocation that closes an invoice takes the invoice's remaining base value) and,
where the base value the payment brings differs from what it settles by a rounding cent,
the FX Gain/Loss entry. Numbers PAY-<fiscal year>-00001 continue the counters.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from apps.core.bulkload import ids_reserve, rows_insert
from apps.core.sequences import sequence_reserve
from apps.finance import money
from apps.ledger import chart
from apps.ledger.models import Account, JournalEntry, JournalLine, normal_sign
from apps.ledger.services import BASE_PLACES, balance_base

from .models import Allocation, AllocationKind, Payment, PaymentMethod, PaymentState

ZERO = Decimal("0.00")
ONE = Decimal("1")
METHODS = [PaymentMethod.BANK_TRANSFER] * 5 + [PaymentMethod.CARD, PaymentMethod.CASH]
ENTRY = [
    "id", "date", "memo", "reference", "rate", "source_id", "posted_at", "currency_id",
    "posted_by_id", "reverses_id", "source_type_id", "total",
]  # fmt: skip
LINE = ["debit", "credit", "base_debit", "base_credit", "memo", "account_id", "entry_id"]
PAYMENT = [
    "id", "number", "customer_id", "date", "method", "amount", "currency_id", "exchange_rate",
    "amount_base", "reference", "notes", "status", "reversal_reason", "journal_entry_id",
    "idempotency_key", "created_at", "unapplied",
]  # fmt: skip
ALLOCATION = [
    "kind", "invoice_id", "payment_id", "date", "amount", "amount_base", "source_amount",
    "source_amount_base", "created_at",
]  # fmt: skip


@dataclass
class Line:
    """One journal line to write: an account code and a debit or a credit."""

    code: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    base_debit: Decimal = ZERO
    base_credit: Decimal = ZERO


class Entry(list):
    """The lines of one entry (with their base amounts), and its id."""

    id = None


class Books:
    """Journal entries and lines collected in memory, written at once with the balances."""

    def __init__(self, *, base: str, uuid):
        self.base = base
        self.uuid = uuid
        self.entries: list[tuple] = []
        self.lines: list[tuple] = []
        self.deltas: dict[str, Decimal] = defaultdict(Decimal)  # code -> base debit - credit
        self.hours = Hours()

    def entry(self, *, date, memo, reference, rate, currency, source, at, lines) -> Entry:
        """Base amounts as journal_prepare computes them (each line converted, the cent a
        conversion leaves taken by the largest line of the lighter side)."""
        for line in lines:
            line.base_debit = money.to_base(line.debit, rate, BASE_PLACES) if line.debit else ZERO
            line.base_credit = (
                money.to_base(line.credit, rate, BASE_PLACES) if line.credit else ZERO
            )
        balance_base(lines)
        entry = Entry(lines)
        entry.id = self.uuid()
        source_type, source_id = source
        self.entries.append(
            (entry.id, date, memo[:255], reference[:100], rate, str(source_id), at, currency,
             None, None, source_type, sum((line.base_debit for line in lines), ZERO))
        )  # fmt: skip
        for line in lines:
            self.lines.append(
                (
                    line.debit,
                    line.credit,
                    line.base_debit,
                    line.base_credit,
                    "",
                    line.code,
                    entry.id,
                )
            )
            self.deltas[line.code] += line.base_debit - line.base_credit
        return entry

    def write(self) -> None:
        accounts = dict(Account.objects.filter(code__in=self.deltas).values_list("code", "pk"))
        types = dict(Account.objects.filter(code__in=self.deltas).values_list("code", "type"))
        rows_insert(JournalEntry, ENTRY, self.entries)
        rows_insert(JournalLine, LINE, ((*row[:5], accounts[row[5]], row[6]) for row in self.lines))
        with connection.cursor() as cursor:
            for code in sorted(self.deltas, key=accounts.get):
                cursor.execute(
                    f"UPDATE {Account._meta.db_table} SET balance = ROUND(balance + %s, 2)"
                    " WHERE id = %s",
                    [self.deltas[code] * normal_sign(types[code]), accounts[code]],
                )


class Hours(dict):
    """`hours(day, hour)`: `hour` o'clock on `day` in the current time zone, each made once
    (the same few hundred days recur for 100,000 documents)."""

    def __call__(self, day: dt.date, hour: int) -> dt.datetime:
        at = self.get((day, hour))
        if at is None:
            at = self[day, hour] = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        return at


def entry_rows(books: Books) -> tuple[int, int]:
    return len(books.entries), len(books.lines)


def payments_reserve(company, paid: list[tuple[int, dt.date]], today: dt.date):
    """Keys, dates and numbers of the payments of the invoices (pk, issue date) to pay."""
    payment_type = ContentType.objects.get_for_model(Payment).pk
    ids = ids_reserve(Payment, len(paid))
    dates = [min(day + dt.timedelta(days=3 + (pk * 7) % 38), today) for pk, day in paid]
    years = [company.fiscal_year(d) for d in dates]
    wanted: dict[int, int] = defaultdict(int)
    for year in years:
        wanted[year] += 1
    next_value = {y: sequence_reserve(name=f"PAY-{y}", count=n) for y, n in wanted.items()}
    numbers = []
    for year in years:
        numbers.append(f"PAY-{year}-{next_value[year]:05d}")
        next_value[year] += 1
    return payment_type, ids, dates, numbers


def payments_make(invoices, books: Books, reserved) -> tuple[list[tuple], list[tuple]]:
    """Payment and allocation rows for `invoices` (the ones to pay, in issue order, as
    `payments_reserve` had them): every 8th pays half. No database."""
    payment_type, ids, dates, numbers = reserved
    payments, allocations = [], []
    for n, (invoice, pk, day, number) in enumerate(zip(invoices, ids, dates, numbers, strict=True)):
        half = n % 8 == 7
        amount = money.quantize(invoice.total / 2) if half else invoice.total
        rate = invoice.exchange_rate
        amount_base = money.to_base(amount, rate)
        method = METHODS[n % len(METHODS)]
        at = books.hours(day, 15)
        bank = chart.CASH if method == PaymentMethod.CASH else chart.BANK
        entry = books.entry(
            date=day, memo=f"Payment {number} · {invoice.billing_name}",
            reference=f"Invoice {invoice.number}", rate=rate, currency=invoice.currency_id,
            source=(payment_type, pk), at=at,
            lines=[Line(bank, debit=amount), Line(chart.AR, credit=amount)],
        )  # fmt: skip
        settled_base = invoice.total_base if not half else money.to_base(amount, rate)
        difference = amount_base - settled_base  # > 0: a gain (as _post_fx)
        if difference:
            books.entry(
                date=day, memo=f"Exchange difference on payment {number}", reference=number,
                rate=ONE, currency=books.base, source=(payment_type, pk), at=at,
                lines=[Line(chart.AR, debit=difference), Line(chart.FX_GAIN_LOSS, credit=difference)]
                if difference > 0
                else [Line(chart.FX_GAIN_LOSS, debit=-difference), Line(chart.AR, credit=-difference)],
            )  # fmt: skip
        payments.append(
            (pk, number, invoice.customer_id, day, method, amount, invoice.currency_id, rate,
             amount_base, f"Invoice {invoice.number}", "", PaymentState.POSTED, "", entry.id, "",
             at, ZERO)  # allocated in full: no credit left
        )  # fmt: skip
        allocations.append(
            (AllocationKind.PAYMENT, invoice.pk, pk, day, amount, settled_base, amount,
             amount_base, at)
        )  # fmt: skip
    return payments, allocations


def payments_insert(made: tuple[list[tuple], list[tuple]]) -> None:
    payments, allocations = made
    rows_insert(Payment, PAYMENT, payments)
    rows_insert(Allocation, ALLOCATION, allocations)

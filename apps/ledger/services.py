"""The one way money reaches the books: `journal_post` and `journal_reverse` (DESIGN.md §4.2).

Both join the caller's transaction without a savepoint (`atomic(savepoint=False)`), so an
order, an invoice or a charge posts inside its own `transaction.atomic()` block and a
failure rolls the whole business action back. Every check that can fail runs before the
first write, so a refused entry never dooms the caller's transaction.

Stored balances change with `F()` updates, one account at a time in primary-key order, so
two postings that touch the same accounts never deadlock.

One exception to "the one way": a seller's charge, the busiest posting, writes its fixed
two-line entry inside a single SQL statement on PostgreSQL (apps/credit/services.py); it
checks its accounts with `accounts_resolve`'s rules, and tests/credit/test_charge_rows.py
pins its rows to what `journal_prepare` builds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from apps.core.audit import audit_record
from apps.core.models import CompanySettings
from apps.core.sql import Rows, add_by_id, insert_sql
from apps.finance import money
from apps.finance.models import Currency
from apps.finance.selectors import MissingExchangeRate, base_currency_code, rate_on

from .models import Account, JournalEntry, JournalLine, normal_sign

ZERO = Decimal("0.00")
BASE_PLACES = 2  # balances and base amounts: DecimalField(decimal_places=2)


class PostingError(ValidationError):
    """An entry the books refuse (unbalanced, bad amount, unknown account, no rate)."""


@dataclass(frozen=True)
class Line:
    """One line to post: an Account, its code or its pk, and a debit or a credit."""

    account: Account | str | int
    debit: Decimal | str | int = ZERO
    credit: Decimal | str | int = ZERO
    memo: str = ""


def Dr(account: Account | str | int, amount, memo: str = "") -> Line:  # noqa: N802
    return Line(account=account, debit=amount, memo=memo)


def Cr(account: Account | str | int, amount, memo: str = "") -> Line:  # noqa: N802
    return Line(account=account, credit=amount, memo=memo)


def _amount(value, minor_units: int, where: str) -> Decimal:
    try:
        amount = money.to_decimal(value)
    except money.MoneyError as exc:
        raise PostingError(f"{where}: {exc}") from exc
    if amount < 0:
        raise PostingError(f"{where}: amounts are positive; use the other side instead.")
    if money.has_more_places(amount, minor_units):
        raise PostingError(f"{where}: at most {minor_units} decimal places.")
    if amount > money.MAX_AMOUNT:
        raise PostingError(f"{where}: the amount is too large.")
    return money.quantize(amount, minor_units)


def accounts_resolve(refs: Iterable[Account | str | int]) -> dict[object, Account]:
    """Map each account reference (an Account, a code or a pk) to an Account that takes
    postings, in one query for codes/pks; a PostingError names the first that does not."""
    return _accounts_resolve(refs, base=False)[0]


def _base_of(account: Account) -> Currency | None:
    """The base Currency the account row was annotated with (code and minor units; other
    fields load on access), or None without a settings row."""
    if account.base_code is None or account.base_minor is None:
        return None
    return Currency.from_db(
        connection.alias, ["code", "minor_units"], [account.base_code, account.base_minor]
    )


def _accounts_resolve(
    refs: Iterable[Account | str | int], *, base: bool
) -> tuple[dict[object, Account], Currency | None]:
    """accounts_resolve, and with `base` the base currency read in the same query (a
    posting in the base currency, e.g. every stock entry, then costs one query, not two)."""
    found: dict[object, Account] = {}
    looked_up: set[str | int] = set()
    base_currency = None
    for ref in refs:
        if isinstance(ref, Account):
            found[ref] = ref
        else:
            looked_up.add(ref)
    if looked_up:
        codes = {r for r in looked_up if isinstance(r, str)}
        pks = {r for r in looked_up if isinstance(r, int)}
        with connection.cursor() as cursor:
            cursor.execute(*_accounts_sql(codes, pks, base=base))
            rows = cursor.fetchall()
        for row in rows:
            account = _ACCOUNT_ROWS.build(row)
            if base:
                account.base_code, account.base_minor = row[_ACCOUNT_ROWS.width :]
                if base_currency is None:
                    base_currency = _base_of(account)
            if account.code in codes:
                found[account.code] = account
            if account.pk in pks:
                found[account.pk] = account
        missing = sorted(str(r) for r in looked_up if r not in found)
        if missing:
            raise PostingError(f"Unknown account: {', '.join(missing)}.")
    for account in found.values():
        if account.is_group:
            raise PostingError(f"{account} is a group account and takes no postings.")
        if not account.active or account.deleted_at is not None:
            raise PostingError(f"{account} is inactive and takes no postings.")
    return found, base_currency


_ACCOUNT_ROWS = Rows(Account, "a")


def _accounts_sql(codes: set[str], pks: set[int], *, base: bool) -> tuple[str, list]:
    """The live accounts with these codes or pks (what `Account.objects.filter(Q(code__in=)
    | Q(pk__in=))` reads), with `base` the base currency's code and minor units as two more
    columns; written out, as this runs in every posting."""
    match, params = [], []
    for column, values in (("code", sorted(codes)), ("id", sorted(pks))):
        if values:
            match.append(f"a.{column} IN ({', '.join('%s' for _ in values)})")
            params += values
    extra = ""
    if base:
        settings = CompanySettings._meta.db_table
        currency = Currency._meta.db_table
        code = f"(SELECT base_currency FROM {settings} WHERE id = 1)"
        extra = f", {code}, (SELECT minor_units FROM {currency} WHERE code = {code})"
    sql = (
        f"SELECT {_ACCOUNT_ROWS.select}{extra} FROM {_ACCOUNT_ROWS.table}"
        f" WHERE a.deleted_at IS NULL AND ({' OR '.join(match)}) ORDER BY a.code"
    )
    return sql, params


@dataclass
class PreparedEntry:
    """A validated entry not yet written (see journal_prepare)."""

    entry: JournalEntry
    lines: list[JournalLine]
    accounts: dict[int, Account]

    def insert(self) -> JournalEntry:
        """Write the entry and its lines (two INSERTs)."""
        JournalEntry.objects.bulk_create([self.entry])
        JournalLine.objects.bulk_create(self.lines)
        return self.entry

    def write_at_once(self, before: tuple[str, list, str] | None = None) -> list:
        """PostgreSQL: insert the entry and its lines and move the balances in one
        statement (data-modifying CTEs), the accounts locked in primary-key order as
        `apply_balances` does; what `insert` + `apply_balances` write, one round trip.

        `before` = (CTEs, their parameters, SQL columns): a document's own writes made in
        the same statement (`name AS (...), ...`), and what the statement returns about
        them. The columns are read before the balances move, so the rows those CTEs lock
        are locked before the accounts, the order every posting keeps. Returns their
        values (a list, empty without `before`)."""
        entry_sql, entry_params = insert_sql([self.entry])
        lines_sql, lines_params = insert_sql(self.lines)
        deltas = self._deltas()
        table = connection.ops.quote_name(Account._meta.db_table)
        ctes, params, columns = before or ("", [], "")
        statement = (
            f"WITH {ctes + ', ' if ctes else ''}entry AS ({entry_sql} RETURNING 1),"
            f" lines AS ({lines_sql} RETURNING id)"
        )
        params = [*params, *entry_params, *lines_params]
        columns = f"{columns}, " if columns else ""
        if deltas:
            cases = " ".join("WHEN %s THEN %s::numeric" for _ in deltas)
            marks = ", ".join("%s" for _ in deltas)
            statement += (
                f", locked AS (SELECT id FROM {table} WHERE id IN ({marks})"
                " ORDER BY id FOR NO KEY UPDATE),"
                f" moved AS (UPDATE {table} AS a SET balance ="
                f" ROUND(a.balance + CASE a.id {cases} END, {BASE_PLACES})"
                " FROM locked WHERE a.id = locked.id RETURNING 1)"
                f" SELECT {columns}lines.id, (SELECT count(*) FROM moved),"
                " (SELECT count(*) FROM entry) FROM lines"
            )
            params += [*deltas, *(x for pair in deltas.items() for x in pair)]
        else:
            statement += f" SELECT {columns}lines.id, 0, (SELECT count(*) FROM entry) FROM lines"
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall()
        found = len(rows[0]) - 3
        # RETURNING gives the lines in VALUES order, as bulk_create relies on
        for line, row in zip(self.lines, rows, strict=True):
            line.pk = row[found]
            line._state.adding = False
        self.entry._state.adding = False
        return list(rows[0][:found])

    def _deltas(self) -> dict[int, Decimal]:
        """{account pk: signed change of its stored balance}, in primary-key order."""
        deltas: dict[int, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            account = self.accounts[line.account_id]
            deltas[account.pk] += (line.base_debit - line.base_credit) * normal_sign(account.type)
        return {pk: delta for pk, delta in sorted(deltas.items()) if delta}

    def apply_balances(self) -> None:
        """Move the stored balances: one F() update per account, in primary-key order.

        The same lock order in every posting means no deadlocks; doing this last keeps the
        busiest rows (e.g. Charge Revenue) locked for the shortest time.
        """
        deltas = self._deltas()
        if deltas:
            with connection.cursor() as cursor:
                cursor.execute(*_balances_sql(deltas))

    def audit(self, event: str) -> None:
        entry = self.entry
        audit_record(
            subject=entry,
            event=event,
            changes={
                "currency": entry.currency_id,
                "rate": entry.rate,
                "lines": [
                    [self.accounts[row.account_id].code, row.debit, row.credit]
                    for row in self.lines
                ],
            },
        )


def _balances_sql(deltas: dict[int, Decimal]) -> tuple[str, list]:
    """One UPDATE of every account an entry moves, written out rather than through the
    ORM: it runs in every posting, and the ORM's compile step costs ~0.5 ms of CPU per
    call (see docs/performance.md). ROUND keeps SQLite (floats) exact to the cent."""
    table = connection.ops.quote_name(Account._meta.db_table)
    return add_by_id(
        table, "balance", deltas, lock="FOR NO KEY UPDATE", wrap=f"ROUND({{}}, {BASE_PLACES})"
    )


def balance_base(lines: list[JournalLine]) -> None:
    """Per-line conversion may leave a cent between base debits and credits; the largest
    line of the lighter side absorbs it, so every entry balances in base currency too."""
    diff = sum(row.base_debit for row in lines) - sum(row.base_credit for row in lines)
    if not diff:
        return
    if diff > 0:
        target = max((row for row in lines if row.credit), key=lambda row: row.base_credit)
        target.base_credit += diff
    else:
        target = max((row for row in lines if row.debit), key=lambda row: row.base_debit)
        target.base_debit -= diff


def entry_total(lines: Iterable[JournalLine]) -> Decimal:
    """The entry's stored amount (JournalEntry.total): its base debits, which equal its
    base credits once balance_base has run."""
    return sum((line.base_debit for line in lines), ZERO)


def journal_prepare(
    *,
    date: dt.date,
    memo: str,
    lines: Iterable[Line],
    currency: Currency | str | None = None,
    rate: Decimal | None = None,
    reference: str = "",
    source: models.Model | None = None,
    posted_by=None,
) -> PreparedEntry:
    """Validate an entry and build its rows without writing anything.

    With `journal_write` it lets a service check everything first, take its own locks,
    and write the entry afterwards; `journal_post` does both in one call.
    """
    lines = list(lines)
    if not isinstance(date, dt.date):
        raise PostingError("An entry needs a date.")
    memo = (memo or "").strip()
    if not memo:
        raise PostingError("An entry needs a memo.")
    if len(lines) < 2:
        raise PostingError("An entry needs at least two lines.")
    accounts = None
    if currency is None:  # the base currency, read with the accounts when it can be
        accounts, currency = _accounts_resolve((line.account for line in lines), base=True)
        rate = Decimal(1) if currency is not None and rate is None else rate
    base = base_currency_code() if currency is None or rate is None else None
    if not isinstance(currency, Currency):
        currency = Currency.all_objects.filter(pk=currency or base).first()
        if currency is None:
            raise PostingError("Unknown currency.")
    if rate is None:
        try:
            rate = rate_on(currency, date, base=base)
        except MissingExchangeRate as exc:
            raise PostingError(str(exc)) from exc
    rate = money.to_decimal(rate)
    if rate <= 0:
        raise PostingError("An exchange rate must be positive.")
    if accounts is None:
        accounts = accounts_resolve(line.account for line in lines)

    entry = JournalEntry(
        date=date,
        memo=memo[:255],
        reference=(reference or "")[:100],
        currency=currency,
        rate=rate,
        posted_by=posted_by if getattr(posted_by, "is_authenticated", False) else None,
        posted_at=timezone.now(),
    )
    if source is not None:
        from django.contrib.contenttypes.models import ContentType

        entry.source_type = ContentType.objects.get_for_model(source, for_concrete_model=False)
        entry.source_id = str(source.pk)

    rows: list[JournalLine] = []
    for number, line in enumerate(lines, start=1):
        where = f"Line {number}"
        debit = _amount(line.debit, currency.minor_units, where)
        credit = _amount(line.credit, currency.minor_units, where)
        if (debit > 0) == (credit > 0):
            raise PostingError(f"{where}: give a debit or a credit greater than zero, not both.")
        account = accounts[line.account]
        rows.append(
            JournalLine(
                entry=entry,
                account=account,
                debit=debit,
                credit=credit,
                base_debit=money.to_base(debit, rate, BASE_PLACES) if debit else ZERO,
                base_credit=money.to_base(credit, rate, BASE_PLACES) if credit else ZERO,
                memo=(line.memo or "")[:255],
            )
        )
    debits = sum(r.debit for r in rows)
    credits = sum(r.credit for r in rows)
    if debits != credits:
        raise PostingError(
            f"The entry does not balance: debits {debits} ≠ credits {credits} {currency.pk}."
        )
    balance_base(rows)
    entry.total = entry_total(rows)
    return PreparedEntry(entry=entry, lines=rows, accounts={a.pk: a for a in accounts.values()})


def journal_write(prepared: PreparedEntry, *, audit: bool = True) -> JournalEntry:
    """Write a prepared entry: insert it, move the balances, record the audit event."""
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            prepared.write_at_once()
        else:
            prepared.insert()
            prepared.apply_balances()
        if audit:
            prepared.audit(
                "ledger.entry_reversed" if prepared.entry.reverses_id else "ledger.entry_posted"
            )
    return prepared.entry


def journal_post(
    *,
    date: dt.date,
    memo: str,
    lines: Iterable[Line],
    currency: Currency | str | None = None,
    rate: Decimal | None = None,
    reference: str = "",
    source: models.Model | None = None,
    posted_by=None,
    audit: bool = True,
) -> JournalEntry:
    """Post one balanced entry and move the stored balances; returns the entry.

    `lines` are `Dr(account, amount)` / `Cr(account, amount)` in the entry's `currency`
    (default: the base currency); `rate` defaults to the rate on `date` (a missing rate is
    a PostingError, never 1.0). `source` is the business document the entry belongs to.
    `audit=False` lets a service that writes its own audit event skip the second one.
    """
    prepared = journal_prepare(
        date=date,
        memo=memo,
        lines=lines,
        currency=currency,
        rate=rate,
        reference=reference,
        source=source,
        posted_by=posted_by,
    )
    return journal_write(prepared, audit=audit)


def journal_reverse(
    *,
    entry: JournalEntry,
    date: dt.date | None = None,
    memo: str = "",
    posted_by=None,
    audit: bool = True,
) -> JournalEntry:
    """Post the mirror image of `entry` (debits and credits swapped, same amounts and rate).

    An entry is reversed at most once (the database enforces it); a reversal itself is not
    reversed again: post a new entry instead.
    """
    with transaction.atomic():  # a savepoint: a refusal here leaves the caller's work usable
        # Lock the original so two simultaneous reversals queue; the second then sees the first.
        original = (
            JournalEntry.objects.select_for_update().select_related("currency").get(pk=entry.pk)
        )
        if original.reverses_id is not None:
            raise PostingError("This entry is itself a reversal; post a new entry instead.")
        if JournalEntry.objects.filter(reverses=original).exists():
            raise PostingError("This entry has already been reversed.")
        lines = list(original.lines.select_related("account"))
        reversal = JournalEntry(
            date=date or timezone.localdate(),
            memo=(memo.strip() or f"Reversal of {original.memo}")[:255],
            reference=original.reference,
            currency=original.currency,
            rate=original.rate,
            source_type_id=original.source_type_id,
            source_id=original.source_id,
            reverses=original,
            posted_by=posted_by if getattr(posted_by, "is_authenticated", False) else None,
            posted_at=timezone.now(),
        )
        rows = [
            JournalLine(
                entry=reversal,
                account=line.account,
                debit=line.credit,
                credit=line.debit,
                base_debit=line.base_credit,
                base_credit=line.base_debit,
                memo=line.memo,
            )
            for line in lines
        ]
        reversal.total = entry_total(rows)
        prepared = PreparedEntry(
            entry=reversal, lines=rows, accounts={line.account_id: line.account for line in lines}
        )
        return journal_write(prepared, audit=audit)


SOURCE_REVERSAL = "Reverse this entry from its source document."
REVERSAL_MEMO = "Say why the entry is reversed."


def journal_reverse_manual(*, entry: JournalEntry, memo: str, posted_by) -> JournalEntry:
    """A person reverses an entry by hand (the ledger screen and the API): only entries
    without a source document, whose own reversal keeps document and books in step
    (e.g. a seller transaction), and only with a reason."""
    if entry.source_type_id is not None:
        raise PostingError(SOURCE_REVERSAL)
    memo = (memo or "").strip()
    if not memo:
        raise PostingError({"memo": REVERSAL_MEMO})
    return journal_reverse(entry=entry, memo=memo, posted_by=posted_by)

"""Reads of the books shared by screens, reports and other apps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Max, Min, Q, Sum

from apps.core import reference
from apps.core.search import contains
from apps.finance.money import format_money, quantize

from .models import DEBIT_NORMAL, Account, AccountType, JournalEntry, JournalLine, normal_sign

ZERO = Decimal("0.00")


def cents(value) -> Decimal:
    """A database sum at 2 places: SQLite adds decimals as floats (0.1 + 0.2 = 0.30000000000000004)."""
    return quantize(str(value or 0), 2)


def account_label(account: Account) -> str:
    """How an account reads in a typed lookup: its code and name (the code is unique)."""
    return f"{account.code} · {account.name}"


def account_label_for(pk: int) -> str | None:
    account = Account.objects.filter(pk=pk, is_group=False).only("code", "name").first()
    return account_label(account) if account else None


def accounts_matching(text: str):
    """The posting accounts (not groups) a typed text names: a code, a suggestion ("code ·
    name"), an id (as links and bookmarks of the old select carry), else every account
    whose code starts with or name contains it."""
    from apps.core.numbers import whole_number

    accounts = Account.objects.filter(is_group=False)
    code = text.split("·")[0].strip()
    exact = accounts.filter(code__iexact=code)
    if "·" in text or exact.values("pk")[:1]:
        return exact
    number = whole_number(code)
    if number is not None:
        by_id = accounts.filter(pk=number)
        if by_id.values("pk")[:1]:
            return by_id
    return accounts.filter(Q(code__istartswith=text) | Q(name__icontains=text))


def entries_matching(text: str) -> Q:
    """The journal's search: the memo or reference containing `text` (trigram indexes on
    PostgreSQL; the reference's holds only entries that have one, so its part says
    `reference <> ''`), or a source document's key equal to it. The key is looked up for
    each content type, through ledger_entry_source_idx, which leads with the type: entries
    without a source type carry no key (the posting services write both or neither)."""
    types = reference.cached(
        ContentType._meta.db_table,
        "ledger.source_types",
        lambda: tuple(ContentType.objects.order_by("pk").values_list("pk", flat=True)),
    )
    return (
        contains(text, "memo")
        | (contains(text, "reference") & ~Q(reference=""))
        | Q(source_type__in=types, source_id=text)
    )


class AccountNotFound(LookupError):
    pass


def account_by_code(code: str) -> Account:
    """The account with this code, e.g. account_by_code(chart.AR); a clear error if missing."""
    account = Account.objects.filter(code=code).select_related("currency").first()
    if account is None:
        raise AccountNotFound(
            f"No account with code {code}. The chart of accounts is created by migrations "
            "(ledger 0002) and by apps.ledger.chart.chart_ensure()."
        )
    return account


# What the chart's and the trial balance's rows, CSV and API read of an account.
ROW_COLUMNS = ("id", "code", "name", "type", "balance", "is_group", "active", "parent_id")
TYPE_LABELS = dict(AccountType.choices)


class AccountRow:
    """An account as the chart and the trial balance read it: the ROW_COLUMNS as plain
    attributes, `parent` (the parent's row) set by the tree. Both pages show every account
    (2,061 at scale 100,000, most of them sellers'), and building an `Account` instance for
    each was ~40 % of the chart's time."""

    __slots__ = (*ROW_COLUMNS, "pk", "parent")

    def __init__(self, id, code, name, type, balance, is_group, active, parent_id):  # noqa: A002
        self.id = self.pk = id
        self.code, self.name, self.type, self.balance = code, name, type, balance
        self.is_group, self.active, self.parent_id = is_group, active, parent_id
        self.parent = None

    def __repr__(self) -> str:
        return f"<AccountRow {self.code}>"

    def get_type_display(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    def get_absolute_url(self) -> str:
        return Account.get_absolute_url(self)


def account_rows(queryset=None) -> list[AccountRow]:
    """The accounts of `queryset` (default: every account not deleted) by code, as rows."""
    accounts = queryset if queryset is not None else Account.objects.all()
    return [AccountRow(*values) for values in accounts.order_by("code").values_list(*ROW_COLUMNS)]


@dataclass
class TreeRow:
    account: AccountRow
    depth: int
    total: Decimal = ZERO  # own balance + children, on this account's normal side
    children: list[TreeRow] = field(default_factory=list)


def accounts_tree(queryset=None) -> list[TreeRow]:
    """Depth-first rows of the chart with rolled-up balances (one query); each account's
    `parent` is filled from the same rows (or, for a parent not among them, one more
    query), so reading it costs no query per row."""
    by_pk = {a.pk: TreeRow(account=a, depth=0) for a in account_rows(queryset)}
    roots: list[TreeRow] = []
    for row in by_pk.values():
        parent = by_pk.get(row.account.parent_id)
        if parent:
            row.account.parent = parent.account
        (parent.children if parent else roots).append(row)
    missing = {r.account.parent_id for r in roots if r.account.parent_id is not None}
    if missing:
        parents = {a.pk: a for a in account_rows(Account.all_objects.filter(pk__in=missing))}
        for row in roots:
            row.account.parent = parents.get(row.account.parent_id)

    def total(row: TreeRow) -> Decimal:
        value = row.account.balance
        for child in row.children:
            # a child of another type (rare) counts with its own sign
            sign = normal_sign(child.account.type) * normal_sign(row.account.type)
            value += total(child) * sign
        row.total = value
        return value

    out: list[TreeRow] = []

    def walk(row: TreeRow, depth: int) -> None:
        row.depth = depth
        out.append(row)
        for child in row.children:
            walk(child, depth + 1)

    for root in roots:
        total(root)
        walk(root, 0)
    return out


@dataclass(frozen=True)
class TrialBalanceRow:
    account: AccountRow
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class TrialBalance:
    as_of: dt.date
    rows: list[TrialBalanceRow]
    total_debit: Decimal
    total_credit: Decimal

    @property
    def balanced(self) -> bool:
        return self.total_debit == self.total_credit


def line_totals(as_of: dt.date | None = None) -> dict[int, tuple[Decimal, Decimal]]:
    """{account pk: (base debits, base credits)} of every line dated up to `as_of`."""
    lines = JournalLine.objects.all()
    if as_of is not None:
        lines = lines.filter(entry__date__lte=as_of)
    return {
        row["account"]: (cents(row["debit"]), cents(row["credit"]))
        for row in lines.values("account").annotate(
            debit=Sum("base_debit"), credit=Sum("base_credit")
        )
    }


def trial_balance(as_of: dt.date, *, include_zero: bool = False) -> TrialBalance:
    """Each account's net balance on `as_of`, in the debit or credit column (base currency)."""
    rows = []
    for account, net in _nets_on(as_of):
        if not net and not include_zero:
            continue
        rows.append(
            TrialBalanceRow(
                account=account, debit=net if net > 0 else ZERO, credit=-net if net < 0 else ZERO
            )
        )
    return TrialBalance(
        as_of=as_of,
        rows=rows,
        total_debit=sum((r.debit for r in rows), ZERO),
        total_credit=sum((r.credit for r in rows), ZERO),
    )


def _nets_on(as_of: dt.date) -> list[tuple[AccountRow, Decimal]]:
    """(account, base debits minus credits of its lines dated up to `as_of`) for every
    posting account (not groups), by code.

    From whichever side has fewer lines to read: on a recent date (the page's default is
    today), each account's stored balance less the lines dated after it, one statement so
    the balances and the lines are read at the same instant; on an early date, the lines
    up to it. The stored balance equals the sum of the account's lines (check_books,
    ledger.account_balances), so both give the same figures; summing 3.5M lines for today
    took ~2.7 s at scale 100,000."""
    dates = JournalEntry.objects.aggregate(first=Min("date"), last=Max("date"))
    first, last = dates["first"], dates["last"]
    if first is not None and as_of < first + (last - first) / 2:
        totals = line_totals(as_of)
        accounts = account_rows(Account.all_objects.filter(is_group=False))
        return [(a, _net(*totals.get(a.pk, (ZERO, ZERO)))) for a in accounts]
    out = []
    with connection.cursor() as cursor:
        cursor.execute(*_later_lines_sql(as_of))
        found = cursor.fetchall()
    width = len(ROW_COLUMNS)
    for values in found:
        # a plain cursor: SQLite answers decimals as floats, hence cents()
        account = AccountRow(*values[:width])
        account.balance = cents(account.balance)
        later_debit, later_credit = values[width:]
        stored = account.balance * normal_sign(account.type)
        if later_debit is None:  # no line after the date (the usual case)
            out.append((account, stored))
        else:
            out.append((account, stored - _net(later_debit, later_credit)))
    return out


def _later_lines_sql(as_of: dt.date) -> tuple[str, list]:
    """The posting accounts by code, each with the base debits and credits of its lines
    dated after `as_of` (found through the entries' date index; none for today's date
    unless something was posted ahead)."""
    qn = connection.ops.quote_name
    account, entry = qn(Account._meta.db_table), qn(JournalEntry._meta.db_table)
    line = qn(JournalLine._meta.db_table)
    sql = (
        f"SELECT {', '.join(f'a.{qn(c)}' for c in ROW_COLUMNS)}, l.debit AS later_debit, l.credit AS later_credit"
        f" FROM {account} a LEFT JOIN ("
        "SELECT jl.account_id, SUM(jl.base_debit) AS debit, SUM(jl.base_credit) AS credit"
        f" FROM {line} jl INNER JOIN {entry} e ON e.id = jl.entry_id"
        " WHERE e.date > %s GROUP BY jl.account_id"
        ") l ON l.account_id = a.id WHERE NOT a.is_group ORDER BY a.code"
    )
    return sql, [connection.ops.adapt_datefield_value(as_of)]


def _net(debit, credit) -> Decimal:
    return cents(debit) - cents(credit)


def balance_from_lines(account: Account, as_of: dt.date | None = None) -> Decimal:
    debit, credit = line_totals_for(account, as_of)
    return (debit - credit) * normal_sign(account.type)


def line_totals_for(account: Account, as_of: dt.date | None = None) -> tuple[Decimal, Decimal]:
    lines = JournalLine.objects.filter(account=account)
    if as_of is not None:
        lines = lines.filter(entry__date__lte=as_of)
    agg = lines.aggregate(debit=Sum("base_debit"), credit=Sum("base_credit"))
    return cents(agg["debit"]), cents(agg["credit"])


def stored_balances_net() -> Decimal:
    """Debit-side minus credit-side stored balances of every account (one query): zero
    when the books agree, else by how much they are off."""
    debit_normal = Q(type__in=DEBIT_NORMAL)
    sides = Account.all_objects.aggregate(
        debit=Sum("balance", filter=debit_normal), credit=Sum("balance", filter=~debit_normal)
    )
    return cents(sides["debit"]) - cents(sides["credit"])


def dashboard_figures() -> list[tuple[str, str]]:
    from django.utils import timezone

    from apps.core.models import BooksCheckRun

    today = timezone.localdate()
    net = stored_balances_net()
    last = BooksCheckRun.objects.only("ok", "ran_at").first()
    return [
        ("Entries posted today", str(JournalEntry.objects.filter(date=today).count())),
        ("Trial balance", "balanced" if not net else f"off by {format_money(net)}"),
        (
            "Books check",
            f"{'passed' if last.ok else 'FAILED'} {last.ran_at:%Y-%m-%d %H:%M}"
            if last
            else "never",
        ),
    ]

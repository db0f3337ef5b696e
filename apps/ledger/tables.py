import html
import re
from decimal import Decimal

import django_tables2 as tables
from django.contrib.contenttypes.models import ContentType
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from apps.core.links import pk_url
from apps.core.table_rows import EMPTY, date_or, esc, once_per, text_or
from apps.core.tables import Table, link_writer
from apps.finance.money import format_money

from .models import AccountType, JournalEntry, JournalLine

# Links inside the boosted #table region (core/list.html) would swap the next page into
# the table; real navigations opt out of the boost.
NAVIGATE = {"a": {"hx-boost": "false"}}


class MoneyColumn(tables.Column):
    """A right-aligned amount; blank for zero when `blank_zero` (debit/credit columns)."""

    def __init__(self, *args, blank_zero: bool = False, **kwargs):
        self.blank_zero = blank_zero
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "text-end text-nowrap font-monospace"})
        attrs.setdefault("th", {"class": "text-end"})
        super().__init__(*args, attrs=attrs, **kwargs)

    def render(self, value):
        if self.blank_zero and not value:
            return ""
        return format_money(value)

    def writer(self, default):
        """The cell's HTML from the value (a cell writer, apps.core.table_rows)."""
        plain = text_or(default)

        def write(value) -> str:
            if value in EMPTY:
                return plain(value)
            return esc(self.render(value))

        return write

    def value(self, value):
        return "" if value is None else str(value)


class JournalEntryTable(Table):
    date = tables.DateColumn(format="Y-m-d", linkify=True, attrs=NAVIGATE)
    short_id = tables.Column(
        verbose_name="Entry",
        linkify=lambda record: record.get_absolute_url(),
        order_by=("id",),
        attrs=NAVIGATE,
    )
    # each sort ends with the pk, as its index (ledger_entry_memo_idx, _total_idx) does
    memo = tables.Column(order_by=("memo", "id"))
    reference = tables.Column()
    # The type from Django's content-type cache (get_for_id), not a join per list
    source = tables.Column(
        verbose_name="Source", accessor="source_type_id", default="manual", orderable=False
    )
    total = MoneyColumn(verbose_name="Amount (base)", accessor="total", order_by=("total", "id"))
    posted_by = tables.Column(verbose_name="Posted by", default="system")
    posted_at = tables.DateTimeColumn(verbose_name="Posted at", format="Y-m-d H:i")

    class Meta:
        model = JournalEntry
        fields = ("date", "short_id", "memo", "reference", "source", "total", "posted_by")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-date",)

    def order_posted_by(self, queryset, is_descending):
        return queryset.by_poster(descending=is_descending), True

    def value_source(self, value, record):
        if not record.source_type_id:
            return "manual"
        return ContentType.objects.get_for_id(record.source_type_id).name

    def cell_writer(self, bound_column, context):
        """The journal's cells in one pass (apps.core.table_rows)."""
        name, plain = bound_column.name, text_or(bound_column.default)
        link = link_writer(bound_column) if bound_column.link else None
        url = pk_url("journalentry-detail")  # get_absolute_url's, reversed once
        if name == "date" and link:
            day = date_or("Y-m-d", bound_column.default, context)
            return lambda r: link(url(r.pk), day(r.date))
        if name == "short_id" and link:
            return lambda r: link(url(r.pk), esc(r.short_id))
        if name in ("memo", "reference"):
            return lambda r: plain(getattr(r, name))
        if name == "source":
            # one per source type and reversal flag; no source type: tables2 writes the
            # default, without the badge
            return once_per(
                lambda r: (r.source_type_id, bool(r.reverses_id)),
                lambda r: esc(self.render_source(None, r)) if r.source_type_id else plain(None),
            )
        if name == "total":
            money = bound_column.column.writer(bound_column.default)
            return lambda r: money(r.total)
        if name == "posted_by":
            # one per user on the page (entries are posted by a few)
            return once_per(lambda r: r.posted_by_id, lambda r: plain(r.posted_by))
        if name == "posted_at":
            when = date_or("Y-m-d H:i", bound_column.default, context)
            return lambda r: when(r.posted_at)
        return None

    def render_source(self, value, record):
        label = self.value_source(value, record)
        if record.reverses_id:
            return format_html('{} <span class="badge text-bg-secondary">reversal</span>', label)
        return label


class AccountLineTable(Table):
    date = tables.DateColumn(accessor="entry__date", format="Y-m-d", verbose_name="Date")
    entry = tables.Column(
        accessor="entry__short_id",
        verbose_name="Entry",
        linkify=lambda record: record.entry.get_absolute_url(),
        order_by=("entry__id",),
        attrs=NAVIGATE,
    )
    memo = tables.Column(accessor="entry__memo", verbose_name="Memo")
    base_debit = MoneyColumn(verbose_name="Debit", blank_zero=True)
    base_credit = MoneyColumn(verbose_name="Credit", blank_zero=True)

    class Meta:
        model = JournalLine
        fields = ("date", "entry", "memo", "base_debit", "base_credit")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-date",)


# The chart and the trial balance show every account (~2,000 at scale 100,000, most of
# them sellers' credit and revenue accounts): their rows are written here, the same HTML
# the templates' loops wrote (~0.7 ms a row through the template engine, ~1.4 s a page).
TYPE_CELLS = {value: esc(label) for value, label in AccountType.choices}
NO_TRIAL_ROWS = (
    '\n      <tr><td colspan="5" class="text-muted">Nothing was posted on or before this date.'
    "</td></tr>\n    "
)
NO_TREE_ROWS = '\n      <tr><td colspan="5" class="text-muted">No accounts match these filters.</td></tr>\n    '
ARROW = '<span class="text-muted me-1" aria-hidden="true">└</span>'
GROUP = ' class="fw-semibold"'
INACTIVE = ' <span class="badge text-bg-secondary">inactive</span>'
UNSAFE = re.compile(r"[&<>\"']")


def _text(value: str) -> str:
    """esc() of a text column's value (a code, a name, a URL), without its work for the
    usual value that has nothing to escape: 2,000 rows of three each."""
    return html.escape(value) if UNSAFE.search(value) else value


def _type(value: str) -> str:
    cell = TYPE_CELLS.get(value)
    return cell if cell is not None else esc(value)


def _money(value) -> str:
    """format_money's text; a figure already at 2 places (every stored or summed balance)
    is written without its quantize step."""
    if value is None:
        return ""
    if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
        return f"{value:,.2f}"
    return esc(format_money(value))


def trial_balance_rows(balance) -> str:
    """The trial balance's <tbody> rows (templates/ledger/trial_balance.html)."""
    if not balance.rows:
        return mark_safe(NO_TRIAL_ROWS)
    url = pk_url("account-detail")
    end = f"?end={balance.as_of:%Y-%m-%d}"
    out = []
    for row in balance.rows:
        account = row.account
        out.append(
            f'\n      <tr><td class="font-monospace">{_text(account.code)}</td>'
            f'<td><a href="{_text(url(account.pk) + end)}">{_text(account.name)}</a></td>'
            f"<td>{_type(account.type)}</td>\n"
            f'        <td class="text-end font-monospace">{_money(row.debit) if row.debit else ""}'
            f'</td><td class="text-end font-monospace">{_money(row.credit) if row.credit else ""}'
            "</td></tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


def account_tree_rows(rows) -> str:
    """The chart of accounts' <tbody> rows (templates/ledger/account_list.html)."""
    if not rows:
        return mark_safe(NO_TREE_ROWS)
    url = pk_url("account-detail")
    out = []
    for row in rows:
        account = row.account
        group = account.is_group
        balance = "" if group else _money(account.balance)
        # an account without sub-accounts totals its own balance (the same object)
        total = balance if row.total is account.balance and not group else _money(row.total)
        out.append(
            f"\n      <tr{GROUP if group else ''}>\n"
            f'        <td class="font-monospace">{_text(account.code)}</td>\n'
            f'        <td><span class="indent indent-{row.depth}"></span>'
            f'{ARROW if row.depth else ""}<a href="{_text(url(account.pk))}">{_text(account.name)}</a>'
            f"{'' if account.active else INACTIVE}</td>\n"
            f"        <td>{_type(account.type)}</td>\n"
            f'        <td class="text-end font-monospace">{balance}</td>\n'
            f'        <td class="text-end font-monospace">{total}</td>\n'
            "      </tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)

import django_tables2 as tables
from django.contrib.contenttypes.models import ContentType
from django.utils.html import format_html

from apps.core.links import pk_url
from apps.core.table_rows import EMPTY, date_or, esc, once_per, text_or
from apps.core.tables import Table, link_writer
from apps.finance.money import format_money

from .models import JournalEntry, JournalLine

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

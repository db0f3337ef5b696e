import datetime as dt

import django_tables2 as tables
from django.db.models import Q
from django.utils.html import format_html

from apps.core.models import CompanySettings
from apps.core.run_order import RunOrder
from apps.core.table_rows import breakable_email
from apps.core.tables import WIDE_ONLY, Table
from apps.finance.money import format_money, quantize

from .models import CreditNote, Invoice, Series
from .selectors import payment_status

RIGHT = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}
# Past this many rows read from the series' runs together, a page of the sort by series is
# one ORDER BY instead (deep pages: one sort costs less than the runs read up to them).
SERIES_RUNS_AT_MOST = 20_000
BADGES = {
    "draft": "text-bg-secondary",
    "issued": "text-bg-primary",
    "void": "text-bg-dark",
    "unpaid": "text-bg-primary",
    "partially_paid": "text-bg-info",
    "paid": "text-bg-success",
    "overdue": "text-bg-danger",
}
LABELS = {"partially_paid": "Partially paid"}


def status_of(invoice, today=None) -> str:
    """Draft, void, or the derived payment status of an issued invoice."""
    if invoice.status != "issued":
        return invoice.status
    return payment_status(invoice, today=today)


def status_badge(status: str) -> str:
    label = LABELS.get(status, status.replace("_", " ").capitalize())
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        BADGES.get(status, "text-bg-secondary"),
        status,
        label,
    )


class InvoiceTable(Table):
    number = tables.Column(
        linkify=True, order_by=("number", "id"), empty_values=(), verbose_name="Number"
    )
    issue_date = tables.DateColumn(
        verbose_name="Date", format="Y-m-d", order_by=("issue_date", "id")
    )
    customer = tables.Column(
        accessor="customer__name", verbose_name="Customer", order_by=("customer__name", "id")
    )
    series = tables.Column(
        accessor="series__code",
        verbose_name="Series",
        order_by=("series__code", "issue_date", "id"),
    )
    status = tables.Column(orderable=False, empty_values=())
    due_date = tables.DateColumn(verbose_name="Due", format="Y-m-d")
    total = tables.Column(attrs=RIGHT, order_by=("total", "id"))
    open_amount = tables.Column(verbose_name="Open", attrs=RIGHT, orderable=False)
    currency = tables.Column(accessor="currency_id", verbose_name="Currency")

    class Meta:
        model = Invoice
        fields = (
            "number",
            "issue_date",
            "customer",
            "series",
            "status",
            "due_date",
            "total",
            "open_amount",
            "currency",
        )
        attrs = {"class": "table table-hover align-middle"}
        order_by = ("-issue_date",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = CompanySettings.load().today()

    def order_series(self, queryset, is_descending):
        """Series code, date, invoice: one run per series in code order, each read from
        the date index (or, for a series with few invoices, its own index) up to the page
        (apps/core/run_order.RunOrder), instead of joining every invoice to its series and
        sorting them all (~55 ms at 100,000 invoices). Only the series' codes order the
        runs: a handful of rows."""
        if [key.bare for key in self.order_by] != ["series"]:
            return queryset, False
        series = list(Series._base_manager.order_by("code", "pk").values_list("code", "pk"))
        if is_descending:
            series.reverse()
        codes = list(dict.fromkeys(code for code, _ in series))  # series of one code: one run
        rows = RunOrder(
            queryset,
            parts=[(codes.index(code), Q(series_id=pk)) for code, pk in series],
            within=("issue_date", "id"),
            keys=("issue_date", "id"),
            order=("series__code", "issue_date", "id"),
            descending=is_descending,
            most=SERIES_RUNS_AT_MOST,
            chained=False,
        )
        return rows, True

    def render_number(self, record):
        return str(record)

    def value_number(self, record):
        return str(record)

    def render_status(self, record):
        return status_badge(status_of(record, self.today))

    def value_status(self, record):
        return status_of(record, self.today)

    def render_total(self, value):
        return format_money(value)

    def render_open_amount(self, record):
        return format_money(record.open_amount) if record.status == "issued" else "—"

    def value_open_amount(self, record):
        return quantize(record.open_amount) if record.status == "issued" else ""


class CreditNoteTable(Table):
    number = tables.Column(linkify=True, empty_values=(), order_by=("number", "id"))
    issue_date = tables.DateColumn(
        verbose_name="Date", format="Y-m-d", order_by=("issue_date", "id")
    )
    customer = tables.Column(accessor="customer__name", verbose_name="Customer")
    invoice = tables.Column(
        accessor="invoice__number",
        verbose_name="Invoice",
        linkify=lambda record: record.invoice.get_absolute_url(),
    )
    status = tables.Column(order_by=("status", "id"))
    reason = tables.Column(orderable=False)
    total = tables.Column(attrs=RIGHT, order_by=("total", "id"))
    currency = tables.Column(accessor="currency_id", verbose_name="Currency")

    class Meta:
        model = CreditNote
        fields = ("number", "issue_date", "customer", "invoice", "status", "reason", "total")
        attrs = {"class": "table table-hover align-middle"}
        order_by = ("-issue_date",)

    def render_number(self, record):
        return str(record)

    def value_number(self, record):
        return str(record)

    def render_status(self, record):
        return status_badge(record.status)

    def render_total(self, value):
        return format_money(value)


class ReminderTable(Table):
    sent_on = tables.DateColumn(verbose_name="Sent", format="Y-m-d", order_by=("sent_on", "id"))
    invoice = tables.Column(
        accessor="invoice__number",
        verbose_name="Invoice",
        linkify=lambda record: record.invoice.get_absolute_url(),
    )
    customer = tables.Column(accessor="invoice__customer__name", verbose_name="Customer")
    level = tables.Column(accessor="level__name", verbose_name="Level")
    days_overdue = tables.Column(verbose_name="Days overdue", attrs=RIGHT)
    open_amount = tables.Column(verbose_name="Open", attrs=RIGHT)
    fee_invoice = tables.Column(
        accessor="fee_invoice__number",
        verbose_name="Fee invoice",
        linkify=lambda record: (
            record.fee_invoice.get_absolute_url() if record.fee_invoice_id else None
        ),
    )
    trigger = tables.Column(verbose_name="How", attrs=WIDE_ONLY)  # a filter too
    to = tables.Column(verbose_name="Emailed to", orderable=False)

    class Meta:
        attrs = {"class": "table table-hover align-middle"}
        order_by = ("-sent_on",)

    def render_open_amount(self, record):
        return format_money(record.open_amount, record.invoice.currency_id)

    def value_open_amount(self, record):
        return record.open_amount

    def render_to(self, record):
        if not record.to:
            return "— (no address)"
        address = breakable_email(record.to)  # the grid fits a 1280 px screen
        return address if record.emailed_at else format_html("{} (queued)", address)

    def value_to(self, record):
        return record.to


class RecurringTable(Table):
    name = tables.Column(linkify=True, order_by=("name", "id"))
    customer = tables.Column(accessor="customer__name", verbose_name="Customer")
    interval = tables.Column()
    day_of_month = tables.Column(verbose_name="Day", attrs=RIGHT)
    start_date = tables.DateColumn(verbose_name="Start", format="Y-m-d")
    end_date = tables.DateColumn(verbose_name="End", format="Y-m-d")
    next_date = tables.Column(verbose_name="Next invoice", empty_values=(), orderable=False)
    invoiced = tables.Column(verbose_name="Invoices", attrs=RIGHT)
    flags = tables.Column(verbose_name="Automatic", empty_values=(), orderable=False)
    active = tables.BooleanColumn()

    class Meta:
        attrs = {"class": "table table-hover align-middle"}
        order_by = ("name",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = CompanySettings.load().today()

    def render_next_date(self, record):
        from .services.recurring import next_date

        if not record.active:
            return "—"
        date = next_date(record, after=self.today - dt.timedelta(days=1))
        return f"{date:%Y-%m-%d}" if date else "ended"

    def value_next_date(self, record):
        return self.render_next_date(record)

    def render_flags(self, record):
        parts = (["issue"] if record.auto_issue else []) + (["email"] if record.auto_email else [])
        return ", ".join(parts) or "draft only"

    def value_flags(self, record):
        return self.render_flags(record)

import django_tables2 as tables
from django.utils.html import format_html

from apps.core.links import pk_url
from apps.core.table_rows import date_or, esc, once_per, text_or
from apps.core.tables import Table, link_writer
from apps.ledger.tables import NAVIGATE, MoneyColumn

from .models import CreditRequest, RequestStatus, Seller, TransactionLog, TransactionStatus

BADGES = {
    "active": "success",
    "suspended": "danger",
    RequestStatus.PENDING: "warning",
    RequestStatus.APPROVED: "success",
    RequestStatus.REJECTED: "danger",
    RequestStatus.CANCELLED: "secondary",
    TransactionStatus.COMPLETED: "success",
    TransactionStatus.REVERSED: "secondary",
}


def badge(value: str, label: str) -> str:
    return format_html(
        '<span class="badge text-bg-{}">{}</span>', BADGES.get(value, "light"), label
    )


class StatusColumn(tables.Column):
    def render(self, value, record):  # value is the display label; the colour needs the code
        return badge(record.status, record.get_status_display())

    def value(self, value, record):
        return record.get_status_display()


class SellerTable(Table):
    company = tables.Column(linkify=True, attrs=NAVIGATE)
    email = tables.Column(accessor="user__email", verbose_name="Login")
    phone = tables.Column()
    status = StatusColumn()
    balance = MoneyColumn()
    account = tables.Column(accessor="account__code", verbose_name="Account")

    class Meta:
        model = Seller
        fields = ("company", "email", "phone", "status", "balance", "account")
        attrs = {"class": "table table-hover align-middle"}


class CreditRequestTable(Table):
    created_at = tables.DateTimeColumn(
        verbose_name="Requested", format="Y-m-d H:i", linkify=True, attrs=NAVIGATE
    )
    seller = tables.Column(linkify=lambda record: record.seller.get_absolute_url(), attrs=NAVIGATE)
    amount = MoneyColumn()
    note = tables.Column()
    status = StatusColumn()
    decided = tables.Column(accessor="decided_by", verbose_name="Decided by", default="—")
    actions = tables.TemplateColumn(
        template_name="credit/_request_actions.html", verbose_name="", orderable=False
    )

    class Meta:
        model = CreditRequest
        fields = ("created_at", "seller", "amount", "note", "status", "decided", "actions")
        attrs = {"class": "table table-hover align-middle"}


class TransactionTable(Table):
    created_at = tables.DateTimeColumn(verbose_name="When", format="Y-m-d H:i:s")
    short_id = tables.Column(
        verbose_name="Transaction",
        linkify=lambda record: record.get_absolute_url(),
        order_by=("id",),
    )
    seller = tables.Column(linkify=lambda record: record.seller.get_absolute_url())
    type = tables.Column()
    phone = tables.Column()
    amount = MoneyColumn()
    balance_after = MoneyColumn(verbose_name="Balance after")
    status = StatusColumn()
    idempotency_key = tables.Column(verbose_name="Key", visible=False)

    class Meta:
        model = TransactionLog
        fields = (
            "created_at",
            "short_id",
            "seller",
            "type",
            "phone",
            "amount",
            "balance_after",
            "status",
            "idempotency_key",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-created_at",)

    def cell_writer(self, bound_column, context):
        """The log's cells in one pass (apps.core.table_rows): what the columns above
        write, without tables2's per-cell lookups (~0.4 ms a row)."""
        name, plain = bound_column.name, text_or(bound_column.default)
        link = link_writer(bound_column) if bound_column.link else None
        if name == "created_at":
            when = date_or("Y-m-d H:i:s", bound_column.default, context)
            return lambda r: when(r.created_at)
        if name == "short_id" and link:  # the URLs of get_absolute_url, reversed once
            url = pk_url("transaction-detail")
            return lambda r: link(url(r.pk), esc(r.short_id))
        if name == "seller" and link:
            url = pk_url("seller-detail")
            return lambda r: link(url(r.seller_id), esc(r.seller))
        if name == "type":
            return once_per(lambda r: r.type, lambda r: plain(r.get_type_display()))
        if name == "phone":
            return lambda r: plain(r.phone)
        if name in ("amount", "balance_after"):
            money = bound_column.column.writer(bound_column.default)
            return lambda r: money(getattr(r, name))
        if name == "status":
            return once_per(lambda r: r.status, lambda r: badge(r.status, r.get_status_display()))
        return None


class SellerTransactionTable(TransactionTable):
    """The portal's view of one seller's own log: no seller column, portal links."""

    short_id = tables.Column(
        verbose_name="Transaction",
        linkify=("portal-transaction-detail", {"pk": tables.A("pk")}),
        order_by=("id",),
        attrs=NAVIGATE,
    )

    seller = None  # always the logged-in seller

    class Meta(TransactionTable.Meta):
        fields = tuple(f for f in TransactionTable.Meta.fields if f != "seller")

    def cell_writer(self, bound_column, context):
        if bound_column.name == "short_id":  # a portal link by URL name: the general path
            return None
        return super().cell_writer(bound_column, context)

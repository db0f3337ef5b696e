import django_tables2 as tables
from django.db.models import Q
from django.utils.html import format_html

from apps.core.links import pk_url
from apps.core.table_rows import date_or, date_text, esc, once_per, text_or
from apps.core.tables import Table, link_writer
from apps.inventory.level_order import RunOrder
from apps.ledger.tables import NAVIGATE, MoneyColumn

from .log_order import SELLER_ORDER, SellerOrder, keys_first
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


# Every sort ends with the time and the key, so pages never show a row twice or skip one.
THEN = ("created_at", "id")


class CreditRequestTable(Table):
    created_at = tables.DateTimeColumn(
        verbose_name="Requested", format="Y-m-d H:i", linkify=True, attrs=NAVIGATE, order_by=THEN
    )
    seller = tables.Column(
        linkify=lambda record: record.seller.get_absolute_url(),
        attrs=NAVIGATE,
        order_by=("seller__company", "seller_id", *THEN),
    )
    amount = MoneyColumn(order_by=("amount", *THEN))
    note = tables.Column(order_by=("note", *THEN))
    status = StatusColumn(order_by=("status", *THEN))
    decided = tables.Column(
        accessor="decided_by",
        verbose_name="Decided by",
        default="—",
        order_by=("decided_by__email", *THEN),
    )
    actions = tables.TemplateColumn(
        template_name="credit/_request_actions.html", verbose_name="", orderable=False
    )

    class Meta:
        model = CreditRequest
        fields = ("created_at", "seller", "amount", "note", "status", "decided", "actions")
        attrs = {"class": "table table-hover align-middle"}

    def cell_writer(self, bound_column, context):
        """The queue's cells in one pass (apps.core.table_rows): what the columns above
        write, without tables2's per-cell lookups; the actions keep the general path."""
        name, plain = bound_column.name, text_or(bound_column.default)
        link = link_writer(bound_column) if bound_column.link else None
        if name == "created_at" and link:
            when, url = date_text("Y-m-d H:i", context), pk_url("creditrequest-detail")
            return lambda r: link(url(r.pk), when(r.created_at))
        if name == "seller" and link:
            url = pk_url("seller-detail")
            return lambda r: link(url(r.seller_id), esc(r.seller))
        if name == "amount":
            money = bound_column.column.writer(bound_column.default)
            return lambda r: money(r.amount)
        if name == "note":
            return lambda r: plain(r.note)
        if name == "status":
            return once_per(lambda r: r.status, lambda r: badge(r.status, r.get_status_display()))
        if name == "decided":
            return lambda r: plain(r.decided_by if r.decided_by_id else None)
        return None

    def paginate(self, *args, **kwargs):
        """Every page reads its keys first (apps/credit/log_order.KeysFirst): the sort
        reads the key and the sorted columns only, not every column of the request, its
        seller and its decider for each of the requests. The data is ordered by now."""
        self.data.data = keys_first(self.data.data)
        return super().paginate(*args, **kwargs)


# The log's sorts (THEN last) each walk an index of the log (TransactionLog.Meta.indexes)
# and stop after the page.
class TransactionTable(Table):
    # page 40,000 of a million rows built and sorted every row its OFFSET skipped (2.3 s)
    deep_pages_by_key = True
    created_at = tables.DateTimeColumn(verbose_name="When", format="Y-m-d H:i:s", order_by=THEN)
    short_id = tables.Column(
        verbose_name="Transaction",
        linkify=lambda record: record.get_absolute_url(),
        order_by=("id",),
    )
    seller = tables.Column(
        linkify=lambda record: record.seller.get_absolute_url(), order_by=SELLER_ORDER
    )
    type = tables.Column(order_by=("type", *THEN))
    phone = tables.Column(order_by=("phone", *THEN))
    amount = MoneyColumn(order_by=("amount", *THEN))
    balance_after = MoneyColumn(verbose_name="Balance after", order_by=("balance_after", *THEN))
    status = StatusColumn(order_by=("status", *THEN))
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

    def __init__(self, *args, seller_walk: bool = True, **kwargs):
        # Set before super().__init__, which orders the data (order_seller).
        self.seller_walk = seller_walk
        super().__init__(*args, **kwargs)

    def _sorted_alone(self, name: str) -> bool:
        return [key.bare for key in self.order_by] == [name]

    def order_seller(self, queryset, is_descending):
        """Seller name, seller, time: the sellers walked in name order, each one's rows
        from the log's seller index (apps/credit/log_order.py). `seller_walk` is False for
        a list searched or narrowed to some sellers (most sellers would be probed for few
        rows): the plain ORDER BY, the same rows in the same order."""
        if not self._sorted_alone("seller"):
            return queryset, False
        return SellerOrder(queryset, descending=is_descending, walk=self.seller_walk), True

    def order_status(self, queryset, is_descending):
        """Status, time: two runs, the reversed rows from their partial index and the
        completed ones from the time index (apps/inventory/level_order.RunOrder), instead
        of sorting every row by a column with two values."""
        if not self._sorted_alone("status"):
            return queryset, False
        runs = [Q(status=TransactionStatus.COMPLETED), Q(status=TransactionStatus.REVERSED)]
        if is_descending:
            runs.reverse()
        rows = RunOrder(
            queryset,
            parts=list(enumerate(runs)),
            within=THEN,
            keys=THEN,
            order=("status", *THEN),
            descending=is_descending,
        )
        return rows, True

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

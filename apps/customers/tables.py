import django_tables2 as tables

from apps.core.links import pk_url
from apps.core.phones import international
from apps.core.table_rows import EMPTY, esc, linked, once_per, text_or
from apps.core.tables import WIDE_ONLY, Table, link_writer
from apps.finance.money import format_money

from .models import Customer


class CustomerTable(Table):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    kind = tables.Column(attrs=WIDE_ONLY)  # a filter, and on the customer's page
    phone = tables.Column(orderable=False)
    currency = tables.Column(accessor="currency_id", verbose_name="Currency")
    credit_limit = tables.Column(verbose_name="Credit limit", attrs={"td": {"class": "text-end"}})
    active = tables.BooleanColumn()

    class Meta:
        model = Customer
        fields = ("code", "name", "kind", "email", "phone", "currency", "credit_limit", "active")
        attrs = {"class": "table table-hover align-middle"}
        order_by = ("name",)

    def render_phone(self, value):
        # `in EMPTY`, not truthiness: a PhoneNumber's bool() formats and validates it (~20 µs)
        return "—" if value in EMPTY else international(value)

    def value_phone(self, value):
        return value.as_e164 if value else ""

    def render_credit_limit(self, value):
        return format_money(value)

    def cell_writer(self, bound_column, context):
        """The list's cells in one pass (apps.core.table_rows)."""
        name, plain = bound_column.name, text_or(bound_column.default)
        link = link_writer(bound_column) if bound_column.link else None
        if name == "email" and link:  # tables2's EmailColumn: a mailto: link
            mailto = bound_column.column.get_url
            return lambda r: (
                plain(r.email) if r.email in EMPTY else link(mailto(r.email), esc(r.email))
            )
        if name in ("code", "name") and link:
            url = pk_url("customer-detail")  # get_absolute_url's, reversed once
            return lambda r: linked(link, url, r, getattr(r, name), plain)
        if name == "kind":
            return once_per(lambda r: r.kind, lambda r: plain(r.get_kind_display()))
        if name == "phone":
            return lambda r: plain(r.phone) if r.phone in EMPTY else esc(self.render_phone(r.phone))
        if name == "currency":
            return lambda r: plain(r.currency_id)
        if name == "credit_limit":
            limit = self.render_credit_limit
            return lambda r: (
                plain(r.credit_limit) if r.credit_limit in EMPTY else esc(limit(r.credit_limit))
            )
        if name == "active":  # BooleanColumn's own mark, written once per value and page
            marks = {}
            render = bound_column.column.render

            def active(r):
                mark = marks.get(r.active)
                if mark is None:
                    mark = marks[r.active] = esc(render(r.active, r, bound_column))
                return mark

            return active
        return None

import django_tables2 as tables

from apps.finance.money import format_money

from .models import Customer


class CustomerTable(tables.Table):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
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
        return value.as_international if value else "—"

    def value_phone(self, value):
        return value.as_e164 if value else ""

    def render_credit_limit(self, value):
        return format_money(value)

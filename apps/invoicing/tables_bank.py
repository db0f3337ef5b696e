import django_tables2 as tables
from django.utils.html import format_html

from apps.core.tables import Table

from .models import BankAccount, BankStatement

RIGHT = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}
STATEMENT_BADGES = {
    "previewed": "text-bg-info",
    "invalid": "text-bg-danger",
    "queued": "text-bg-warning",
    "running": "text-bg-warning",
    "imported": "text-bg-success",
    "failed": "text-bg-danger",
}


class BankStatementTable(Table):
    id = tables.Column(linkify=True, verbose_name="#")
    created_at = tables.DateTimeColumn(verbose_name="Uploaded", format="Y-m-d H:i")
    account = tables.Column(accessor="account__name", verbose_name="Account")
    file_name = tables.Column(verbose_name="File", linkify=lambda record: record.get_absolute_url())
    format = tables.Column()
    status = tables.Column()
    row_count = tables.Column(verbose_name="Rows", attrs=RIGHT)
    lines_added = tables.Column(verbose_name="New lines", attrs=RIGHT)
    lines_duplicate = tables.Column(verbose_name="Already imported", attrs=RIGHT)
    to_review = tables.Column(verbose_name="To review", attrs=RIGHT, orderable=False)

    class Meta:
        model = BankStatement
        fields = (
            "id",
            "created_at",
            "account",
            "file_name",
            "format",
            "status",
            "row_count",
            "lines_added",
            "lines_duplicate",
            "to_review",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_status(self, value, record):
        return format_html(
            '<span class="badge {}" data-status="{}">{}</span>',
            STATEMENT_BADGES.get(record.status, "text-bg-secondary"),
            record.status,
            value,
        )

    def value_status(self, value, record):
        return record.get_status_display()

    def render_to_review(self, value):
        return format_html('<span class="badge text-bg-warning">{}</span>', value) if value else "0"


class BankAccountTable(Table):
    name = tables.Column(linkify=lambda record: record.get_absolute_url())
    iban = tables.Column(verbose_name="IBAN")
    currency = tables.Column(accessor="currency_id", verbose_name="Currency")
    active = tables.BooleanColumn()
    actions = tables.TemplateColumn(
        "<a href=\"{% url 'bank-account-update' record.pk %}\">Edit</a>",
        verbose_name="",
        orderable=False,
    )

    class Meta:
        model = BankAccount
        fields = ("name", "iban", "currency", "active", "actions")
        attrs = {"class": "table table-sm table-hover align-middle"}

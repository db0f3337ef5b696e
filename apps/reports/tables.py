import django_tables2 as tables
from django.utils.html import format_html

from apps.core.tables import Table
from apps.ledger.tables import NAVIGATE

from .models import ReportRun, RunStatus

BADGES = {
    RunStatus.QUEUED: "secondary",
    RunStatus.RUNNING: "info",
    RunStatus.DONE: "success",
    RunStatus.FAILED: "danger",
}


class ReportRunTable(Table):
    created_at = tables.DateTimeColumn(
        verbose_name="Requested", format="Y-m-d H:i", linkify=True, attrs=NAVIGATE
    )
    type = tables.Column(verbose_name="Report", accessor="title", order_by=("type",))
    period = tables.Column(verbose_name="Period", accessor="period_text", orderable=False)
    requested_by = tables.Column(verbose_name="By", default="system")
    status = tables.Column()
    progress = tables.Column(verbose_name="Progress")

    class Meta:
        model = ReportRun
        fields = ("created_at", "type", "period", "requested_by", "status", "progress")
        attrs = {"class": "table table-hover align-middle"}

    def render_status(self, value, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>', BADGES.get(record.status, "light"), value
        )

    def render_progress(self, value):
        return f"{value}%"

    def value_status(self, value, record):
        return record.get_status_display()

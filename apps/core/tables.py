import django_tables2 as tables

from .models import AuditEvent


class AuditEventTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name="When", format="Y-m-d H:i:s")
    actor_repr = tables.Column(verbose_name="Who", order_by=("actor_repr",))
    ip_address = tables.Column(verbose_name="IP")
    action = tables.Column(verbose_name="Action")
    event = tables.Column(verbose_name="Event")
    content_type = tables.Column(verbose_name="Type", accessor="content_type__model")
    object_repr = tables.Column(verbose_name="Object")
    changes = tables.TemplateColumn(
        template_name="core/_audit_changes.html", verbose_name="Changes", orderable=False
    )

    class Meta:
        model = AuditEvent
        fields = (
            "created_at",
            "actor_repr",
            "ip_address",
            "action",
            "event",
            "content_type",
            "object_repr",
            "changes",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-created_at",)

import re

import django_tables2 as tables
from django.utils.html import format_html

from .models import AuditEvent
from .permissions import may_open

# A link's target differs from row to row only in its ids: /invoices/12/, /invoices/13/.
_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")


class _RoleLink:
    """A column's link, kept only where the user may open its target (else plain text).

    The answer is the target view's, so it is worked out once per URL shape (ids left
    out) rather than resolving the URL of every row."""

    def __init__(self, link, user):
        self.link, self.user = link, user
        self.allowed: dict[str, bool] = {}

    def __call__(self, content, **kwargs):
        attrs = self.link.get_attrs(**kwargs)
        href = attrs.get("href")
        if href is None:
            return content
        shape = _IDS.sub("#", href)
        allowed = self.allowed.get(shape)
        if allowed is None:
            allowed = self.allowed[shape] = may_open(self.user, href)
        if not allowed:
            return content
        return format_html("<a {}>{}</a>", attrs.as_html(), content)


def links_for(table, user):
    """Make every linkified column of `table` role-aware (no link leads to a 403)."""
    for column in table.columns.all():
        if column.link and not isinstance(column.link, _RoleLink):
            column.link = _RoleLink(column.link, user)
    return table


class AuditEventTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name="When", format="Y-m-d H:i:s")
    actor_repr = tables.Column(verbose_name="Who", order_by=("actor_repr",))
    ip_address = tables.Column(verbose_name="IP")
    action = tables.Column(verbose_name="Action")
    event = tables.Column(verbose_name="Event")
    content_type = tables.Column(verbose_name="Type", order_by=("content_type__model",))
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

    def render_content_type(self, value):
        from .filters import type_name

        return type_name(value)

    def value_content_type(self, value):
        from .filters import type_name

        return type_name(value)

import copy
import re

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tables2.utils import AttributeDict, signature

from .models import AuditEvent
from .paged import keys_first
from .permissions import may_open
from .table_rows import esc

# A column's cells shown from 1400 px wide (Bootstrap's xxl) only: a list gives up a column
# its filter or detail page also shows, so its grid fits a 1280 px screen.
WIDE_ONLY = {"th": {"class": "d-none d-xxl-table-cell"}, "td": {"class": "d-none d-xxl-table-cell"}}


class _DeclaredColumns(dict):
    """A table class's declared columns (`base_columns`), copied for each table one column
    object at a time (`copy.copy`) instead of by `copy.deepcopy`.

    django-tables2 deep-copies `base_columns` in every `Table.__init__` so that a table may
    change its columns without touching the class. A table changes a column only by
    assigning its attributes (`verbose_name`, `visible` through `hide()`, a missing
    `accessor`), which a copy of each column object keeps to that table; what a column
    holds (its `attrs` dicts, its link, its lazy verbose name) is read, never changed in
    place, by tables2 and by this project's writers. Walking all of it object by object
    was ~6 % of a list page's time (docs/performance.md, "A slow machine: table columns
    copied one object each")."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(column) for name, column in self.items()}


class Table(tables.Table):
    """django-tables2's Table for every table of the project: its declared columns are
    copied per table by `_DeclaredColumns`."""

    # Deep pages (past apps.core.paged.DEEP rows) read their keys first, those near the
    # end from the other end, where the data is a queryset ordered down to its key.
    deep_pages_by_key = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.base_columns = _DeclaredColumns(cls.base_columns)

    def paginate(self, *args, **kwargs):
        """The data is ordered by now (RequestConfig orders, then paginates)."""
        if self.deep_pages_by_key:
            self.data.data = keys_first(self.data.data)
        return super().paginate(*args, **kwargs)


# A link's target differs from row to row only in its ids: /invoices/12/, /invoices/13/.
_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")


class _RoleLink:
    """A column's link, kept only where the user may open its target (else plain text).

    The answer is the target view's, so it is worked out once per URL shape (ids left
    out) rather than resolving the URL of every row. What is the same on every row (the
    `<a>`'s fixed attributes, the signature of a `linkify=callable`) is worked out once
    too; the result is tables2's LinkTransform's, character for character."""

    def __init__(self, link, user):
        self.link, self.user = link, user
        self.allowed: dict[str, bool] = {}
        attrs = link.attrs or {}
        fixed = "href" not in attrs and all(isinstance(v, str) for v in attrs.values())
        self.fixed = AttributeDict(attrs).as_html() if fixed else None
        self.url_signature = signature(link.url) if callable(link.url) else None

    def _href(self, kwargs):
        if self.url_signature is None:
            return self.link.compose_url(**kwargs)
        args, catch_all = self.url_signature  # tables2's call_with_appropriate
        if not catch_all:
            kwargs = {key: kwargs[key] for key in kwargs if key in args}
            if any(arg not in kwargs for arg in args):
                return None
        return self.link.url(**kwargs)

    def __call__(self, content, **kwargs):
        if self.fixed is None:
            attrs = self.link.get_attrs(**kwargs)
            href = attrs.get("href")
        else:
            href = self._href(kwargs)
        if href is None:
            return content
        shape = _IDS.sub("#", href)
        allowed = self.allowed.get(shape)
        if allowed is None:
            allowed = self.allowed[shape] = may_open(self.user, href)
        if not allowed:
            return content
        if self.fixed is None:
            return format_html("<a {}>{}</a>", attrs.as_html(), content)
        href_attr = f'href="{esc(href)}"'
        html = f"{self.fixed} {href_attr}" if self.fixed else href_attr
        return mark_safe(f"<a {html}>{esc(content)}</a>")

    def writer(self):
        """`(href, html) -> cell` for a cell writer (apps.core.table_rows): what __call__
        writes for an already escaped text and the row's URL; None when the link's
        attributes depend on the row (then the cell takes the general path)."""
        if self.fixed is None:
            return None
        fixed = f"{self.fixed} " if self.fixed else ""

        def write(href, text: str) -> str:
            shape = _IDS.sub("#", href)
            allowed = self.allowed.get(shape)
            if allowed is None:
                allowed = self.allowed[shape] = may_open(self.user, href)
            if not allowed:
                return text
            return f'<a {fixed}href="{esc(href)}">{text}</a>'

        return write


def link_writer(bound_column):
    """The column's role-aware link as a writer (`_RoleLink.writer`), or None."""
    link = bound_column.link
    return link.writer() if isinstance(link, _RoleLink) else None


def links_for(table, user):
    """Make every linkified column of `table` role-aware (no link leads to a 403)."""
    for column in table.columns.all():
        if column.link and not isinstance(column.link, _RoleLink):
            column.link = _RoleLink(column.link, user)
    return table


class AuditEventTable(Table):
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
        # table-dense: ids and hashes in the changes may break anywhere (static/css/app.css)
        attrs = {"class": "table table-sm table-hover align-middle table-dense"}
        order_by = ("-created_at",)

    def render_content_type(self, value):
        from .filters import type_name

        return type_name(value)

    def value_content_type(self, value):
        from .filters import type_name

        return type_name(value)

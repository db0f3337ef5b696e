"""Every django-tables2 list writes its rows in one loop (issue 14 item 3).

tables2 renders cell by cell: for each of a page's cells it looks its column up by name,
inspects the render method's signature, recomputes the column's `<td>` attributes and
header, and the template resolves half a dozen variables, which cost 70-90 % of a
25-row list. `page_rows` does the same work with everything that depends only on the
column worked out once per page (`_ColumnPlan`), so a cell costs its value, its render
call and its link. The result is the same HTML (tests/core/test_table_rows.py compares
it with tables2's own cell loop for every list); the header, sorting and pagination
stay tables2's. Used by templates/django_tables2/backoffice.html, the template of every
table that does not name its own.

A table may go further for the columns it knows: `cell_writer(bound_column)` returns a
function of the record giving the cell's HTML (the same characters as the general path;
`esc`, `text_or`, `date_text` and the column's `_RoleLink.writer()` help), or None for
the general path. The longest lists write every cell that way (issue 14, `listcost`).
"""

from __future__ import annotations

import datetime as dt
import functools
import html as html_lib
import re

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template import Context, Template
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import striptags
from django.templatetags.l10n import localize, unlocalize
from django.utils import timezone
from django.utils.formats import localize as formats_localize
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django_tables2.columns.datecolumn import DateColumn
from django_tables2.columns.datetimecolumn import DateTimeColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.columns.templatecolumn import TemplateColumn
from django_tables2.utils import Accessor, AttributeDict, signature

_MISSING = object()
# The template DateColumn and DateTimeColumn write for their `format`.
_DATE_TEMPLATE = re.compile(r'\{\{ value\|date:"([^"]*)"\|default:default \}\}')


def esc(value) -> str:
    """conditional_escape without its lazy-string wrapper (the same characters)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html_lib.escape(str(value))


def breakable_email(address: str) -> SafeString:
    """An e-mail address, escaped, that may break before its @ (`<wbr>`) where its column is
    too narrow, rather than in the middle of a word."""
    local, at, domain = str(address).rpartition("@")
    if not at:
        return mark_safe(esc(address))
    return mark_safe(f"{esc(local)}<wbr>@{esc(domain)}")


def attrs_html(attrs) -> str:
    """`attrs.as_html()` of a tables2 AttributeDict, the same characters (`key="value"`
    joined by spaces; a callable value called; None values and the blacklisted keys left
    out; both escaped) without format_html's lazy-string check per key and value: a page
    asks it for its table, header cells, columns and rows. Anything else (a subclass that
    writes its own) answers its own `as_html()`."""
    if type(attrs) is not AttributeDict:
        return attrs.as_html()
    blacklist = attrs.blacklist
    parts = []
    for key, value in attrs.items():
        if callable(value):
            value = value()
        if value is not None and key not in blacklist:
            parts.append(f'{esc(key)}="{esc(value)}"')
    return mark_safe(" ".join(parts))


# tables2's Column.empty_values: such a value shows the column's default.
EMPTY = (None, "")


def once_per(key, write):
    """A cell writer writing `write(row)` once per distinct `key(row)` on the page and the
    same HTML for the other rows with that key (a status badge, a choice label, a
    poster's name: `get_FOO_display()` alone costs ~10 µs a cell)."""
    seen: dict = {}

    def cell(row) -> str:
        k = key(row)
        html = seen.get(k)
        if html is None:
            html = seen[k] = write(row)
        return html

    return cell


def linked(link, url, record, value, plain) -> str:
    """A linkify=True column's cell: the value linked to the record's page (`url(pk)`,
    its get_absolute_url), else the default (not linked)."""
    if value in EMPTY:
        return plain(value)
    return link(url(record.pk), esc(value))


def text_or(default: str):
    """A plain cell's HTML: the value as `{{ value }}` writes it, else the column's default
    (tables2's empty values: None and "")."""
    empty = esc(default)

    def write(value) -> str:
        if value in EMPTY:
            return empty
        if isinstance(value, str):
            return esc(value)
        return cell_text(value)

    return write


# Django date format characters written as numbers, and separators that need no escaping.
_DATE_PARTS = {
    "Y": "{0.year:04d}",
    "m": "{0.month:02d}",
    "d": "{0.day:02d}",
    "H": "{0.hour:02d}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}


def date_text(fmt: str, context=None):
    """`{{ value|date:fmt }}` for a date or datetime (in the current time zone, as the
    filter sees it in a template): a str.format pattern for the numeric formats the lists
    use ("Y-m-d H:i"), Django's date filter for any other. The time zone is looked up once
    per writer (a page), not per cell: `template_localtime`'s conversion, the same test."""
    use_tz = getattr(context, "use_tz", None)
    zone = (
        timezone.get_current_timezone() if (settings.USE_TZ if use_tz is None else use_tz) else None
    )
    pattern = None
    if all(c in _DATE_PARTS or c in "-: /." for c in fmt):
        pattern = "".join(_DATE_PARTS.get(c, c) for c in fmt)
        hours = any(c in "His" for c in fmt)

    def write(value) -> str:
        if (
            zone is not None
            and isinstance(value, dt.datetime)
            and value.utcoffset() is not None
            and getattr(value, "convert_to_local_time", True)
        ):
            value = value.astimezone(zone)
        if pattern is not None and (
            isinstance(value, dt.datetime) or (isinstance(value, dt.date) and not hours)
        ):
            return pattern.format(value)
        return date_filter(value, fmt)

    return write


def date_or(fmt: str, default: str, context):
    """A DateColumn/DateTimeColumn cell's HTML: the date as its `format` writes it, else
    the column's default (a date needs no escaping)."""
    write, empty = date_text(fmt, context), esc(default)

    def cell(value) -> str:
        if value in EMPTY:
            return empty
        return write(value) or empty

    return cell


def cell_text(value) -> str:
    """What `{{ value }}` writes in a template (localized, escaped): for rows written in
    Python (the product and stock-level tables' `rows_html`). Text is escaped as it is and
    an int without thousand separators is its digits (what `number_format` returns then),
    without looking up the active language's formats per cell."""
    kind = type(value)
    if kind is str:
        return html_lib.escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return esc(formats_localize(value))


def _has_callable(attrs) -> bool:
    if callable(attrs):
        return True
    if isinstance(attrs, dict):
        return any(_has_callable(v) for v in attrs.values())
    return False


@functools.lru_cache(maxsize=256)
def _template(code: str) -> Template:
    """A TemplateColumn's template, compiled once per process (a compiled template is
    only read while it renders, as the cached template loader shares its templates)."""
    return Template(code)


@functools.lru_cache(maxsize=512)
def _label(text: str, safe: bool, autoescape: bool) -> str:
    """A cell's ` data-label="<header without tags>"`, written once per process for each
    header text (stripping tags parses the text as HTML). A text is neither localised
    nor converted to local time, so of the page's context only its escaping counts."""
    header = mark_safe(text) if safe else text
    return format_html(
        ' data-label="{}"',
        render_value_in_context(striptags(header), Context(autoescape=autoescape)),
    )


def _compiled_template_render(column):
    """TemplateColumn.render with its template compiled once, not once per cell
    (DateColumn and DateTimeColumn are TemplateColumns: `{{ value|date:... }}`)."""
    template = _template(column.template_code)

    def render(record, table, value, bound_column, **kwargs):
        parent_context = getattr(table, "context", Context())
        context = column.get_context_data(
            record=record, table=table, value=value, bound_column=bound_column, **kwargs
        )
        with parent_context.update(context):
            parent_context["request"] = getattr(table, "request", None)
            return template.render(parent_context)

    return render


def _date_render(fmt: str):
    """DateColumn/DateTimeColumn's `{{ value|date:"<fmt>"|default:default }}` in Python: the
    value in the current time zone (the date filter expects local time), formatted, else
    the column's default, written as the template writes a variable."""

    writers: dict = {}

    def render(table, value, bound_column):
        context = getattr(table, "context", None) or Context()
        write = writers.get(context.use_tz)
        if write is None:
            write = writers[context.use_tz] = date_text(fmt, context)
        text = write(value)
        return mark_safe(render_value_in_context(text or bound_column.default, context))

    return render


class _ColumnPlan:
    """How one bound column renders a cell, worked out once for the page."""

    def __init__(self, bound_column, context, write=None):
        column = bound_column.column
        table = bound_column._table
        self.bound_column = bound_column
        self.column = column
        self.localize = bound_column.localize
        self.context = context
        self.autoescape = context.autoescape
        sources = [table.attrs.get(k) for k in ("td", "cell")]
        sources += [column.attrs.get(k) for k in ("td", "cell")]
        self.dynamic_td = any(_has_callable(s) for s in sources)
        self.td_attrs = "" if self.dynamic_td else self._td_attrs()
        header = bound_column.header
        self.label = (
            _label(str(header), isinstance(header, SafeData), context.autoescape) if header else ""
        )
        general = self.dynamic_td or self.localize is not None
        self.write = None if general else write
        if self.write is None:
            self._general(bound_column, column)

    def _general(self, bound_column, column) -> None:
        """What the general path needs: how to read the value and call the render."""
        self.accessor = Accessor(bound_column.accessor)
        # One attribute of the record (most columns): read it directly, not through
        # Accessor's general walk (which is also what it does for a model's attribute).
        plain = self.accessor and not any(sep in self.accessor for sep in ("__", "."))
        self.attribute = str(self.accessor) if plain else None
        self.default = bound_column.default
        self.render = bound_column.render
        inline = isinstance(column, TemplateColumn) and column.template_code
        if inline and bound_column.render == column.render:  # no render_<name> on the table
            date = _DATE_TEMPLATE.fullmatch(column.template_code)
            plain_date = (
                isinstance(column, DateColumn | DateTimeColumn) and not column.extra_context
            )
            if date and plain_date:
                self.render = _date_render(date.group(1))
            else:
                self.render = _compiled_template_render(column)
        self.args, self.catch_all = signature(self.render)
        self.link = bound_column.link
        self.link_column = isinstance(column, BaseLinkColumn)
        self.many = isinstance(column, ManyToManyColumn)
        self._display: dict[type, bool] = {}

    def _td_attrs(self) -> str:
        html = attrs_html(self.bound_column.attrs["td"])
        return f" {html}" if html else ""

    def _choice_display(self, penultimate, remainder) -> bool:
        """Whether the last step is a field with choices (tables2 shows get_FOO_display)."""
        key = type(penultimate)
        known = self._display.get(key)
        if known is None:
            try:
                field = penultimate._meta.get_field(remainder)
                known = bool(getattr(field, "choices", ())) and hasattr(
                    penultimate, f"get_{remainder}_display"
                )
            except FieldDoesNotExist:
                known = False
            self._display[key] = known
        return known

    def _call(self, row, value):
        kwargs = {
            "value": value,
            "record": row.record,
            "column": self.column,
            "bound_column": self.bound_column,
            "bound_row": row,
            "table": self.bound_column._table,
        }
        if self.catch_all:
            content = self.render(**kwargs)
        elif any(arg not in kwargs for arg in self.args):
            content = None
        else:
            content = self.render(**{arg: kwargs[arg] for arg in self.args})
        return self.link(content, **kwargs) if self.link else content

    def cell(self, row):
        """tables2's BoundRow._get_and_render_with + _call_render, for one record."""
        record = row.record
        value = None
        model_record = isinstance(record, models.Model)
        if self.attribute is not None and model_record:
            penultimate, remainder = record, self.attribute
        else:
            penultimate, remainder = self.accessor.penultimate(record)
        model = isinstance(penultimate, models.Model) and remainder
        if model and self._choice_display(penultimate, remainder):
            value = getattr(penultimate, f"get_{remainder}_display")()
            remainder = None
        if remainder:
            try:
                value = _MISSING
                if self.attribute is not None and model_record:
                    value = getattr(record, self.attribute, _MISSING)
                if value is _MISSING or callable(value):
                    value = self.accessor.resolve(record)
            except Exception:
                if self.link_column and self.column.text is not None:
                    return self._call(row, None)
        if value in self.column.empty_values or (self.many and not value.exists()):
            return self.default
        return self._call(row, value)

    def render_td(self, row) -> str:
        if self.write is not None:
            return f"<td{self.td_attrs}{self.label}>{self.write(row.record)}</td>"
        content = self.cell(row)
        if self.localize is True:
            content = localize(content)
        elif self.localize is False:
            content = unlocalize(content)
        attrs = self.td_attrs
        if self.dynamic_td:
            self.bound_column.current_record = row.record
            self.bound_column.current_value = content
            attrs = self._td_attrs()
        if isinstance(content, str):  # render_value_in_context leaves text as it is
            html = esc(content) if self.autoescape else content
        else:
            html = render_value_in_context(content, self.context)
        return f"<td{attrs}{self.label}>{html}</td>"


def page_rows(table, context) -> list[str]:
    """The `<tr>` of each row on the table's current page, as safe HTML."""
    writer = getattr(table, "cell_writer", None)
    plans = [
        _ColumnPlan(column, context, writer(column, context) if writer else None)
        for column in table.columns
    ]
    rows = []
    for row in table.paginated_rows:
        # BoundRow.attrs without row_attrs: only the odd/even class
        attrs = (
            attrs_html(row.attrs) if table.row_attrs else f'class="{row.get_even_odd_css_class()}"'
        )

        cells = "".join(plan.render_td(row) for plan in plans)
        rows.append(mark_safe(f"<tr {attrs}>{cells}</tr>"))
    return rows

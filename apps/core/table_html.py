"""A list's whole table in one pass: wrapper, header, rows and pager (issue 14, `chrome7`).

`{% render_table %}` renders tables2's template chain (bootstrap5.html <- the responsive
variant <- ours): a new template context with every context processor, ~20 nested blocks,
a `{% querystring_replace %}` per sort link and page link, `column.attrs` looked up through
the template engine. That was 2-5 ms of a 25-row page, as much as its rows. `table_html`
writes the same characters in Python: the templates' own text (indentation and blank lines
included) around the same values computed the same way (`AttributeDict.as_html`, the
query string as `querystring_replace` builds it, `table_page_range`).

The templates stay the reference: `{% table_html table %}` writes the tables whose template
is in `TEMPLATES` and renders any other through tables2's `{% render_table %}` path, and
tests/core/test_table_html.py compares the two for every list, several sort and page
states, an htmx request and empty tables.
"""

from __future__ import annotations

from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import AttributeDict

from .table_rows import attrs_html, esc, page_rows


class _Query:
    """`{% querystring_replace key=value %}` for one request: the query string with `key`
    set to `value` (in its place if present, else last), escaped for an attribute."""

    def __init__(self, request):
        self.params = dict(request.GET)

    def __call__(self, key, value) -> str:
        params = self.params
        if key not in ("", None):
            params = dict(params)
            params[key] = value
        return escape("?" + urlencode(params, doseq=True))


def _attrs_html(attrs, key: str) -> str:
    """`{{ table.attrs.<key>.as_html }}`: the attributes of a thead/tbody/tfoot if given as
    an AttributeDict, else nothing (what the template engine's lookup gives)."""
    value = attrs.get(key) if hasattr(attrs, "get") else None
    as_html = getattr(value, "as_html", None)
    return esc(attrs_html(value)) if callable(as_html) else ""


def _thead(table, query, context) -> str:
    """bootstrap5.html's `table.thead` block."""
    if not table.show_header:
        return "\n            \n            "
    out = ["\n            \n                <thead ", _attrs_html(table.attrs, "thead"), ">\n"]
    out.append("                <tr>\n                ")
    sort_key = table.prefixed_order_by_field
    for column in table.columns:
        header = render_value_in_context(column.header, context)
        out.append("\n                    <th ")
        out.append(esc(attrs_html(column.attrs["th"])))
        out.append(' scope="col">\n                        ')
        if column.orderable:
            href = query(sort_key, column.order_by_alias.next)
            out.append(f'\n                            <a href="{href}">{header}</a>\n')
        else:
            out.append(f"\n                            {header}\n")
        out.append("                        \n                    </th>\n                ")
    out.append("\n                </tr>\n                </thead>\n            \n            ")
    return "".join(out)


def _pager(table, query, context) -> str:
    """bootstrap5.html's `pagination` block."""
    page = getattr(table, "page", None)
    if not (page and table.paginator.num_pages > 1):
        return "\n        \n    "
    key = table.prefixed_page_field
    out = [
        '\n        \n        <nav aria-label="Table navigation">\n'
        '            <ul class="pagination justify-content-center">\n            '
    ]
    if page.has_previous():
        href = query(key, page.previous_page_number())
        out.append(
            '\n                \n                <li class="previous page-item">\n'
            f'                    <a href="{href}" class="page-link">\n'
            '                        <span aria-hidden="true">&laquo;</span>\n'
            f"                        {esc(gettext('previous'))}\n"
            "                    </a>\n                </li>\n                \n            "
        )
    out.append("\n            ")
    if page.has_previous() or page.has_next():
        out.append("\n            \n            ")
        number = page.number
        for p in table_page_range(page, table.paginator):
            active = " active" if number == p else ""
            href = "" if p == "..." else f'href="{query(key, p)}"'
            out.append(
                f'\n                <li class="page-item{active}">\n'
                f'                    <a class="page-link" {href}>\n'
                f"                        {render_value_in_context(p, context)}\n"
                "                    </a>\n                </li>\n            "
            )
        out.append("\n            \n            ")
    out.append("\n            ")
    if page.has_next():
        href = query(key, page.next_page_number())
        out.append(
            '\n                \n                <li class="next page-item">\n'
            f'                    <a href="{href}" class="page-link">\n'
            f"                        {esc(gettext('next'))}\n"
            '                        <span aria-hidden="true">&raquo;</span>\n'
            "                    </a>\n                </li>\n                \n            "
        )
    out.append("\n            </ul>\n        </nav>\n        \n    ")
    return "".join(out)


def _empty_row(table, css: str) -> str:
    return (
        f'<tr><td colspan="{len(table.columns)}"{css}>'
        f"{render_value_in_context(table.empty_text, table.context)}</td></tr>"
    )


def _rows_in_loop(table, context) -> str:
    """templates/django_tables2/backoffice.html's `table.tbody` block."""
    out = [f'\n<tbody hx-boost="false" {_attrs_html(table.attrs, "tbody")}>\n']
    rows = page_rows(table, context)
    for row in rows:
        out.append(f"\n  {row}\n")
    if not rows:
        text = ""
        if table.empty_text:
            text = _empty_row(table, ' class="text-muted text-center py-4"')
        out.append(f"\n  {text}\n")
    out.append("\n</tbody>\n")
    return "".join(out)


def _rows_written(table, context) -> str:
    """The `table.tbody` block of catalog/_product_table.html and inventory/_level_table.html
    (the table's own `rows_html`)."""
    if table.paginated_rows:
        body = f"\n{table.rows_html()}"
    else:
        body = "\n" + _empty_row(table, ' class="text-muted text-center py-4"') + "\n"
    return f'\n<tbody hx-boost="false">\n{body}\n</tbody>\n'


def _table(table, context, tbody) -> str:
    """bootstrap5.html's `table` block."""
    query = _Query(context["request"])
    table_attrs = AttributeDict({"class": "table"})
    table_attrs.update(table.attrs)
    return "".join(
        (
            f"\n        <table {esc(attrs_html(table_attrs))}>\n            ",
            _thead(table, query, context),
            "\n            ",
            tbody(table, context),
            "\n            \n            \n            \n        </table>\n    ",
        )
    ), _pager(table, query, context)


def _ours(table, context, tbody) -> str:
    """templates/django_tables2/backoffice.html's `table-wrapper` block (in bootstrap5.html)."""
    body, pager = _table(table, context, tbody)
    return (
        '\n\n\n<div class="table-container table-responsive table-cards">\n  '
        f"\n        {body}\n    \n  \n        {pager}\n    \n</div>\n\n"
    )


def _responsive(table, context, tbody) -> str:
    """bootstrap5-responsive.html's `table-wrapper` block (in bootstrap5.html)."""
    body, pager = _table(table, context, tbody)
    return (
        '\n\n\n<div class="table-container table-responsive">\n    '
        f"\n        {body}\n    \n\n    \n        {pager}\n    \n</div>\n\n"
    )


# Template name -> (its table-wrapper, its tbody). Tables with a footer go through the
# templates (none of ours has one).
TEMPLATES = {
    "django_tables2/backoffice.html": (_ours, _rows_in_loop),
    "catalog/_product_table.html": (_responsive, _rows_written),
    "inventory/_level_table.html": (_responsive, _rows_written),
}


def table_html(table, context) -> str:
    """What `{% render_table table %}` writes, as safe HTML."""
    request = context.get("request")
    try:
        table.context = context  # as tables2's RenderTableNode (TemplateColumn reads it)
        table.before_render(request)
        written = TEMPLATES.get(table.template_name)
        if written is None or table.has_footer():
            template = get_template(table.template_name)
            return template.render(context={"table": table}, request=request)
        wrapper, tbody = written
        return mark_safe(wrapper(table, context, tbody))
    finally:
        del table.context

"""Shared template helpers: bootstrap widgets for filter bars, permission checks.

Money is formatted by `{% load money_tags %}` (apps.finance), the one money formatter."""

from django import forms, template
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from apps.core.form_renderer import quick_widget, var_text
from apps.core.permissions import has_access
from apps.core.permissions import may_open as _may_open
from apps.core.table_rows import breakable_email

register = template.Library()


@register.filter
def bs_widget(field):
    """Render a bound field's widget with the Bootstrap class its type needs."""
    widget = field.field.widget
    quick_widget(widget)  # a plain <select>: options written once per list of choices
    # live-filter / change-filter: what a filter bar reacts to (core/list.html): typing in
    # text-like boxes, a change of the others.
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input change-filter"
    elif isinstance(widget, forms.Select | forms.SelectMultiple | forms.NullBooleanSelect):
        css = "form-select change-filter"
    elif isinstance(widget, forms.DateInput | forms.DateTimeInput) or widget.attrs.get("type") in (
        "date",
        "datetime-local",
        "month",
    ):
        css = "form-control change-filter"
    else:
        css = "form-control live-filter"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def email_breakable(address):
    """{{ customer.email|email_breakable }}: the address may break before its @ only."""
    return breakable_email(address) if address else address


@register.filter
def can(user, spec: str) -> bool:
    """{% if user|can:"stock:write" %}: the permission matrix, in templates."""
    area, _, need = spec.partition(":")
    return has_access(user, area, need or "read")


@register.simple_tag
def idempotency_key_input():
    """A hidden one-time key for a POST button form (apps.core.idempotency.form_once)."""
    import uuid

    from django.utils.html import format_html

    return format_html('<input type="hidden" name="idempotency_key" value="{}">', uuid.uuid4().hex)


@register.filter
def may_open(user, url: str) -> bool:
    """{% if user|may_open:url %}<a href="{{ url }}">…{% endif %}: links only where the role
    may follow them (apps.core.permissions.may_open)."""
    return _may_open(user, url)


@register.simple_tag(takes_context=True)
def link_if_allowed(context, url: str, text, css: str = ""):
    """{% link_if_allowed url text %}: an <a> when the user may open `url`, else the text."""
    if url and _may_open(context["request"].user, url):
        return format_html(
            '<a href="{}"{}>{}</a>', url, format_html(' class="{}"', css) if css else "", text
        )
    return conditional_escape(text)


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """The rows of a django-tables2 page in one loop (apps.core.table_rows)."""
    from apps.core.table_rows import page_rows

    return page_rows(table, context)


@register.simple_tag(takes_context=True)
def table_html(context, table):
    """{% table_html table %}: what `{% render_table table %}` writes, in one pass for the
    templates apps.core.table_html knows (the others through their template)."""
    from apps.core.table_html import table_html as write

    return write(table, context)


@register.simple_tag(takes_context=True)
def filter_fields(context, form):
    """A filter bar's fields (core/list.html), as its former `{% for field in filter.form %}`
    loop wrote them: a column each with label, widget and errors."""
    out = []
    for index, field in enumerate(form):
        extra = " filter-extra" if index and not field.value() else ""
        errors = "".join(
            f'<div class="invalid-feedback d-block">{render_value_in_context(e, context)}</div>'
            for e in field.errors
        )
        out.append(
            f'\n      <div class="col-sm-6 col-md-4 col-xl-2{extra}">\n'
            '        <label class="form-label small mb-1" '
            f'for="{var_text(field.id_for_label, context)}">'
            f"{var_text(field.label, context)}</label>\n"
            f"        {bs_widget(field)}\n        {errors}\n      </div>\n    "
        )
    return mark_safe("".join(out))

"""Shared template helpers: bootstrap widgets for filter bars, permission checks.

Money is formatted by `{% load money_tags %}` (apps.finance), the one money formatter."""

from django import forms, template

from apps.core.permissions import has_access

register = template.Library()


@register.filter
def bs_widget(field):
    """Render a bound field's widget with the Bootstrap class its type needs."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple | forms.NullBooleanSelect):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


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

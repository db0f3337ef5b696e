"""Shared template helpers: bootstrap widgets for filter bars, money, permission checks."""

from decimal import Decimal

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


@register.filter
def money(amount, currency: str = ""):
    """1234.5 -> '1,234.50 EUR' (amounts are already quantized by the services)."""
    if amount in (None, ""):
        return ""
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    places = max(-value.as_tuple().exponent, 0) if value.as_tuple().exponent < 0 else 0
    text = f"{value:,.{places}f}"
    return f"{text} {currency}".strip()

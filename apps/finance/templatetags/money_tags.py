"""{{ amount|money:"EUR" }} in templates: the one money formatter (apps.finance.money)."""

from django import template

from apps.finance.money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str = ""):
    """Decimal("1234.5")|money:"EUR" -> '1,234.50 EUR'; None or "" -> ''."""
    if amount in (None, ""):
        return ""
    return format_money(amount, currency or "")

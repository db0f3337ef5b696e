from decimal import Decimal

from django import template

from apps.finance.money import format_money

register = template.Library()


@register.filter
def cell(value, kind: str = "text"):
    """A stored result value as shown: money with separators, counts, percents."""
    if value in (None, ""):
        return "–" if kind == "percent" else ""
    if kind == "money":
        return format_money(Decimal(str(value)))
    if kind == "int":
        return f"{int(value):,}"
    if kind == "percent":
        return f"{Decimal(str(value)):.1f} %"
    return value


@register.filter
def cells(row: dict, columns: list) -> list[tuple]:
    """[(value, kind), ...] of a result row in column order."""
    return [(row.get(c["key"]), c["kind"]) for c in columns]


@register.filter
def negative(value) -> bool:
    try:
        return Decimal(str(value)) < 0
    except Exception:
        return False

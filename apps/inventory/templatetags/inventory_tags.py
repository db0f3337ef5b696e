from django import template

from apps.inventory.tables import MOVEMENT_BADGES, movement_rows_html

register = template.Library()


@register.filter
def movement_badge(movement_type: str) -> str:
    """The Bootstrap badge class of a movement type."""
    return MOVEMENT_BADGES.get(movement_type, "text-bg-secondary")


@register.simple_tag
def movement_rows(movements, hidden="", empty_text=""):
    """{% movement_rows movements hidden empty_text %}: the rows, written in Python."""
    return movement_rows_html(movements, hidden or "", empty_text)

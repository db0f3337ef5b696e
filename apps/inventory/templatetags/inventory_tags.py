from django import template

from apps.inventory.models import MovementType

register = template.Library()

TYPE_BADGES = {
    MovementType.RECEIPT: "text-bg-success",
    MovementType.RETURN: "text-bg-info",
    MovementType.TRANSFER_IN: "text-bg-primary",
    MovementType.TRANSFER_OUT: "text-bg-primary",
    MovementType.SALE: "text-bg-secondary",
    MovementType.MANUAL_REMOVAL: "text-bg-danger",
    MovementType.ADJUSTMENT: "text-bg-warning",
}


@register.filter
def movement_badge(movement_type: str) -> str:
    """The Bootstrap badge class of a movement type."""
    return TYPE_BADGES.get(movement_type, "text-bg-secondary")

"""Timeline rendering: an audit event's changes as short readable text."""

from django import template

register = template.Library()

EVENT_LABELS = {
    "create": "Created",
    "update": "Updated",
    "soft_delete": "Moved to trash",
    "restore": "Restored",
}


@register.filter
def change_text(value) -> str:
    """[old, new] -> "old → new", {"SKU": 2} -> "SKU × 2"; anything else as it is."""
    if isinstance(value, list | tuple) and len(value) == 2:
        old, new = ("—" if v in (None, "") else v for v in value)
        return f"{old} → {new}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} × {v}" for k, v in value.items())
    return "—" if value in (None, "") else str(value)


@register.filter
def event_title(event) -> str:
    """ "order.confirmed" -> "Order confirmed"; automatic events by their action."""
    if event.event:
        return event.event.replace(".", " ").replace("_", " ").capitalize()
    return EVENT_LABELS.get(event.action, event.get_action_display())

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
    """[old, new] -> "old → new", {"SKU": 2} -> "SKU × 2", a list of records (a
    document's movements) -> "sku SNA-006, quantity -4, level 115 → 111; ..."; anything
    else as it is."""
    if isinstance(value, list | tuple) and value and all(isinstance(v, dict) for v in value):
        return "; ".join(_record_text(v) for v in value)
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


HIDDEN = {"id", "pk", "password", "created_at", "updated_at", "created_by", "updated_by"}


def _field_label(model, key: str) -> str:
    try:
        return str(model._meta.get_field(key).verbose_name).capitalize()
    except Exception:  # not a field of the model (a computed key): its words
        return key.replace("_", " ").capitalize()


def _record_text(record: dict) -> str:
    """One record of a list: its keys as words, internal ids left out."""
    return ", ".join(
        f"{key.replace('_', ' ')} {change_text(value)}"
        for key, value in record.items()
        if key not in HIDDEN and not key.endswith("_id")
    )


def _plain(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


@register.filter
def human_changes(event) -> list[tuple[str, str]]:
    """An event's changes as [(label, text)]: field names as the model's verbose names,
    internal keys (ids, foreign keys, bookkeeping timestamps) hidden, empty "deleted at"
    left out, booleans as yes/no."""
    changes = event.changes or {}
    model = event.content_type.model_class() if event.content_type_id else None
    rows = []
    for key, value in changes.items():
        if key in HIDDEN or key.endswith("_id") or key.endswith("_ids"):
            continue
        if key == "deleted_at" and change_text(value) in ("—", "— → —"):
            continue
        if isinstance(value, list | tuple) and len(value) == 2:
            value = [_plain(v) for v in value]
        else:
            value = _plain(value)
        label = _field_label(model, key) if model else key.replace("_", " ").capitalize()
        rows.append((label, change_text(value)))
    return rows

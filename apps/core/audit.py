"""The audit log service: one function every business action calls (DESIGN.md §3, core)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import AuditAction, AuditEvent
from .request_context import current_actor

IGNORED_FIELDS = {"updated_at", "updated_by", "created_at", "created_by", "password", "last_login"}


def to_jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    return str(value)


def snapshot(instance: models.Model, fields: set[str] | None = None) -> dict[str, Any]:
    """Field values of `instance` by attname (foreign keys as ids), JSON-ready."""
    excluded = IGNORED_FIELDS | set(getattr(instance, "audit_exclude_fields", ()))
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in excluded or (fields is not None and field.name not in fields):
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, models.DecimalField) and value is not None:
            # 5 and 5.000 are the same stored value: compare at the column's scale
            value = Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
        data[field.attname] = to_jsonable(value)
    return data


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}


def audit_build(
    *,
    action: str = AuditAction.BUSINESS,
    subject: models.Model | None = None,
    event: str = "",
    changes: dict[str, Any] | None = None,
    message: str = "",
    actor=None,
    ip: str | None = None,
) -> AuditEvent:
    """The audit event audit_record writes, unsaved: a service that records many at once
    (a document's stock movements) writes them with one bulk_create.

    The actor and IP default to the current request's (see request_context).
    """
    actor, ip = _actor(actor, ip)
    event_row = AuditEvent(
        action=action,
        event=event,
        actor=actor,
        ip_address=ip,
        message=message,
        **_described(actor, subject, changes),
    )
    if subject is not None:
        event_row.content_type = ContentType.objects.get_for_model(
            subject, for_concrete_model=False
        )
    return event_row


def _described(actor, subject, changes) -> dict[str, Any]:
    """The columns an event writes to describe its actor, subject and changes."""
    described = {
        "actor_repr": str(actor) if actor is not None else "system",
        "changes": to_jsonable(changes or {}),
    }
    if subject is not None:
        described.update(object_id=str(subject.pk), object_repr=str(subject)[:255])
    return described


def _actor(actor, ip: str | None):
    ctx = current_actor()
    if actor is None:
        user = ctx.user
        actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    return actor, ip if ip is not None else ctx.ip


def audit_rows(subjects: list[tuple[models.Model, str, dict[str, Any], Any]]) -> list:
    """The events `audit_build(subject=, event=, changes=, actor=)` gives for each
    (subject, event, changes, actor) of one model, as plain rows of AuditEvent's column
    values by attname rather than model instances, for `apps.core.sql.insert_all`: a
    document's stock movements write one event each, and building them as instances cost
    more than writing them. Same columns, same values."""
    if not subjects:
        return []
    content_type = ContentType.objects.get_for_model(subjects[0][0], for_concrete_model=False)
    return [
        SimpleNamespace(
            created_at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
            ip_address=ip,
            action=AuditAction.BUSINESS,
            event=event,
            content_type_id=content_type.pk,
            message="",
            **_described(actor, subject, changes),
        )
        for subject, event, changes, actor, ip in (
            (subject, event, changes, *_actor(actor, None))
            for subject, event, changes, actor in subjects
        )
    ]


def audit_record(**kwargs) -> AuditEvent:
    """Write one audit event in the caller's transaction (arguments: audit_build's)."""
    event_row = audit_build(**kwargs)
    event_row.save()
    return event_row


def events_for(subject: models.Model):
    """The timeline of one object, newest first."""
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return AuditEvent.objects.filter(content_type=ct, object_id=str(subject.pk)).select_related(
        "actor", "content_type"
    )

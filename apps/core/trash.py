"""The trash: soft-deleted rows of every BaseModel subclass, for Admin to see and restore."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models

from .models import BaseModel


@dataclass(frozen=True)
class TrashRow:
    label: str  # app_label.model_name
    verbose_name: str
    pk: str
    text: str
    deleted_at: object


def trashable_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, BaseModel) and not m._meta.abstract]


def trash_rows(limit_per_model: int = 200) -> list[TrashRow]:
    rows = []
    for model in trashable_models():
        for obj in model.all_objects.deleted().order_by("-deleted_at")[:limit_per_model]:
            rows.append(
                TrashRow(
                    label=model._meta.label_lower,
                    verbose_name=str(model._meta.verbose_name).capitalize(),
                    pk=str(obj.pk),
                    text=str(obj),
                    deleted_at=obj.deleted_at,
                )
            )
    return sorted(rows, key=lambda r: r.deleted_at, reverse=True)


def trash_restore(*, label: str, pk: str) -> BaseModel:
    """Restore one soft-deleted row; LookupError for an unknown model or row."""
    model = apps.get_model(label)
    if model not in trashable_models():
        raise LookupError(label)
    obj = model.all_objects.deleted().get(pk=pk)
    obj.restore()
    return obj

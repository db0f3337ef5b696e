"""Background jobs (django-q2) of the catalog: applying CSV imports."""

from django.contrib.auth import get_user_model

from apps.core.request_context import acting_as

from .imports import import_apply
from .models import ImportBatch


def import_apply_task(batch_id: int, user_id: int | None = None) -> dict:
    """Apply a claimed import in the worker, as the user who started it."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    batch = ImportBatch.objects.get(pk=batch_id)
    with acting_as(user):
        batch = import_apply(batch=batch, user=user)
    return {"batch": batch.pk, "status": batch.status, **batch.summary}

"""Background job (django-q2) of the bank statements: importing one uploaded statement."""

from django.contrib.auth import get_user_model

from apps.core.request_context import acting_as

from .services.bank import statement_import


def statement_import_task(statement_id: int, user_id: int | None = None) -> dict:
    """Import a queued statement in the worker, as the user who started it."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    with acting_as(user):
        statement = statement_import(statement_id=statement_id, user=user)
    return {
        "statement": statement.pk,
        "status": statement.status,
        "lines_added": statement.lines_added,
        "lines_duplicate": statement.lines_duplicate,
        "matches_applied": statement.matches_applied,
    }

"""Background jobs (django-q2) owned by core."""

import datetime as dt

from django.utils import timezone

from .books import run_checks


def books_check_task(triggered_by: str = "schedule") -> dict:
    ok, results = run_checks(triggered_by=triggered_by)
    return {"ok": ok, "checks": len(results), "violations": sum(len(r.violations) for r in results)}


def prune_job_history_task(days: int = 30) -> int:
    from django_q.models import Failure, Success

    cutoff = timezone.now() - dt.timedelta(days=days)
    removed, _ = Success.objects.filter(stopped__lt=cutoff).delete()
    removed_f, _ = Failure.objects.filter(stopped__lt=cutoff).delete()
    return removed + removed_f


def refused_task(reason: str) -> None:
    """Stands in for a job the guard refused (apps.core.jobs.task_guard): fails loudly."""
    raise PermissionError(reason)

"""Report runs: request one (queued for the worker), execute one (the worker's job, also
run synchronously by `generate_report` and the monthly schedule)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from apps.core.audit import audit_record

from .exports import render_csv, render_pdf
from .models import ReportRun, RunStatus
from .registry import report_spec

log = logging.getLogger(__name__)


@transaction.atomic
def report_run_request(*, type: str, parameters: dict, user=None, queue: bool = True) -> ReportRun:
    """Record a run and queue it for the worker once this transaction commits."""
    spec = report_spec(type)
    if spec is None:
        raise ValidationError({"type": f"Unknown report type {type!r}."})
    if user is not None and not spec.allowed(user):
        raise ValidationError({"type": f"You may not run the {spec.title} report."})
    run = ReportRun.objects.create(
        type=type,
        parameters=parameters,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit_record(subject=run, event="report.requested", changes={"type": type, **parameters})
    if queue:
        from django_q.tasks import async_task

        transaction.on_commit(
            lambda: async_task(
                "apps.reports.tasks.report_run_task",
                run.pk,
                group="reports",
                task_name=f"report-{run.pk}",
            )
        )
    return run


def _progress_writer(run_id: int, on_progress: Callable[[int], None] | None):
    """progress(pct): a conditional UPDATE in its own autocommit, so the page polling the
    run sees it at once; progress only ever goes up."""

    def progress(pct: int) -> None:
        pct = max(0, min(int(pct), 99))
        ReportRun.objects.filter(pk=run_id, progress__lt=pct).update(progress=pct)
        if on_progress is not None:
            on_progress(pct)

    return progress


def report_run_execute(
    *, run_id: int, on_progress: Callable[[int], None] | None = None
) -> ReportRun:
    """Compute a queued run: result JSON, CSV and PDF files, status done; or status failed
    with the error. Claiming the run is a conditional UPDATE, so a run executes once even
    if the task is delivered twice."""
    claimed = ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=0
    )
    run = ReportRun.objects.get(pk=run_id)
    if not claimed:
        return run
    progress = _progress_writer(run_id, on_progress)
    try:
        spec = report_spec(run.type)
        if spec is None:
            raise ValueError(f"Unknown report type {run.type!r}.")
        result = spec.build(dict(run.parameters), progress).as_json()
        csv_bytes = render_csv(result, run.parameters)
        progress(97)
        pdf_bytes = render_pdf(result, run.parameters, run_id=run.pk)
    except Exception as exc:  # the run page shows why, instead of spinning forever
        log.exception("report run %s failed", run_id)
        ReportRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        return run
    stem = f"{run.type}-{run.pk}"
    with transaction.atomic():
        run.result = result
        run.csv_file.save(f"{stem}.csv", ContentFile(csv_bytes), save=False)
        run.pdf_file.save(f"{stem}.pdf", ContentFile(pdf_bytes), save=False)
        run.status = RunStatus.DONE
        run.progress = 100
        run.finished_at = timezone.now()
        run.save(
            update_fields=["result", "csv_file", "pdf_file", "status", "progress", "finished_at"]
        )
    if on_progress is not None:
        on_progress(100)
    return run


def report_runs_expire(*, now=None) -> int:
    """Mark runs the worker gave up on as failed, so their page stops polling and says so.

    django-q2 kills a task after Q_CLUSTER["timeout"] seconds (and a worker can die); such
    a run never reaches `except` above. Runs queued or running for longer than the timeout
    plus retries are failed here by the 10-minute schedule (a conditional UPDATE)."""
    from datetime import timedelta

    from django.conf import settings

    now = now or timezone.now()
    limit = timedelta(seconds=int(settings.Q_CLUSTER.get("retry", 360)) * 2)
    stale = ReportRun.objects.filter(
        status__in=(RunStatus.QUEUED, RunStatus.RUNNING), created_at__lt=now - limit
    )
    return stale.update(
        status=RunStatus.FAILED,
        finished_at=now,
        error=f"The report did not finish within {int(limit.total_seconds() // 60)} minutes "
        "(the worker stopped or timed out). Run it again; if it keeps failing, pick a shorter "
        "period.",
    )

"""Report-run invariants for check_books: a finished run is complete, a failed one says why."""

from django.db.models import Q

from apps.core.books import CheckResult, register

from .models import ReportRun, RunStatus


@register(
    "reports.runs_complete",
    "A done report run has its result, its CSV and PDF files and 100 % progress; a failed "
    "run has an error text.",
)
def runs_complete() -> CheckResult:
    done_broken = ReportRun.objects.filter(status=RunStatus.DONE).filter(
        Q(result__isnull=True) | Q(csv_file="") | Q(pdf_file="") | ~Q(progress=100)
    )
    failed_silent = ReportRun.objects.filter(status=RunStatus.FAILED, error="")
    violations = [
        f"report run {pk}: done but incomplete"
        for pk in done_broken.values_list("pk", flat=True)[:200]
    ]
    violations += [
        f"report run {pk}: failed without an error"
        for pk in failed_silent.values_list("pk", flat=True)[:200]
    ]
    return CheckResult(counted=ReportRun.objects.count(), violations=violations)

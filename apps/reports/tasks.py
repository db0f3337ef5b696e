"""Background jobs (django-q2) of the reports: one run, the monthly email, the dashboard's
summary tables."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.utils import timezone

from apps.accounts.roles import Role

from .models import RunStatus
from .services import report_run_execute, report_run_request, report_runs_expire
from .summary import summaries_refresh

MONTHLY_TYPES = ("sales", "profit_loss")


def report_run_task(run_id: int) -> str:
    return report_run_execute(run_id=run_id).status


def dashboard_refresh_task() -> dict:
    """Every 10 minutes: the daily sales figures merged, the dashboard's summary tables,
    and runs the worker gave up on."""
    return {**summaries_refresh(), "expired_runs": report_runs_expire()}


def monthly_recipients() -> list[str]:
    """Active Admin and Accountant users (superusers count as Admins)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[Role.ADMIN, Role.ACCOUNTANT]) | Q(is_superuser=True))
    )
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def next_month_start() -> dt.datetime:
    """06:00 local time on the first of next month: when the monthly email first goes."""
    today = timezone.localdate()
    first = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return timezone.make_aware(dt.datetime.combine(first, dt.time(6)))


def previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def monthly_reports_task(today: str | None = None) -> dict:
    """Run last month's sales and P&L reports and email both (CSV + PDF) to every Admin
    and Accountant, one message each. Runs in the worker, so the reports run inline."""
    start, end = previous_month(dt.date.fromisoformat(today) if today else timezone.localdate())
    params = {"start": start.isoformat(), "end": end.isoformat()}
    runs = []
    for type_ in MONTHLY_TYPES:
        extra = {"group_by": "week"} if type_ == "sales" else {}
        run = report_run_request(type=type_, parameters={**params, **extra}, queue=False)
        runs.append(report_run_execute(run_id=run.pk))
    recipients = monthly_recipients()
    done = [r for r in runs if r.status == RunStatus.DONE]
    if not recipients or not done:
        return {"runs": [r.pk for r in runs], "sent": 0}
    lines = [f"Reports for {start:%B %Y} ({start} to {end}):", ""]
    for run in runs:
        if run.status == RunStatus.DONE:
            figures = ", ".join(f"{f['label']} {f['value']}" for f in run.result["figures"][:3])
            lines.append(f"- {run.title}: {figures}")
        else:
            lines.append(f"- {run.title}: failed ({run.error})")
    messages = []
    for email in recipients:
        message = EmailMessage(f"Monthly reports: {start:%B %Y}", "\n".join(lines), to=[email])
        for run in done:
            for field, mime in ((run.csv_file, "text/csv"), (run.pdf_file, "application/pdf")):
                with field.open("rb") as f:
                    message.attach(field.name.rsplit("/", 1)[-1], f.read(), mime)
        messages.append(message)
    sent = get_connection().send_messages(messages)
    return {"runs": [r.pk for r in runs], "sent": sent}

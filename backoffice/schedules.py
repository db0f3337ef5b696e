"""Every recurring job, declared in code; `manage.py schedules_sync` (run by migrate and
`make run`) creates or updates them in django-q2 idempotently. Names start "backoffice:".
"""

from apps.core.jobs import ScheduleSpec

SCHEDULES = [
    ScheduleSpec(
        name="backoffice:check-books",
        func="apps.core.tasks.books_check_task",
        schedule_type="H",
        description="Verify every invariant (check_books) and keep the result for the Books check page.",
    ),
    ScheduleSpec(
        name="backoffice:clear-old-tasks",
        func="apps.core.tasks.prune_job_history_task",
        schedule_type="D",
        description="Remove job results older than 30 days.",
    ),
    ScheduleSpec(
        name="backoffice:low-stock-digest",
        func="apps.inventory.tasks.low_stock_digest_task",
        schedule_type="D",
        description="Email Admin and Warehouse users the products at or below their low-stock level.",
    ),
]
SCHEDULES += [
    ScheduleSpec(
        name="backoffice:monthly-reports",
        func="apps.reports.tasks.monthly_reports_task",
        schedule_type="M",
        first_run="apps.reports.tasks.next_month_start",
        description="Email last month's sales and profit-and-loss reports (CSV + PDF) to "
        "Admin and Accountant users.",
    ),
    ScheduleSpec(
        name="backoffice:dashboard-refresh",
        func="apps.reports.tasks.dashboard_refresh_task",
        schedule_type="I",
        minutes=10,
        description="Recompute the dashboard's summary tables (closed days, counts, top products).",
    ),
]
SCHEDULES += [
    ScheduleSpec(
        name="backoffice:dunning",
        func="apps.invoicing.tasks.dunning_daily_task",
        schedule_type="D",
        first_run="apps.invoicing.tasks.next_morning",
        title="Dunning reminders",
        description="Send each overdue invoice's due reminder level once (the highest due "
        "after missed days), with its fee invoice and the invoice PDF.",
    ),
    ScheduleSpec(
        name="backoffice:recurring-invoices",
        func="apps.invoicing.tasks.recurring_daily_task",
        schedule_type="D",
        first_run="apps.invoicing.tasks.next_morning",
        title="Recurring invoices",
        description="Create (and issue, email) one invoice per recurring template and due "
        "period, catching up missed periods once.",
    ),
]

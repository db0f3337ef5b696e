"""Recurring invoices (DESIGN.md §11, issue 9 item 5): templates and the daily job.

The schedule is pure arithmetic on the template: period n falls n intervals after the
start month, on the template's day clamped to that month's end. A run walks every period
date up to today, so missed days are caught up, and bills each one through
`recurring_period_invoice`, which locks the template row and relies on the UNIQUE
(template, period date) row: a repeated or concurrent run never bills a period twice.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from apps.core.audit import audit_record
from apps.customers.models import Customer
from apps.finance.documents import document_currency_problem
from apps.finance.models import Currency

from ..models import (
    INTERVAL_MONTHS,
    DocumentKind,
    Interval,
    Invoice,
    RecurringInvoice,
    RecurringLine,
    RecurringPeriod,
)
from .common import (
    ZERO,
    InvoicingError,
    acting,
    check_amount,
    check_percent,
    check_quantity,
    check_series,
    check_tax_rate,
)
from .dunning import company_today

logger = logging.getLogger(__name__)
TEMPLATE_FIELDS = (
    "name",
    "customer",
    "currency",
    "series",
    "interval",
    "day_of_month",
    "start_date",
    "end_date",
    "payment_terms_days",
    "auto_issue",
    "auto_email",
    "active",
    "notes",
)
SCHEDULE_FIELDS = ("start_date", "interval", "day_of_month")
MAX_PERIODS = 1200  # 100 years of months: a bound on any catch-up walk


# --- the schedule (pure) ----------------------------------------------------------------


def month_day(year: int, month: int, day: int) -> dt.date:
    """`day` of that month, clamped to its last day (31 -> Feb 28/29, Apr 30)."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def period_date(start: dt.date, interval: str, day_of_month: int, n: int) -> dt.date:
    months = start.month - 1 + n * INTERVAL_MONTHS[Interval(interval)]
    return month_day(start.year + months // 12, months % 12 + 1, day_of_month)


def schedule_dates(
    *,
    start: dt.date,
    interval: str,
    day_of_month: int,
    until: dt.date,
    end: dt.date | None = None,
    after: dt.date | None = None,
) -> list[dt.date]:
    """Every period date on or after `start` (and after `after`), up to `until` and `end`."""
    dates = []
    for n in range(MAX_PERIODS):
        date = period_date(start, interval, day_of_month, n)
        if date < start or (after is not None and date <= after):
            continue
        if date > until or (end is not None and date > end):
            break
        dates.append(date)
    return dates


def template_dates(template: RecurringInvoice, *, until: dt.date) -> list[dt.date]:
    return schedule_dates(
        start=template.start_date,
        interval=template.interval,
        day_of_month=template.day_of_month,
        until=until,
        end=template.end_date,
    )


def next_date(template: RecurringInvoice, *, after: dt.date) -> dt.date | None:
    """The first period date after `after` (None once the template has ended)."""
    for n in range(MAX_PERIODS):
        date = period_date(template.start_date, template.interval, template.day_of_month, n)
        if template.end_date is not None and date > template.end_date:
            return None
        if date >= template.start_date and date > after:
            return date
    return None


# --- templates --------------------------------------------------------------------------


def _line_rows(lines: list[dict[str, Any]], currency: Currency) -> list[dict[str, Any]]:
    rows = []
    for data in lines:
        description = (data.get("description") or "").strip()
        if not description:
            raise InvoicingError({"lines": "Describe every line."})
        rows.append(
            {
                "description": description[:300],
                "quantity": check_quantity(data.get("quantity")),
                "unit": (data.get("unit") or "pcs").strip()[:20],
                "unit_price": check_amount(
                    data.get("unit_price"), "unit_price", minor_units=currency.minor_units
                ),
                "discount_percent": check_percent(data.get("discount_percent") or ZERO),
                "tax_rate": check_tax_rate(data.get("tax_rate")),
                "product": data.get("product"),
            }
        )
    if not rows:
        raise InvoicingError({"lines": "Add at least one line."})
    return rows


def _check_template(values: dict[str, Any]) -> dict[str, Any]:
    name = (values.get("name") or "").strip()
    if not name:
        raise InvoicingError({"name": "Name the recurring invoice."})
    values["name"] = name[:200]
    customer = values.get("customer")
    if not isinstance(customer, Customer) or customer.is_deleted or not customer.active:
        raise InvoicingError({"customer": "Choose an active customer."})
    values["currency"] = values.get("currency") or customer.currency
    problem = document_currency_problem(values["currency"])
    if problem:
        raise InvoicingError({"currency": problem})
    values["series"] = check_series(values.get("series"), DocumentKind.INVOICE)
    if values.get("interval") not in Interval.values:
        raise InvoicingError({"interval": "Choose monthly, quarterly or yearly."})
    day = values.get("day_of_month")
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 31:
        raise InvoicingError({"day_of_month": "Enter a day between 1 and 31."})
    if not isinstance(values.get("start_date"), dt.date):
        raise InvoicingError({"start_date": "Enter the first date."})
    end = values.get("end_date")
    if end is not None and end < values["start_date"]:
        raise InvoicingError({"end_date": "The end cannot be before the start."})
    days = values.get("payment_terms_days", 30)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 365:
        raise InvoicingError({"payment_terms_days": "Enter between 0 and 365 days."})
    if values.get("auto_email") and not values.get("auto_issue"):
        raise InvoicingError({"auto_email": "Only issued invoices are emailed: tick auto-issue."})
    if values.get("auto_email") and not customer.email:
        raise InvoicingError({"auto_email": f"{customer.name} has no email address."})
    return values


def _write_lines(template: RecurringInvoice, rows: list[dict[str, Any]]) -> None:
    template.lines.all().delete()
    RecurringLine.objects.bulk_create(
        [RecurringLine(template=template, position=n, **row) for n, row in enumerate(rows, 1)]
    )


@transaction.atomic
def recurring_create(*, lines: list[dict[str, Any]], user=None, **fields: Any) -> RecurringInvoice:
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown recurring invoice fields: {', '.join(sorted(unknown))}")
    user = acting(user)
    values = _check_template({"auto_issue": True, "auto_email": False, **fields})
    rows = _line_rows(list(lines), values["currency"])
    template = RecurringInvoice.objects.create(**values, created_by=user)
    _write_lines(template, rows)
    audit_record(
        subject=template,
        event="recurring.created",
        actor=user,
        changes={"interval": template.interval, "lines": len(rows)},
    )
    return template


@transaction.atomic
def recurring_update(
    *, template: RecurringInvoice, lines: list[dict[str, Any]] | None = None, user=None, **changes
) -> RecurringInvoice:
    """Change a template; invoices already made keep their lines. Once a period is billed
    its schedule (start, interval, day) is fixed, so every billed period stays a date of
    the schedule (check_books) and no period can be billed again under another date."""
    unknown = set(changes) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown recurring invoice fields: {', '.join(sorted(unknown))}")
    template = RecurringInvoice.objects.select_for_update().get(pk=template.pk)
    current = {f: getattr(template, f) for f in TEMPLATE_FIELDS}
    values = _check_template({**current, **changes})
    if template.periods.exists():
        for field in SCHEDULE_FIELDS:
            if values[field] != current[field]:
                raise InvoicingError(
                    {
                        field: "Invoices were already made on this schedule: end this "
                        "template and start a new one."
                    }
                )
    rows = _line_rows(list(lines), values["currency"]) if lines is not None else None
    for key, value in values.items():
        setattr(template, key, value)
    template.save()
    if rows is not None:
        _write_lines(template, rows)
    audit_record(
        subject=template,
        event="recurring.updated",
        actor=acting(user),
        changes={k: [str(current[k]), str(v)] for k, v in values.items() if current[k] != v},
    )
    return template


# --- the run ----------------------------------------------------------------------------


def _invoice_lines(template: RecurringInvoice) -> list[dict[str, Any]]:
    return [
        {
            "description": line.description,
            "quantity": line.quantity,
            "unit": line.unit,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "tax_rate": line.tax_rate,
            "product": line.product,
        }
        for line in template.lines.select_related("tax_rate", "product")
    ]


@transaction.atomic
def recurring_period_invoice(
    *, template: RecurringInvoice, period: dt.date, user=None
) -> Invoice | None:
    """Bill one period (dated `period`): the draft, issued and emailed when the template
    says so. None when the period was billed already (by an earlier or concurrent run)."""
    from .email import document_email_send
    from .invoices import invoice_create
    from .issue import invoice_issue

    user = acting(user)
    template = (
        RecurringInvoice.objects.select_for_update(of=("self",))
        .select_related("customer", "currency", "series")
        .get(pk=template.pk)
    )
    if RecurringPeriod.objects.filter(template=template, period_date=period).exists():
        return None
    if not template.active or period not in template_dates(template, until=period):
        raise InvoicingError(f"{period:%Y-%m-%d} is not a period of {template} to invoice.")
    invoice = invoice_create(
        customer=template.customer,
        currency=template.currency,
        series=template.series,
        lines=_invoice_lines(template),
        issue_date=period,
        payment_terms_days=template.payment_terms_days,
        notes=template.notes or f"{template.name}, period of {period:%Y-%m-%d}.",
        user=user,
    )
    try:
        with transaction.atomic():
            RecurringPeriod.objects.create(template=template, period_date=period, invoice=invoice)
    except IntegrityError as exc:
        raise InvoicingError(f"{template} {period:%Y-%m-%d} is already invoiced.") from exc
    if template.auto_issue:
        invoice = invoice_issue(invoice=invoice, issue_date=period, user=user)
        if template.auto_email and template.customer.email:
            document_email_send(document=invoice, to=template.customer.email, user=user)
    audit_record(
        subject=template,
        event="recurring.invoiced",
        actor=user,
        changes={"period": period, "invoice": str(invoice)},
    )
    return invoice


@dataclass(frozen=True)
class RecurringRun:
    today: dt.date
    invoices: list[Invoice]
    errors: list[str]


def recurring_run(*, template: RecurringInvoice, today: dt.date, user=None) -> list[Invoice]:
    """Bill every period of one template due up to `today` not billed yet (catch-up)."""
    template = RecurringInvoice.objects.get(pk=template.pk)  # as stored, not as passed
    billed = set(template.periods.values_list("period_date", flat=True))
    made = []
    for period in template_dates(template, until=today):
        if period in billed:
            continue
        invoice = recurring_period_invoice(template=template, period=period, user=user)
        if invoice is not None:
            made.append(invoice)
    return made


def recurring_run_all(*, today: dt.date | None = None, now: dt.datetime | None = None):
    """The daily job over every active template; one template's error (an inactive
    customer, a missing exchange rate) is reported and the others still run."""
    today = today or company_today(now)
    invoices, errors = [], []
    templates = RecurringInvoice.objects.filter(active=True, start_date__lte=today).order_by("pk")
    for template in templates:
        try:
            invoices += recurring_run(template=template, today=today)
        except InvoicingError as exc:
            errors.append(f"{template}: {' '.join(exc.messages)}")
            logger.warning("Recurring invoice %s: %s", template.pk, exc.messages)
    return RecurringRun(today=today, invoices=invoices, errors=errors)


__all__ = [
    "RecurringRun",
    "month_day",
    "next_date",
    "period_date",
    "recurring_create",
    "recurring_period_invoice",
    "recurring_run",
    "recurring_run_all",
    "recurring_update",
    "schedule_dates",
    "template_dates",
]

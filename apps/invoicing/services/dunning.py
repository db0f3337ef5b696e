"""Dunning (DESIGN.md §11, issue 9 item 4): levels and the reminders the daily job sends.

Rules:
- Days overdue are counted in the company's time zone: `today` is the company's date of
  `now`, so 23:30 and 00:30 local time fall on different days whatever UTC says.
- A level is due when the invoice is at least its days past due and nothing at that level
  or a later one was sent. After missed days the job sends only the highest due level (the
  lower ones are passed over, never sent late).
- Never after the invoice is paid (derived from allocations, apps/invoicing/selectors.py)
  or voided: the check runs on the locked invoice row, inside the sending transaction.
- Each (invoice, level) at most once: the invoice row is locked while deciding and the
  UNIQUE (invoice, level) row is the last word, so two workers send it exactly once.
- A fee is its own small invoice, issued through the invoicing services.
- The email (with the invoice PDF) leaves from a django-q2 task queued on commit.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.core.audit import audit_record
from apps.core.models import CompanySettings
from apps.finance import money

from ..models import DunningLevel, Invoice, InvoiceStatus, Reminder, ReminderTrigger
from ..selectors import invoice_open_amount, overdue
from .common import InvoicingError, acting, check_amount
from .invoices import lock_invoice

PLACEHOLDERS = (
    "customer",
    "number",
    "issue_date",
    "due_date",
    "days_overdue",
    "total",
    "open_amount",
    "currency",
    "fee",
    "level",
    "company",
)
LEVEL_FIELDS = ("name", "days_after_due", "fee", "subject", "body", "active")


def company_today(now: dt.datetime | None = None) -> dt.date:
    """The company's date at `now` (default: the present moment)."""
    now = now or timezone.now()
    return now.astimezone(CompanySettings.load().zone).date()


# --- levels -----------------------------------------------------------------------------


def check_placeholders(text: str, field: str) -> str:
    """Refuse unknown {placeholders} and unbalanced braces now, not when the job sends."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise InvoicingError({field: "Unbalanced { or }: write {{ and }} for a brace."}) from exc
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        raise InvoicingError(
            {
                field: f"Unknown placeholder {{{unknown[0]}}}. Use: "
                + " ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                + "."
            }
        )
    return text


def _level_values(data: dict[str, Any], level: DunningLevel | None = None) -> dict[str, Any]:
    unknown = set(data) - set(LEVEL_FIELDS)
    if unknown:
        raise TypeError(f"unknown dunning level fields: {', '.join(sorted(unknown))}")
    values = dict(data)
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise InvoicingError({"name": "Name the level, e.g. First reminder."})
    if "days_after_due" in values:
        days = values["days_after_due"]
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
            raise InvoicingError({"days_after_due": "Enter between 1 and 3650 days."})
        clash = DunningLevel.objects.filter(days_after_due=days)
        if level is not None:
            clash = clash.exclude(pk=level.pk)
        if clash.exists():
            raise InvoicingError(
                {"days_after_due": f"{clash.first().name} is already sent {days} days after due."}
            )
    if "fee" in values:
        values["fee"] = check_amount(values["fee"] or Decimal("0"), "fee")
    if "subject" in values:
        values["subject"] = check_placeholders((values["subject"] or "").strip(), "subject")
        if not values["subject"]:
            raise InvoicingError({"subject": "Write the email subject."})
    if "body" in values:
        values["body"] = check_placeholders((values["body"] or "").strip(), "body")
        if not values["body"]:
            raise InvoicingError({"body": "Write the email text."})
    return values


@transaction.atomic
def dunning_level_create(
    *,
    name: str,
    days_after_due: int,
    subject: str,
    body: str,
    fee=Decimal("0"),
    active: bool = True,
    user=None,
) -> DunningLevel:
    values = _level_values(
        {
            "name": name,
            "days_after_due": days_after_due,
            "fee": fee,
            "subject": subject,
            "body": body,
            "active": active,
        }
    )
    user = acting(user)
    level = DunningLevel.objects.create(**values, created_by=user)
    audit_record(subject=level, event="dunning_level.created", actor=user, changes=values)
    return level


@transaction.atomic
def dunning_level_update(*, level: DunningLevel, user=None, **changes: Any) -> DunningLevel:
    """Change a level; reminders already sent keep what they were sent with."""
    level = DunningLevel.objects.select_for_update().get(pk=level.pk)
    values = _level_values(changes, level)
    old = {k: getattr(level, k) for k in values}
    for key, value in values.items():
        setattr(level, key, value)
    level.save()
    audit_record(
        subject=level,
        event="dunning_level.updated",
        actor=acting(user),
        changes={k: [old[k], v] for k, v in values.items() if old[k] != v},
    )
    return level


# --- what is due ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedReminder:
    invoice: Invoice
    level: DunningLevel
    days_overdue: int
    open_amount: Decimal
    passed_over: tuple[DunningLevel, ...] = ()  # lower levels a catch-up does not send


def active_levels() -> list[DunningLevel]:
    return list(DunningLevel.objects.filter(active=True).order_by("days_after_due"))


def level_due(
    levels: list[DunningLevel], days_overdue: int, last_sent_days: int | None
) -> tuple[DunningLevel | None, tuple[DunningLevel, ...]]:
    """The highest level due after `days_overdue` days and later than the last one sent,
    and the lower unsent ones it passes over (pure: the job, the preview and tests share it)."""
    floor = -1 if last_sent_days is None else last_sent_days
    due = [lvl for lvl in levels if floor < lvl.days_after_due <= days_overdue]
    if not due:
        return None, ()
    return due[-1], tuple(due[:-1])


def _last_sent(invoice_ids) -> dict[int, int]:
    return dict(
        Reminder.objects.filter(invoice_id__in=invoice_ids)
        .values("invoice_id")
        .annotate(m=Max("level__days_after_due"))
        .values_list("invoice_id", "m")
    )


def dunning_plan(*, today: dt.date) -> list[PlannedReminder]:
    """What a run on `today` (a company date) sends: one level per overdue open invoice."""
    levels = active_levels()
    if not levels:
        return []
    first = levels[0].days_after_due
    invoices = list(
        overdue(
            Invoice.objects.select_related("customer", "currency").filter(
                due_date__lte=today - dt.timedelta(days=first)
            ),
            today=today,
        ).order_by("due_date", "pk")
    )
    last = _last_sent([i.pk for i in invoices])
    plan = []
    for invoice in invoices:
        days = (today - invoice.due_date).days
        level, passed = level_due(levels, days, last.get(invoice.pk))
        if level is not None:
            plan.append(
                PlannedReminder(invoice, level, days, money.quantize(invoice.open_amount), passed)
            )
    return plan


def next_level(invoice: Invoice) -> DunningLevel | None:
    """The level "Send reminder now" sends: the first active one after the last sent."""
    last = _last_sent([invoice.pk]).get(invoice.pk)
    levels = active_levels()
    return next((lvl for lvl in levels if last is None or lvl.days_after_due > last), None)


# --- sending ----------------------------------------------------------------------------


def _fee_invoice(invoice: Invoice, level: DunningLevel, today: dt.date, user) -> Invoice | None:
    from .invoices import invoice_create
    from .issue import invoice_issue

    if not level.fee:
        return None
    draft = invoice_create(
        customer=invoice.customer,
        currency=invoice.currency,
        issue_date=today,
        lines=[
            {
                "description": f"Reminder fee ({level.name}) for invoice {invoice.number}",
                "quantity": "1",
                "unit_price": level.fee,
            }
        ],
        notes=f"Fee of the {level.name.lower()} for invoice {invoice.number}.",
        user=user,
    )
    return invoice_issue(invoice=draft, issue_date=today, user=user)


@transaction.atomic
def reminder_send(
    *,
    invoice: Invoice,
    today: dt.date | None = None,
    manual: bool = False,
    user=None,
) -> Reminder:
    """Send the due level of one invoice (the job) or its next level now (`manual`).

    Decided on the locked invoice row: a concurrent sender waits, then finds the level
    sent. Refused (InvoicingError, nothing written) when the invoice is paid, void, not
    yet overdue, or has nothing due.
    """
    user = acting(user)
    today = today or company_today()
    invoice = lock_invoice(invoice)
    if invoice.status != InvoiceStatus.ISSUED:
        raise InvoicingError(
            f"Invoice {invoice} is {invoice.get_status_display().lower()}; only issued "
            "invoices are reminded.",
            code="not_issued",
        )
    open_amount = invoice_open_amount(invoice)
    if open_amount <= 0:
        raise InvoicingError(f"Invoice {invoice} is paid; no reminder is sent.", code="paid")
    days = (today - invoice.due_date).days
    if days <= 0:
        raise InvoicingError(
            f"Invoice {invoice} is not overdue yet (due {invoice.due_date:%Y-%m-%d}).",
            code="not_overdue",
        )
    if manual:
        level = next_level(invoice)
        if level is None:
            raise InvoicingError(
                f"Every dunning level has been sent for invoice {invoice}.", code="nothing_due"
            )
    else:
        level, _ = level_due(active_levels(), days, _last_sent([invoice.pk]).get(invoice.pk))
        if level is None:
            raise InvoicingError(f"No reminder is due for invoice {invoice}.", code="nothing_due")
    to = (invoice.customer.email or "").strip()
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                invoice=invoice,
                level=level,
                sent_on=today,
                days_overdue=days,
                open_amount=open_amount,
                to=to,
                trigger=ReminderTrigger.MANUAL if manual else ReminderTrigger.JOB,
                created_by=user,
            )
    except IntegrityError as exc:  # the UNIQUE row: another sender got there first
        raise InvoicingError(
            f"{level.name} was already sent for invoice {invoice}.", code="nothing_due"
        ) from exc
    fee = _fee_invoice(invoice, level, today, user)
    if fee is not None:
        reminder.fee_invoice = fee
        reminder.save(update_fields=["fee_invoice"])
    audit_record(
        subject=invoice,
        event="invoice.reminder_sent",
        actor=user,
        changes={
            "level": level.name,
            "days_overdue": days,
            "open_amount": f"{open_amount} {invoice.currency_id}",
            "fee_invoice": fee.number if fee else "",
            "to": to,
        },
        message="" if to else "The customer has no email address: recorded, not emailed.",
    )
    if to:
        pk = reminder.pk

        def queue():
            from django_q.tasks import async_task

            async_task("apps.invoicing.tasks.reminder_email", pk, group="email")

        transaction.on_commit(queue)
    return reminder


@dataclass(frozen=True)
class DunningRun:
    today: dt.date
    sent: list[Reminder]
    refused: list[str]


def dunning_run(*, now: dt.datetime | None = None) -> DunningRun:
    """The daily job: send what `dunning_plan` says for the company's date of `now`.

    Each invoice is its own transaction, so one failure (a missing exchange rate for a
    fee) does not stop the others; an invoice another worker reminded meanwhile is
    refused by reminder_send and counted, not sent twice.
    """
    today = company_today(now)
    sent, refused = [], []
    for planned in dunning_plan(today=today):
        try:
            sent.append(reminder_send(invoice=planned.invoice, today=today))
        except InvoicingError as exc:
            refused.append(f"{planned.invoice}: {' '.join(exc.messages)}")
    return DunningRun(today=today, sent=sent, refused=refused)


# --- the email --------------------------------------------------------------------------


class _Blank(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def reminder_texts(reminder: Reminder) -> tuple[str, str]:
    """Subject and text of a reminder with its placeholders filled."""
    invoice, level = reminder.invoice, reminder.level
    values = _Blank(
        customer=invoice.billing_name or invoice.customer.name,
        number=invoice.number,
        issue_date=f"{invoice.issue_date:%Y-%m-%d}",
        due_date=f"{invoice.due_date:%Y-%m-%d}",
        days_overdue=reminder.days_overdue,
        total=f"{invoice.total}",
        open_amount=f"{reminder.open_amount}",
        currency=invoice.currency_id,
        fee=f"{level.fee}",
        level=level.name,
        company=CompanySettings.load().name,
    )
    formatter = string.Formatter()
    return (
        formatter.vformat(level.subject, (), values).replace("\n", " "),
        formatter.vformat(level.body, (), values),
    )


def reminder_emailed(*, reminder: Reminder) -> bool:
    """Claim the reminder's email (False when it was already sent: a task replay)."""
    claimed = Reminder.objects.filter(pk=reminder.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if claimed:
        audit_record(
            subject=reminder.invoice,
            event="invoice.reminder_emailed",
            changes={"level": reminder.level.name, "to": reminder.to},
        )
    return bool(claimed)


__all__ = [
    "DunningRun",
    "PlannedReminder",
    "company_today",
    "dunning_level_create",
    "dunning_level_update",
    "dunning_plan",
    "dunning_run",
    "level_due",
    "next_level",
    "reminder_emailed",
    "reminder_send",
    "reminder_texts",
]

"""Demo dunning levels, a few reminders, and two recurring invoice templates, through the
real services. Idempotent: levels by their day, templates by their name; reminders and
recurring periods are once-only by design (UNIQUE rows), so a second seed adds nothing
new on the same day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from apps.core.models import CompanySettings
from apps.core.request_context import acting_as
from apps.customers.models import Customer
from apps.finance.models import TaxRate

from . import services
from .models import DunningLevel, RecurringInvoice, Reminder
from .services.dunning import dunning_plan

LEVELS = [
    (
        "Friendly reminder",
        7,
        Decimal("0"),
        "Friendly reminder: invoice {number}",
        "Dear {customer},\n\nour invoice {number} of {issue_date} was due on {due_date}. "
        "{open_amount} {currency} is still open; perhaps it slipped through. The invoice is "
        "attached.\n\nKind regards,\n{company}",
    ),
    (
        "Second reminder",
        21,
        Decimal("5.00"),
        "Second reminder: invoice {number} is {days_overdue} days overdue",
        "Dear {customer},\n\ninvoice {number} is now {days_overdue} days overdue with "
        "{open_amount} {currency} open. A reminder fee of {fee} {currency} is invoiced "
        "separately. Please pay both within 7 days.\n\nKind regards,\n{company}",
    ),
    (
        "Final notice",
        45,
        Decimal("15.00"),
        "Final notice: invoice {number}",
        "Dear {customer},\n\ndespite our reminders, {open_amount} {currency} of invoice "
        "{number} (due {due_date}) is unpaid. Unless we receive payment within 7 days we "
        "will pass the matter on. A fee of {fee} {currency} is invoiced separately.\n\n"
        "{company}",
    ),
]
REMINDED = 4  # the demo sends a few reminders; "Tomorrow's run" shows what is left


def _accountant():
    return get_user_model().objects.filter(email="accountant@demo.test").first()


def seed_dunning(*, stdout) -> None:
    made = 0
    with acting_as(_accountant()):
        for name, days, fee, subject, body in LEVELS:
            if not DunningLevel.all_objects.filter(days_after_due=days).exists():
                services.dunning_level_create(
                    name=name, days_after_due=days, fee=fee, subject=subject, body=body
                )
                made += 1
        if Reminder.objects.exists():
            return
        today = CompanySettings.load().today()
        sent = 0
        for planned in dunning_plan(today=today)[:REMINDED]:
            try:
                services.reminder_send(invoice=planned.invoice, today=today)
                sent += 1
            except services.InvoicingError:
                continue  # e.g. no exchange rate today for a fee in another currency
    stdout.write(f"  dunning: {made} levels, {sent} reminders")


def seed_recurring(*, stdout) -> None:
    if RecurringInvoice.all_objects.exists():
        return
    company = CompanySettings.load()
    today = company.today()
    customers = list(
        Customer.objects.filter(active=True, currency_id=company.base_currency).order_by("pk")[:2]
    )
    if not customers:
        return
    standard = TaxRate.objects.filter(active=True).order_by("-rate").first()
    first_of_quarter = today.replace(day=1) - dt.timedelta(days=80)
    with acting_as(_accountant()):
        services.recurring_create(
            name="Managed hosting",
            customer=customers[0],
            interval="monthly",
            day_of_month=31,
            start_date=first_of_quarter,
            payment_terms_days=14,
            lines=[
                {
                    "description": "Managed hosting, business plan",
                    "unit": "month",
                    "quantity": "1",
                    "unit_price": "149.00",
                    "tax_rate": standard,
                },
                {"description": "Extra storage 100 GB", "quantity": "2", "unit_price": "9.50"},
            ],
        )
        services.recurring_create(
            name="Support contract",
            customer=customers[-1],
            interval="quarterly",
            day_of_month=1,
            start_date=today + dt.timedelta(days=20),
            auto_issue=False,
            lines=[
                {
                    "description": "Priority support, quarterly",
                    "quantity": "1",
                    "unit_price": "600.00",
                    "tax_rate": standard,
                }
            ],
        )
        run = services.recurring_run_all(today=today)
    stdout.write(
        f"  recurring invoices: 2 templates, {len(run.invoices)} invoices"
        + (f", {len(run.errors)} errors" if run.errors else "")
    )


__all__ = ["seed_dunning", "seed_recurring"]

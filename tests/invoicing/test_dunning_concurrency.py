"""Two workers running the dunning job at once send each (invoice, level) exactly once
(real threads against the real database: SQLite WAL + BEGIN IMMEDIATE, or PostgreSQL)."""

import datetime as dt
import zoneinfo
from collections import Counter

import pytest
from django.core import mail

from apps.invoicing import services
from apps.invoicing.models import Invoice, Reminder
from tests.inventory.test_concurrency import run_together

from .conftest import DAY, assert_books_ok, free_invoice

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
INVOICES = 6


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(7), tzinfo=PARIS)


def test_two_workers_send_each_invoice_level_exactly_once(levels, customer):
    customer.email = "ap@acme.test"
    customer.save()
    invoices = [
        services.invoice_issue(
            invoice=free_invoice(customer, ("Work", "1", f"{n}0.00", None), payment_terms_days=10),
            issue_date=DAY,
        )
        for n in range(1, INVOICES + 1)
    ]
    due = invoices[0].due_date
    mail.outbox = []
    rounds = []
    for days in (7, 14, 31):
        now = at(due + dt.timedelta(days=days))
        first, second = run_together(
            [lambda n=now: services.dunning_run(now=n), lambda n=now: services.dunning_run(now=n)]
        )
        assert not isinstance(first, Exception), first
        assert not isinstance(second, Exception), second
        rounds.append((len(first.sent) + len(second.sent), len(first.refused + second.refused)))
    # each round: every invoice reminded once; the slower worker finds it sent
    assert [sent for sent, _ in rounds] == [INVOICES, INVOICES, INVOICES]
    assert Reminder.objects.count() == 3 * INVOICES
    per_pair = Counter(Reminder.objects.values_list("invoice_id", "level__name"))
    assert set(per_pair.values()) == {1}
    assert Counter(name for _, name in per_pair) == {
        "First reminder": INVOICES,
        "Second reminder": INVOICES,
        "Final notice": INVOICES,
    }
    assert len(mail.outbox) == 3 * INVOICES  # one email per reminder, none twice
    fees = Invoice.objects.filter(fee_for_reminder__isnull=False)
    assert fees.count() == 2 * INVOICES  # the second and final levels charge a fee
    assert_books_ok()


def test_the_same_invoice_reminded_twice_at_once_is_reminded_once(levels, customer):
    invoice = services.invoice_issue(
        invoice=free_invoice(customer, ("Work", "1", "80.00", None), payment_terms_days=10),
        issue_date=DAY,
    )
    today = invoice.due_date + dt.timedelta(days=7)
    results = run_together(
        [
            lambda: services.reminder_send(invoice=invoice, today=today),
            lambda: services.reminder_send(invoice=invoice, today=today),
        ]
    )
    outcomes = sorted(type(r).__name__ for r in results)
    assert outcomes == ["InvoicingError", "Reminder"], results
    error = next(r for r in results if not isinstance(r, Reminder))
    assert error.messages == [f"No reminder is due for invoice {invoice.number}."]
    assert Reminder.objects.count() == 1


def test_two_workers_bill_each_recurring_period_once(books, customer):
    template = services.recurring_create(
        name="Hosting",
        customer=customer,
        interval="monthly",
        day_of_month=31,
        start_date=dt.date(2026, 1, 31),
        lines=[{"description": "Hosting", "quantity": "1", "unit_price": "20.00"}],
    )
    today = dt.date(2026, 4, 30)
    results = run_together([lambda: services.recurring_run_all(today=today) for _ in range(2)])
    assert sum(len(r.invoices) for r in results) == 4, results  # shared, never doubled
    assert [r.errors for r in results] == [[], []]
    periods = list(template.periods.order_by("period_date").values_list("period_date", flat=True))
    assert periods == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]
    assert Invoice.objects.count() == 4
    assert_books_ok()

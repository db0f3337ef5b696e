"""check_books' dunning and recurring invariants: pass on real rows, catch each corruption.

"Sent twice" and "invoiced twice" are also stopped by UNIQUE constraints; to show that
check_books would still see a duplicate (a restored backup, a constraint dropped by hand),
the tests drop the constraint for a moment and put it back.
"""

import contextlib
import datetime as dt

import pytest
from django.db import connection

from apps.invoicing import services
from apps.invoicing.models import RecurringPeriod, Reminder

from .conftest import DAY, free_invoice, invoicing_violations


@contextlib.contextmanager
def without_constraint(model, name):
    """SQLite rebuilds the table from the model's constraints, so the model forgets it too."""
    constraints = model._meta.constraints
    constraint = next(c for c in constraints if c.name == name)
    model._meta.constraints = [c for c in constraints if c.name != name]
    try:
        with connection.schema_editor() as editor:
            editor.remove_constraint(model, constraint)
        yield
    finally:
        model._meta.constraints = constraints
        with connection.schema_editor() as editor:
            editor.add_constraint(model, constraint)


@pytest.fixture
def reminded(levels, customer):
    invoice = services.invoice_issue(
        invoice=free_invoice(customer, ("Work", "1", "50.00", None), payment_terms_days=10),
        issue_date=DAY,
    )
    services.reminder_send(invoice=invoice, today=invoice.due_date + dt.timedelta(days=14))
    return invoice


@pytest.fixture
def billed(books, customer):
    template = services.recurring_create(
        name="Hosting",
        customer=customer,
        interval="monthly",
        day_of_month=31,
        start_date=dt.date(2026, 1, 31),
        lines=[{"description": "Hosting", "quantity": "1", "unit_price": "20.00"}],
    )
    services.recurring_run(template=template, today=dt.date(2026, 3, 31))
    return template


@pytest.mark.django_db
def test_real_reminders_and_periods_pass(reminded, billed):
    assert invoicing_violations("invoicing.dunning") == {"invoicing.dunning": []}
    assert invoicing_violations("invoicing.recurring") == {"invoicing.recurring": []}


@pytest.mark.django_db
def test_a_period_moved_off_its_schedule_is_reported(billed):
    RecurringPeriod.objects.filter(period_date=dt.date(2026, 2, 28)).update(
        period_date=dt.date(2026, 2, 27)
    )
    assert invoicing_violations("invoicing.recurring") == {
        "invoicing.recurring": ["Hosting 2026-02-27: not a date of its schedule"]
    }


@pytest.mark.django_db
def test_a_fee_billed_to_another_customer_is_reported(reminded):
    from tests.sales.factories import make_customer

    other = make_customer("Other Co")
    reminder = Reminder.objects.get()
    type(reminder.fee_invoice).all_objects.filter(pk=reminder.fee_invoice_id).update(customer=other)
    assert invoicing_violations("invoicing.dunning") == {
        "invoicing.dunning": [
            f"reminder fee {reminder.fee_invoice.number} is billed to another customer than "
            f"{reminded.number}"
        ]
    }


@pytest.mark.django_db(transaction=True)
def test_an_invoice_dunned_twice_at_one_level_is_reported(reminded):
    reminder = Reminder.objects.get()
    with without_constraint(Reminder, "reminder_once_per_invoice_level"):
        Reminder.objects.create(
            invoice=reminder.invoice,
            level=reminder.level,
            sent_on=reminder.sent_on,
            days_overdue=reminder.days_overdue,
            open_amount=reminder.open_amount,
            trigger="job",
        )
        violations = invoicing_violations("invoicing.dunning")
        Reminder.objects.exclude(pk=reminder.pk).delete()
    assert violations == {
        "invoicing.dunning": [f"invoice {reminded.number}: Second reminder sent 2 times"]
    }


@pytest.mark.django_db(transaction=True)
def test_a_recurring_period_invoiced_twice_is_reported(billed):
    period = RecurringPeriod.objects.get(period_date=dt.date(2026, 3, 31))
    spare = services.invoice_create(
        customer=billed.customer,
        lines=[{"description": "Hosting", "quantity": "1", "unit_price": "20.00"}],
    )
    with without_constraint(RecurringPeriod, "recurring_period_once"):
        RecurringPeriod.objects.create(
            template=billed, period_date=period.period_date, invoice=spare
        )
        violations = invoicing_violations("invoicing.recurring")
        RecurringPeriod.objects.filter(invoice=spare).delete()
    assert violations == {"invoicing.recurring": ["Hosting 2026-03-31: invoiced 2 times"]}

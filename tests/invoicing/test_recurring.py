"""Recurring invoices (issue 9, "Recurring"): the schedule, once per period, catch-up."""

import datetime as dt

import pytest
from django.core import mail

from apps.invoicing import services
from apps.invoicing.models import Invoice, RecurringPeriod
from apps.invoicing.services import InvoicingError
from apps.invoicing.services.recurring import next_date, schedule_dates
from tests.sales.factories import tax

from .conftest import D, assert_books_ok, invoicing_violations

pytestmark = pytest.mark.django_db
d = dt.date


def dates(start, interval, day, until, **kw):
    return schedule_dates(start=start, interval=interval, day_of_month=day, until=until, **kw)


def test_jan_31_monthly_falls_on_feb_28_then_mar_31():
    assert dates(d(2026, 1, 31), "monthly", 31, d(2026, 5, 31)) == [
        d(2026, 1, 31),
        d(2026, 2, 28),
        d(2026, 3, 31),
        d(2026, 4, 30),
        d(2026, 5, 31),
    ]


def test_jan_31_monthly_in_a_leap_year_falls_on_feb_29():
    assert dates(d(2028, 1, 31), "monthly", 31, d(2028, 3, 31)) == [
        d(2028, 1, 31),
        d(2028, 2, 29),
        d(2028, 3, 31),
    ]


def test_quarterly_and_yearly_clamp_and_come_back():
    assert dates(d(2025, 11, 30), "quarterly", 30, d(2026, 12, 31)) == [
        d(2025, 11, 30),
        d(2026, 2, 28),
        d(2026, 5, 30),
        d(2026, 8, 30),
        d(2026, 11, 30),
    ]
    assert dates(d(2028, 2, 29), "yearly", 29, d(2032, 12, 31)) == [
        d(2028, 2, 29),
        d(2029, 2, 28),
        d(2030, 2, 28),
        d(2031, 2, 28),
        d(2032, 2, 29),
    ]


def test_first_period_is_the_first_schedule_date_on_or_after_the_start_and_end_is_kept():
    assert dates(d(2026, 1, 20), "monthly", 5, d(2026, 4, 30), end=d(2026, 4, 4)) == [
        d(2026, 2, 5),
        d(2026, 3, 5),
    ]


@pytest.fixture
def template(books, customer):
    customer.email = "ap@acme.test"
    customer.save()
    return services.recurring_create(
        name="Maintenance contract",
        customer=customer,
        interval="monthly",
        day_of_month=31,
        start_date=d(2026, 1, 31),
        payment_terms_days=14,
        lines=[
            {
                "description": "Monthly maintenance",
                "quantity": "1",
                "unit_price": "200.00",
                "tax_rate": tax("20"),
            },
            {"description": "Hosting", "quantity": "2", "unit_price": "15.50"},
        ],
    )


def periods(template):
    return list(
        RecurringPeriod.objects.filter(template=template)
        .order_by("period_date")
        .values_list("period_date", "invoice__issue_date", "invoice__status")
    )


def test_next_date_comes_from_the_schedule_not_from_the_last_run(template):
    services.recurring_run(template=template, today=d(2026, 2, 28))
    assert next_date(template, after=d(2026, 2, 28)) == d(2026, 3, 31)  # not March 28
    # a run three days late does not move the following dates
    services.recurring_run(template=template, today=d(2026, 4, 3))
    assert [p[0] for p in periods(template)] == [d(2026, 1, 31), d(2026, 2, 28), d(2026, 3, 31)]
    assert next_date(template, after=d(2026, 4, 3)) == d(2026, 4, 30)


def test_job_run_twice_the_same_day_makes_one_invoice(template):
    first = services.recurring_run_all(today=d(2026, 1, 31))
    second = services.recurring_run_all(today=d(2026, 1, 31))
    assert (len(first.invoices), len(second.invoices)) == (1, 0)
    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.issue_date, invoice.due_date) == (
        "issued",
        d(2026, 1, 31),
        d(2026, 2, 14),
    )
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (
        D("231.00"),
        D("40.00"),
        D("271.00"),
    )
    assert [line.description for line in invoice.lines.all()] == [
        "Monthly maintenance",
        "Hosting",
    ]


def test_missed_three_months_makes_three_invoices_once(template):
    services.recurring_run_all(today=d(2026, 1, 31))
    # the job did not run from February to the end of April
    caught_up = services.recurring_run_all(today=d(2026, 4, 30))
    assert [i.issue_date for i in caught_up.invoices] == [
        d(2026, 2, 28),
        d(2026, 3, 31),
        d(2026, 4, 30),
    ]
    assert services.recurring_run_all(today=d(2026, 4, 30)).invoices == []
    assert services.recurring_run_all(today=d(2026, 5, 1)).invoices == []
    assert periods(template) == [
        (d(2026, 1, 31), d(2026, 1, 31), "issued"),
        (d(2026, 2, 28), d(2026, 2, 28), "issued"),
        (d(2026, 3, 31), d(2026, 3, 31), "issued"),
        (d(2026, 4, 30), d(2026, 4, 30), "issued"),
    ]
    numbers = list(Invoice.objects.order_by("issue_date").values_list("sequence", flat=True))
    assert numbers == [1, 2, 3, 4]
    assert_books_ok()
    assert invoicing_violations("invoicing.recurring") == {"invoicing.recurring": []}


def test_end_date_stops_the_periods(template):
    template = services.recurring_update(template=template, end_date=d(2026, 3, 15))
    made = services.recurring_run(template=template, today=d(2026, 6, 30))
    assert [i.issue_date for i in made] == [d(2026, 1, 31), d(2026, 2, 28)]
    assert next_date(template, after=d(2026, 3, 1)) is None


def test_without_auto_issue_the_period_waits_as_a_draft(template):
    services.recurring_update(template=template, auto_issue=False)
    services.recurring_run_all(today=d(2026, 2, 1))
    assert periods(template) == [(d(2026, 1, 31), d(2026, 1, 31), "draft")]
    assert services.recurring_run_all(today=d(2026, 2, 1)).invoices == []


def test_auto_email_queues_each_issued_invoice(template, django_capture_on_commit_callbacks):
    services.recurring_update(template=template, auto_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.recurring_run_all(today=d(2026, 2, 28))
    numbers = list(Invoice.objects.order_by("issue_date").values_list("number", flat=True))
    assert [m.subject.split(" from ")[0] for m in mail.outbox] == [f"Invoice {n}" for n in numbers]
    assert all(m.to == ["ap@acme.test"] for m in mail.outbox) and len(mail.outbox) == 2


def test_inactive_template_makes_nothing(template):
    services.recurring_update(template=template, active=False)
    assert services.recurring_run_all(today=d(2026, 6, 30)).invoices == []


def test_one_broken_template_does_not_stop_the_others(template, customer):
    from tests.sales.factories import make_customer

    other = make_customer("Other Co")
    broken = services.recurring_create(
        name="Broken",
        customer=other,
        interval="yearly",
        day_of_month=1,
        start_date=d(2026, 1, 1),
        lines=[{"description": "Licence", "quantity": "1", "unit_price": "99.00"}],
    )
    other.active = False
    other.save()
    run = services.recurring_run_all(today=d(2026, 1, 31))
    assert [i.issue_date for i in run.invoices] == [d(2026, 1, 31)]
    assert run.errors == [f"{broken}: Choose an active customer."]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"interval": "weekly"}, "interval", "Choose monthly, quarterly or yearly."),
        ({"day_of_month": 32}, "day_of_month", "Enter a day between 1 and 31."),
        ({"end_date": d(2025, 12, 31)}, "end_date", "The end cannot be before the start."),
        ({"auto_issue": False, "auto_email": True}, "auto_email", "Only issued invoices"),
        ({"lines": []}, "lines", "Add at least one line."),
        (
            {"lines": [{"description": "X", "quantity": "0", "unit_price": "1"}]},
            "quantity",
            "Enter a quantity greater than zero.",
        ),
    ],
)
def test_bad_template_input_is_refused_next_to_the_field(customer, changes, field, message):
    data = {
        "name": "T",
        "customer": customer,
        "interval": "monthly",
        "day_of_month": 1,
        "start_date": d(2026, 1, 1),
        "lines": [{"description": "X", "quantity": "1", "unit_price": "1.00"}],
        **changes,
    }
    with pytest.raises(InvoicingError) as error:
        services.recurring_create(**data)
    assert error.value.message_dict[field][0].startswith(message)


def test_schedule_of_a_template_with_invoices_cannot_move(template):
    services.recurring_run(template=template, today=d(2026, 1, 31))
    with pytest.raises(InvoicingError) as error:
        services.recurring_update(template=template, day_of_month=15)
    assert error.value.message_dict["day_of_month"] == [
        "Invoices were already made on this schedule: end this template and start a new one."
    ]
    services.recurring_update(template=template, name="Maintenance 2026")  # other fields may

"""Dunning with a controlled clock (issue 9, "Dunning with a controlled clock").

The company is in Europe/Paris (UTC+1 in March 2026). An invoice issued 2026-03-02 with 10
days' terms is due 2026-03-12; levels fall 7, 14 and 30 days after that: 03-19, 03-26,
04-11. `now` is passed into the job, so every run happens at a chosen instant.
"""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail

from apps.core.models import CompanySettings
from apps.invoicing import services
from apps.invoicing.models import Invoice, Reminder, ReminderTrigger
from apps.invoicing.services import InvoicingError
from apps.invoicing.services.dunning import level_due, reminder_texts

from .conftest import DAY, D, assert_books_ok, free_invoice

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DUE = dt.date(2026, 3, 12)


def paris(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def after_due(days: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return paris(DUE + dt.timedelta(days=days), hour, minute)


@pytest.fixture
def overdue_invoice(levels, customer):
    customer.email = "ap@acme.test"
    customer.save()
    return services.invoice_issue(
        invoice=free_invoice(customer, ("Consulting", "2", "60.00", "20"), payment_terms_days=10),
        issue_date=DAY,
    )


def run(now):
    return services.dunning_run(now=now)


def sent(invoice) -> list[tuple[str, dt.date]]:
    return list(
        Reminder.objects.filter(invoice=invoice)
        .order_by("sent_on")
        .values_list("level__name", "sent_on")
    )


def test_the_fixture_invoice_is_due_on_march_12(overdue_invoice):
    assert overdue_invoice.due_date == DUE
    assert overdue_invoice.total == D("144.00")


def test_2330_before_the_day_sends_nothing_0030_on_the_day_sends_the_level(overdue_invoice):
    before = after_due(6, 23, 30)  # 2026-03-18 23:30 Paris = 22:30 UTC
    on_the_day = after_due(7, 0, 30)  # 2026-03-19 00:30 Paris = 2026-03-18 23:30 UTC
    assert before.astimezone(dt.UTC).date() == on_the_day.astimezone(dt.UTC).date()
    assert run(before).sent == []
    assert sent(overdue_invoice) == []
    result = run(on_the_day)
    assert result.today == dt.date(2026, 3, 19)
    assert [r.level.name for r in result.sent] == ["First reminder"]
    assert sent(overdue_invoice) == [("First reminder", dt.date(2026, 3, 19))]
    assert Reminder.objects.get().days_overdue == 7
    # 23:30 the same Paris day (22:30 UTC): the level is not sent a second time
    assert run(after_due(7, 23, 30)).sent == []
    assert Reminder.objects.count() == 1


def test_job_skipped_for_five_days_then_run_once_sends_the_missed_level_once(overdue_invoice):
    run(after_due(7))
    for day in (8, 9, 10, 11):
        assert run(after_due(day)).sent == []
    # down on days 12-16 (the second level fell due on day 14), back on day 17
    result = run(after_due(17))
    assert [(r.level.name, r.days_overdue) for r in result.sent] == [("Second reminder", 17)]
    assert run(after_due(17, 18)).sent == []
    assert sent(overdue_invoice) == [
        ("First reminder", dt.date(2026, 3, 19)),
        ("Second reminder", dt.date(2026, 3, 29)),
    ]


def test_catch_up_sends_only_the_highest_due_level(overdue_invoice):
    plan = services.dunning_plan(today=DUE + dt.timedelta(days=31))
    assert [(p.level.name, [x.name for x in p.passed_over]) for p in plan] == [
        ("Final notice", ["First reminder", "Second reminder"])
    ]
    result = run(after_due(31))
    assert [r.level.name for r in result.sent] == ["Final notice"]
    for day in range(32, 40):
        assert run(after_due(day)).sent == []
    assert sent(overdue_invoice) == [("Final notice", dt.date(2026, 4, 12))]
    fee = Reminder.objects.get().fee_invoice
    assert (fee.total, fee.currency_id, fee.customer_id) == (
        D("10.00"),
        "USD",
        overdue_invoice.customer_id,
    )
    assert fee.issue_date == dt.date(2026, 4, 12)
    assert fee.status == "issued"
    assert fee.lines.get().description == (
        f"Reminder fee (Final notice) for invoice {overdue_invoice.number}"
    )
    overdue_invoice.refresh_from_db()
    assert overdue_invoice.total == D("144.00")  # the reminded invoice is never edited
    assert_books_ok()


def test_fee_invoice_is_not_itself_dunned_before_its_own_due_date(overdue_invoice):
    run(after_due(14))
    fee = Reminder.objects.get().fee_invoice
    assert fee.total == D("5.00")
    plan = services.dunning_plan(today=DUE + dt.timedelta(days=20))
    assert [p.invoice for p in plan] == []  # first has level 2; the fee is not 7 days late


def test_payment_arriving_between_two_runs_stops_the_next_level(overdue_invoice):
    run(after_due(7))
    note = services.credit_note_create(invoice=overdue_invoice, reason="Settled in full")
    services.credit_note_issue(credit_note=note, issue_date=DUE + dt.timedelta(days=10))
    for day in (14, 20, 30, 45):
        assert run(after_due(day)).sent == []
    assert sent(overdue_invoice) == [("First reminder", dt.date(2026, 3, 19))]


def test_a_recorded_payment_between_two_runs_stops_the_next_level(overdue_invoice):
    run(after_due(7))
    services.payment_record(
        customer=overdue_invoice.customer,
        amount=overdue_invoice.total,
        currency=overdue_invoice.currency,
        exchange_rate=overdue_invoice.exchange_rate,
        date=DUE + dt.timedelta(days=10),
        allocations={overdue_invoice: overdue_invoice.total},
    )
    for day in (14, 20, 30, 45):
        assert run(after_due(day)).sent == []
    assert sent(overdue_invoice) == [("First reminder", dt.date(2026, 3, 19))]
    assert_books_ok()


def test_a_partial_payment_keeps_reminding_with_the_open_amount(overdue_invoice):
    services.payment_record(
        customer=overdue_invoice.customer,
        amount=D("100.00"),
        currency=overdue_invoice.currency,
        exchange_rate=overdue_invoice.exchange_rate,
        date=DUE,
        allocations={overdue_invoice: D("100.00")},
    )
    result = run(after_due(7))
    assert [(r.level.name, r.open_amount) for r in result.sent] == [
        ("First reminder", overdue_invoice.total - D("100.00"))
    ]


def test_partial_settlement_keeps_reminding_with_the_open_amount(overdue_invoice):
    line = overdue_invoice.lines.get()
    note = services.credit_note_create(
        invoice=overdue_invoice, reason="One day less", quantities={line.pk: "1"}
    )
    services.credit_note_issue(credit_note=note, issue_date=DUE)
    result = run(after_due(7))
    assert [(r.level.name, r.open_amount) for r in result.sent] == [("First reminder", D("72.00"))]


def test_paid_invoice_is_never_reminded(overdue_invoice):
    note = services.credit_note_create(invoice=overdue_invoice, reason="Paid before due")
    services.credit_note_issue(credit_note=note, issue_date=DAY)
    for day in (7, 14, 30, 60):
        assert services.dunning_plan(today=DUE + dt.timedelta(days=day)) == []
        assert run(after_due(day)).sent == []
    with pytest.raises(InvoicingError, match="is paid; no reminder is sent"):
        services.reminder_send(invoice=overdue_invoice, manual=True, today=DUE + dt.timedelta(30))
    assert Reminder.objects.count() == 0


def test_void_invoice_is_never_reminded(overdue_invoice):
    services.invoice_void(invoice=overdue_invoice, reason="Wrong customer")
    assert run(after_due(31)).sent == []
    with pytest.raises(InvoicingError, match="is void; only issued invoices are reminded"):
        services.reminder_send(invoice=overdue_invoice, manual=True, today=DUE + dt.timedelta(30))


def test_inactive_level_is_not_sent(overdue_invoice, levels):
    services.dunning_level_update(level=levels[0], active=False)
    assert run(after_due(7)).sent == []
    assert [r.level.name for r in run(after_due(14)).sent] == ["Second reminder"]


def test_send_reminder_now_sends_the_next_level_once(overdue_invoice):
    today = DUE + dt.timedelta(days=2)
    reminder = services.reminder_send(invoice=overdue_invoice, manual=True, today=today)
    assert (reminder.level.name, reminder.trigger, reminder.days_overdue) == (
        "First reminder",
        ReminderTrigger.MANUAL,
        2,
    )
    # the job does not send the first level again on day 7, and sends the second on day 14
    assert run(after_due(7)).sent == []
    assert [r.level.name for r in run(after_due(14)).sent] == ["Second reminder"]
    services.reminder_send(invoice=overdue_invoice, manual=True, today=DUE + dt.timedelta(15))
    with pytest.raises(InvoicingError, match="Every dunning level has been sent"):
        services.reminder_send(invoice=overdue_invoice, manual=True, today=DUE + dt.timedelta(16))
    assert Reminder.objects.count() == 3


def test_not_overdue_invoice_cannot_be_reminded(overdue_invoice):
    with pytest.raises(InvoicingError, match=r"is not overdue yet \(due 2026-03-12\)"):
        services.reminder_send(invoice=overdue_invoice, manual=True, today=DUE)


def test_reminder_email_carries_the_invoice_pdf_and_the_filled_text(
    overdue_invoice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run(after_due(14))
    message = mail.outbox[-1]
    number = overdue_invoice.number
    assert message.to == ["ap@acme.test"]
    assert message.subject == f"Second reminder: {number}"
    assert message.body == "Dear Acme Retail, a fee of 5.00 USD applies."
    fee = Reminder.objects.get().fee_invoice
    assert [a[0] for a in message.attachments] == [f"{number}.pdf", f"{fee.number}.pdf"]
    assert all(a[1][:5] == b"%PDF-" and a[2] == "application/pdf" for a in message.attachments)
    reminder = Reminder.objects.get()
    assert reminder.emailed_at is not None
    # a replay of the task sends nothing
    from apps.invoicing.tasks import reminder_email

    count = len(mail.outbox)
    assert reminder_email(reminder.pk) == "nothing to send"
    assert len(mail.outbox) == count


def test_texts_fill_every_placeholder(overdue_invoice):
    run(after_due(7))
    subject, body = reminder_texts(Reminder.objects.get())
    number = overdue_invoice.number
    assert subject == f"Reminder: invoice {number} is 7 days overdue"
    company = CompanySettings.load().name
    assert body == (
        f"Dear Acme Retail, 144.00 USD of invoice {number} (due 2026-03-12) is still open.\n"
        f"{company}"
    )


def test_invoice_timeline_shows_each_reminder(overdue_invoice):
    from apps.core.audit import events_for

    run(after_due(7))
    run(after_due(14))
    events = [
        (e.event, e.changes["level"])
        for e in events_for(overdue_invoice)
        if e.event == "invoice.reminder_sent"
    ]
    assert events == [
        ("invoice.reminder_sent", "Second reminder"),
        ("invoice.reminder_sent", "First reminder"),
    ]


def test_customer_without_email_is_recorded_not_emailed(
    levels, customer, django_capture_on_commit_callbacks
):
    invoice = services.invoice_issue(
        invoice=free_invoice(customer, ("Work", "1", "10.00", None), payment_terms_days=10),
        issue_date=DAY,
    )
    with django_capture_on_commit_callbacks(execute=True):
        run(after_due(7))
    reminder = Reminder.objects.get(invoice=invoice)
    assert (reminder.to, reminder.emailed_at) == ("", None)
    assert mail.outbox == []


def test_level_due_is_pure():
    class L:
        def __init__(self, days):
            self.days_after_due = days

    a, b, c = L(7), L(14), L(30)
    assert level_due([a, b, c], 6, None) == (None, ())
    assert level_due([a, b, c], 7, None) == (a, ())
    assert level_due([a, b, c], 31, None) == (c, (a, b))
    assert level_due([a, b, c], 31, 14) == (c, ())
    assert level_due([a, b, c], 20, 14) == (None, ())


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("subject", "Invoice {nummer}", "Unknown placeholder {nummer}."),
        ("body", "Open: {open_amount", "Unbalanced { or }: write {{ and }} for a brace."),
        ("days_after_due", 0, "Enter between 1 and 3650 days."),
        ("days_after_due", 7, "First reminder is already sent 7 days after due."),
        ("fee", "-1", "The amount cannot be negative."),
        ("name", " ", "Name the level, e.g. First reminder."),
    ],
)
def test_bad_level_input_is_refused_next_to_the_field(levels, field, value, message):
    data = {"name": "New", "days_after_due": 45, "subject": "S", "body": "B", field: value}
    with pytest.raises(InvoicingError) as error:
        services.dunning_level_create(**data)
    assert error.value.message_dict[field][0].startswith(message)
    assert len(levels) == 3 and Invoice.objects.count() == 0

"""seed_demo's invoices: two series, two currencies, voids, credit notes from returns;
idempotent and consistent with every invariant of the books."""

from decimal import Decimal
from io import StringIO

import pytest
from django.db.models import Count

from apps.core.books import registered_checks
from apps.invoicing import demo
from apps.invoicing.models import CreditNote, Invoice, InvoiceStatus, Payment
from apps.invoicing.selectors import with_balances
from apps.invoicing.selectors_payments import with_credit
from tests.sales.test_demo import seed_all

pytestmark = pytest.mark.django_db


def test_demo_invoices_keep_the_books_and_are_idempotent():
    seed_all()
    demo.seed(stdout=StringIO())
    issued = Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
    by_series = dict(issued.values_list("series__code").annotate(n=Count("pk")))
    assert set(by_series) == {"INV", "EXP"}
    assert issued.values("currency").distinct().count() >= 2
    assert issued.filter(status=InvoiceStatus.VOID).exists()
    assert CreditNote.objects.filter(return_doc__isnull=False).exists()
    payments = Payment.objects.all()
    assert payments.filter(allocations__isnull=True).count() == 1  # the reversed one
    assert with_credit(payments.filter(status="posted")).filter(credit_left__gt=0).count() == 1
    assert payments.exclude(currency_id="USD").count() == 1
    assert payments.filter(status="reversed").count() == 1
    partial = with_balances(Invoice.objects.filter(allocations__payment__isnull=False))
    assert partial.filter(open_amount__gt=0).exists()
    counts = (Invoice.objects.count(), CreditNote.objects.count(), payments.count())
    demo.seed(stdout=StringIO())
    assert (Invoice.objects.count(), CreditNote.objects.count(), payments.count()) == counts
    problems = {
        c.name: c.func().violations[:3]
        for c in registered_checks()
        if c.name.split(".")[0] in ("invoicing", "ledger", "sales")
    }
    assert {name: v for name, v in problems.items() if v} == {}


def test_demo_dunning_levels_reminders_and_recurring_invoices():
    from apps.invoicing.models import DunningLevel, RecurringInvoice, RecurringPeriod, Reminder

    seed_all()
    demo.seed(stdout=StringIO())
    assert list(DunningLevel.objects.values_list("days_after_due", "fee")) == [
        (7, Decimal("0.00")),
        (21, Decimal("5.00")),
        (45, Decimal("15.00")),
    ]
    reminders = Reminder.objects.count()
    assert 1 <= reminders <= 4
    assert sorted(RecurringInvoice.objects.values_list("name", flat=True)) == [
        "Managed hosting",
        "Support contract",
    ]
    periods = RecurringPeriod.objects.count()
    assert periods >= 2  # the monthly template started about three months ago
    demo.seed(stdout=StringIO())
    assert (Reminder.objects.count(), RecurringPeriod.objects.count()) == (reminders, periods)
    problems = {
        c.name: c.func().violations[:3]
        for c in registered_checks()
        if c.name.split(".")[0] in ("invoicing", "ledger")
    }
    assert {name: v for name, v in problems.items() if v} == {}

"""seed_demo's invoices: two series, two currencies, voids, credit notes from returns;
idempotent and consistent with every invariant of the books."""

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

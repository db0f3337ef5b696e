"""check_books' invoicing checks: pass on real documents, catch each corruption exactly."""

from decimal import Decimal

import pytest

from apps.core.models import NumberSequence
from apps.invoicing import services
from apps.invoicing.models import Invoice, InvoiceLine
from apps.ledger import chart
from apps.ledger.models import Account

from .conftest import DAY, D, free_invoice, invoicing_violations

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(customer):
    first = services.invoice_issue(
        invoice=free_invoice(customer, ("Work", "2", "50.00", "20")), issue_date=DAY
    )
    second = services.invoice_issue(
        invoice=free_invoice(customer, ("More", "1", "10.00", None)), issue_date=DAY
    )
    return first, second


def test_real_documents_pass(issued):
    assert invoicing_violations() == {
        "invoicing.bank": [],
        "invoicing.dunning": [],
        "invoicing.hash_chain": [],
        "invoicing.numbering": [],
        "invoicing.payments": [],
        "invoicing.receivables": [],
        "invoicing.recurring": [],
        "invoicing.tax_payable": [],
        "invoicing.totals": [],
    }


def test_a_raw_update_of_an_issued_invoice_breaks_the_hash_chain(issued):
    first, _ = issued
    InvoiceLine.objects.filter(invoice=first).update(description="Work (edited)")
    assert invoicing_violations()["invoicing.hash_chain"] == [
        "invoice INV-2026-00001: content does not match its hash (edited after issue)"
    ]


def test_a_changed_total_is_reported(issued):
    first, _ = issued
    Invoice.objects.filter(pk=first.pk).update(total=D("121.00"), net_total=D("101.00"))
    violations = invoicing_violations()
    assert violations["invoicing.totals"] == [
        "invoice INV-2026-00001: net_total 101.00, lines say 100.00",
        "invoice INV-2026-00001: total 121.00, lines say 120.00",
    ]
    assert (
        "invoice INV-2026-00001: content does not match its hash (edited after issue)"
        in (violations["invoicing.hash_chain"])
    )


def test_a_gap_in_the_numbers_is_reported(issued):
    NumberSequence.objects.filter(name="INV-2026").update(last_value=3)
    assert invoicing_violations()["invoicing.numbering"] == [
        "INV-2026: 2 numbers, counter at 3, missing [3]"
    ]


def test_ar_that_differs_from_the_receivable_is_reported(issued, customer):
    Account.objects.filter(code=chart.AR).update(balance=Decimal("999.00"))
    assert invoicing_violations()["invoicing.receivables"] == [
        "Accounts Receivable balance 999.00 ≠ receivables 130.00"
    ]
    Account.objects.filter(code=chart.AR).update(balance=Decimal("130.00"))
    Invoice.objects.filter(number="INV-2026-00002").update(total_base=D("11.00"))
    assert invoicing_violations()["invoicing.receivables"] == [
        f"{customer.code}: AR says 130.00, receivable says 131.00",
        "Accounts Receivable balance 130.00 ≠ receivables 131.00",
    ]


def test_an_unposted_opening_balance_is_reported(issued, customer):
    type(customer).objects.filter(pk=customer.pk).update(opening_balance=D("5.00"))
    assert invoicing_violations()["invoicing.receivables"] == [
        f"{customer.code}: opening balance 5.00, posted 0.00"
    ]


def test_tax_payable_that_differs_from_output_tax_is_reported(issued):
    Account.objects.filter(code=chart.TAX_PAYABLE).update(balance=Decimal("21.00"))
    assert invoicing_violations()["invoicing.tax_payable"] == [
        "Tax Payable 21.00 ≠ output tax 20.00 - credit notes 0.00 = 20.00"
    ]


def test_a_stored_credit_left_that_differs_from_the_allocations_is_reported(issued, customer):
    from apps.invoicing.models import Payment

    first, _ = issued
    payment = services.payment_record(
        customer=customer, amount="150.00", date=DAY, allocations={first: "110.00"}
    )
    assert invoicing_violations()["invoicing.payments"] == []
    Payment.objects.filter(pk=payment.pk).update(unapplied=Decimal("0.00"))
    assert invoicing_violations()["invoicing.payments"] == [
        f"payment {payment.number}: stored credit left 0.00, computed 40.00"
    ]

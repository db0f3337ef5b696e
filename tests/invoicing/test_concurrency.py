"""Real threads against the real database (SQLite WAL + BEGIN IMMEDIATE, or PostgreSQL)."""

from collections import Counter

import pytest

from apps.invoicing import services
from apps.invoicing.models import Invoice, InvoiceStatus
from apps.invoicing.services import InvoicingError
from apps.ledger.models import JournalEntry
from tests.inventory.test_concurrency import run_together

from .conftest import DAY, assert_books_ok, free_invoice

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_twenty_drafts_issued_at_once_are_numbered_one_to_twenty(customer):
    drafts = [free_invoice(customer, ("Work", "1", f"{n}.00", "20")) for n in range(1, 21)]
    results = run_together(
        [lambda d=d: services.invoice_issue(invoice=d, issue_date=DAY) for d in drafts]
    )
    assert Counter(type(r).__name__ for r in results) == {"Invoice": 20}
    numbers = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert numbers == list(range(1, 21))
    positions = sorted(Invoice.objects.values_list("chain_position", flat=True))
    assert positions == list(range(1, 21))
    assert_books_ok()


def test_the_same_draft_issued_twice_at_once_is_issued_once(customer):
    for _ in range(3):
        draft = free_invoice(customer, ("Work", "1", "10.00", None))
        first, second = run_together(
            [
                lambda d=draft: services.invoice_issue(invoice=d),
                lambda d=draft: services.invoice_issue(invoice=d),
            ]
        )
        outcomes = sorted(type(r).__name__ for r in (first, second))
        assert outcomes == ["Invoice", "InvoicingError"], (first, second)
        error = first if isinstance(first, InvoicingError) else second
        assert "is already issued" in error.messages[0]
    assert Invoice.objects.filter(status=InvoiceStatus.ISSUED).count() == 3
    assert JournalEntry.objects.count() == 3
    assert_books_ok()

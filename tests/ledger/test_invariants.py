"""check_books' ledger checks: pass on real postings, catch each kind of corruption."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models.query import QuerySet

from apps.core.books import registered_checks
from apps.ledger import chart
from apps.ledger.models import Account, JournalEntry, JournalLine
from apps.ledger.services import Cr, Dr, journal_post, journal_reverse

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def ledger_results(prefix: str = "ledger."):
    """This app's checks only (other apps' checks may need tables this test does not touch)."""
    return {c.name: c.func() for c in registered_checks() if c.name.startswith(prefix)}


@pytest.fixture
def entry(books):
    entry = journal_post(
        date=DAY, memo="Sale", lines=[Dr(chart.AR, "50.00"), Cr(chart.SALES_REVENUE, "50.00")]
    )
    journal_reverse(entry=entry)
    journal_post(date=DAY, memo="Cash", lines=[Dr(chart.CASH, "9.99"), Cr(chart.BANK, "9.99")])
    return entry


def test_real_postings_pass_every_ledger_check(entry):
    results = ledger_results()
    assert set(results) == {
        "ledger.account_balances",
        "ledger.entries_balanced",
        "ledger.entry_totals",
        "ledger.references",
        "ledger.reversals",
        "ledger.trial_balance_zero",
    }
    assert all(r.ok for r in results.values()), {n: r.violations for n, r in results.items()}
    assert results["ledger.entries_balanced"].counted == 3
    assert results["ledger.entry_totals"].counted == 3
    assert results["ledger.reversals"].counted == 1


def test_a_tampered_balance_is_reported(entry):
    Account.objects.filter(code=chart.CASH).update(balance=Decimal("10.00"))
    results = ledger_results()
    assert results["ledger.account_balances"].violations == [
        "1000 Cash: stored balance 10.00, lines say 9.99"
    ]
    assert results["ledger.trial_balance_zero"].violations == [
        "stored balances do not net to zero: off by 0.01"
    ]


def test_a_tampered_entry_amount_is_reported(entry):
    # past the append-only queryset, as a hand edit in the database would be
    QuerySet.update(JournalEntry.objects.filter(pk=entry.pk), total=Decimal("49.99"))
    lineless = JournalEntry(date=DAY, memo="forged", currency_id="USD", rate=1, total=5)
    JournalEntry.objects.bulk_create([lineless])
    assert ledger_results()["ledger.entry_totals"].violations == [
        f"entry {entry.pk}: stored amount 49.99, lines say 50.00",
        f"entry {lineless.pk}: stored amount 5.00, it has no lines",
    ]


def test_an_unbalanced_entry_is_reported(books):
    bad = JournalEntry(date=DAY, memo="forged", currency_id="USD", rate=1)
    JournalEntry.objects.bulk_create([bad])
    ar = Account.objects.get(code=chart.AR)
    JournalLine.objects.bulk_create(
        [JournalLine(entry=bad, account=ar, debit=Decimal("5"), base_debit=Decimal("5"))]
    )
    results = ledger_results()
    assert results["ledger.entries_balanced"].violations == [
        f"entry {bad.pk}: debits 5.00 / credits 0.00 (base 5.00 / 0.00), 1 line(s)"
    ]
    assert results["ledger.trial_balance_zero"].violations == [
        "all lines: debits 5.00 ≠ credits 0.00"
    ]


def test_an_entry_with_an_unknown_currency_or_source_type_is_reported(entry):
    """The database does not enforce these two references (see JournalEntry)."""
    bad = JournalEntry(date=DAY, memo="x", currency_id="XXX", rate=1)
    unknown_type = JournalEntry(
        date=DAY, memo="y", currency_id="USD", rate=1, source_type_id=999999
    )
    JournalEntry.objects.bulk_create([bad, unknown_type])
    assert set(ledger_results()["ledger.references"].violations) == {
        f"entry {bad.pk}: currency 'XXX' or source type None does not exist",
        f"entry {unknown_type.pk}: currency 'USD' or source type 999999 does not exist",
    }


def test_database_refuses_a_line_with_both_sides(books):
    from django.db import IntegrityError, transaction

    entry = JournalEntry(date=DAY, memo="x", currency_id="USD", rate=1)
    JournalEntry.objects.bulk_create([entry])
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalLine.objects.bulk_create(
            [
                JournalLine(
                    entry=entry, account=Account.objects.get(code=chart.AR), debit=1, credit=1
                )
            ]
        )


def test_books_check_page_shows_the_ledger_and_credit_checks(client_for, entry):
    from django.urls import reverse

    from apps.core.books import run_checks

    ok, results = run_checks(triggered_by="test")
    names = {r.name for r in results}
    assert {"ledger.entries_balanced", "credit.balance_equals_ledger"} <= names
    page = client_for("Accountant").get(reverse("books-check"))
    body = page.content.decode()
    for name in ("ledger.account_balances", "ledger.trial_balance_zero", "credit.applied_once"):
        assert f'<code class="text-break">{name}</code>' in body

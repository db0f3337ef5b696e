import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction

from apps.core.models import AuditEvent
from apps.finance.models import ExchangeRate, TaxRate
from apps.ledger import chart
from apps.ledger.models import Account, JournalEntry, JournalLine
from apps.ledger.selectors import AccountNotFound, account_by_code, balance_from_lines
from apps.ledger.services import Cr, Dr, Line, PostingError, journal_post, journal_reverse

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def balances(*codes):
    return [Account.objects.get(code=c).balance for c in codes]


def post_sale(amount="120.00", tax="20.00", **kwargs):
    net = Decimal(amount) - Decimal(tax)
    return journal_post(
        date=DAY,
        memo="Invoice 1",
        lines=[Dr(chart.AR, amount), Cr(chart.SALES_REVENUE, net), Cr(chart.TAX_PAYABLE, tax)],
        **kwargs,
    )


def test_post_moves_balances_on_each_accounts_normal_side(books):
    entry = post_sale()
    assert balances(chart.AR, chart.SALES_REVENUE, chart.TAX_PAYABLE) == [
        Decimal("120.00"),
        Decimal("100.00"),
        Decimal("20.00"),
    ]
    lines = list(entry.lines.order_by("id").values_list("debit", "credit", "base_debit"))
    assert lines == [
        (Decimal("120.00"), Decimal("0.00"), Decimal("120.00")),
        (Decimal("0.00"), Decimal("100.00"), Decimal("0.00")),
        (Decimal("0.00"), Decimal("20.00"), Decimal("0.00")),
    ]
    assert (entry.currency_id, entry.rate) == ("USD", Decimal("1"))
    event = AuditEvent.objects.get(event="ledger.entry_posted")
    assert event.object_id == str(entry.pk)
    assert event.changes["lines"] == [
        ["1100", "120.00", "0.00"],
        ["4000", "0.00", "100.00"],
        ["2200", "0.00", "20.00"],
    ]


def test_source_document_and_lookup_by_code(books):
    tax = TaxRate.objects.create(name="Any document", rate=Decimal("5"))
    entry = post_sale(source=tax, reference="INV-1")
    assert list(JournalEntry.objects.for_source(tax)) == [entry]
    assert entry.source == tax
    assert account_by_code(chart.CHARGE_REVENUE).name == "Charge Revenue"
    with pytest.raises(AccountNotFound, match="No account with code 9999"):
        account_by_code("9999")


def test_balance_from_lines_matches_stored_balance(books):
    post_sale()
    post_sale(amount="60.00", tax="10.00")
    revenue = Account.objects.get(code=chart.SALES_REVENUE)
    assert revenue.balance == balance_from_lines(revenue) == Decimal("150.00")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([Dr(chart.AR, "10.00"), Cr(chart.SALES_REVENUE, "9.99")], "does not balance"),
        ([Dr(chart.AR, "10.00")], "at least two lines"),
        ([Dr(chart.AR, "0"), Cr(chart.SALES_REVENUE, "0")], "greater than zero"),
        ([Dr(chart.AR, "-5"), Cr(chart.SALES_REVENUE, "-5")], "amounts are positive"),
        ([Dr(chart.AR, "1.005"), Cr(chart.SALES_REVENUE, "1.005")], "at most 2 decimal"),
        ([Dr(chart.AR, "NaN"), Cr(chart.SALES_REVENUE, "NaN")], "finite"),
        ([Dr(chart.AR, "Infinity"), Cr(chart.SALES_REVENUE, "1")], "finite"),
        ([Dr(chart.AR, "1e17"), Cr(chart.SALES_REVENUE, "1e17")], "too large"),
        ([Dr(chart.AR, 1.5), Cr(chart.SALES_REVENUE, 1.5)], "never float"),
        ([Dr("9999", "5"), Cr(chart.SALES_REVENUE, "5")], "Unknown account: 9999"),
        ([Dr(chart.SELLER_CREDIT, "5"), Cr(chart.SALES_REVENUE, "5")], "group account"),
        (
            [Line(account=chart.AR, debit="5", credit="5"), Cr(chart.SALES_REVENUE, "5")],
            "not both",
        ),
    ],
)
def test_refused_entries_write_nothing(books, lines, message):
    with pytest.raises(PostingError, match=message):
        journal_post(date=DAY, memo="Bad", lines=lines)
    assert not JournalEntry.objects.exists()
    assert not JournalLine.objects.exists()
    assert set(Account.objects.values_list("balance", flat=True)) == {Decimal("0.00")}


def test_inactive_account_and_missing_rate_are_refused(books):
    Account.objects.filter(code=chart.CASH).update(active=False)
    with pytest.raises(PostingError, match="inactive"):
        journal_post(date=DAY, memo="x", lines=[Dr(chart.CASH, "1"), Cr(chart.BANK, "1")])
    with pytest.raises(PostingError, match="No exchange rate for EUR on or before 2026-03-02"):
        journal_post(
            date=DAY, memo="x", currency="EUR", lines=[Dr(chart.AR, "1"), Cr(chart.BANK, "1")]
        )
    assert not JournalEntry.objects.exists()


def _post_eur_cents():
    """A EUR sale of two cents whose lines each round to a base cent (rate 1.5 on DAY)."""
    return journal_post(
        date=DAY,
        memo="EUR sale",
        currency="EUR",
        lines=[
            Dr(chart.AR, "0.02"),
            Cr(chart.SALES_REVENUE, "0.01"),
            Cr(chart.TAX_PAYABLE, "0.01"),
        ],
    )


def test_foreign_currency_rounds_per_line_and_still_balances_in_base(books):
    ExchangeRate.objects.create(currency_id="EUR", date=DAY, rate=Decimal("1.5"))
    entry = _post_eur_cents()
    lines = list(entry.lines.order_by("id").values_list("base_debit", "base_credit"))
    # 0.01 x 1.5 = 0.015 -> 0.02 per credit line; the debit (0.03) absorbs the cent.
    assert lines == [
        (Decimal("0.04"), Decimal("0.00")),
        (Decimal("0.00"), Decimal("0.02")),
        (Decimal("0.00"), Decimal("0.02")),
    ]
    assert entry.rate == Decimal("1.5")
    assert balances(chart.AR) == [Decimal("0.04")]


def test_posted_entries_and_lines_are_immutable(books):
    entry = post_sale()
    entry.memo = "changed"
    with pytest.raises(TypeError, match="cannot be changed"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        JournalEntry.objects.filter(pk=entry.pk).update(memo="x")
    with pytest.raises(TypeError, match="append-only"):
        JournalLine.objects.all().delete()
    with pytest.raises(TypeError, match="cannot be deleted"):
        entry.delete()
    assert JournalEntry.objects.get().memo == "Invoice 1"


def test_reverse_mirrors_the_entry_once(books, make_user):
    entry = post_sale()
    user = make_user("Accountant")
    reversal = journal_reverse(entry=entry, memo="Wrong customer", posted_by=user)
    assert reversal.reverses == entry
    assert reversal.posted_by == user
    assert sorted(reversal.lines.values_list("account__code", "debit", "credit")) == [
        ("1100", Decimal("0.00"), Decimal("120.00")),
        ("2200", Decimal("20.00"), Decimal("0.00")),
        ("4000", Decimal("100.00"), Decimal("0.00")),
    ]
    assert balances(chart.AR, chart.SALES_REVENUE, chart.TAX_PAYABLE) == [Decimal("0.00")] * 3
    with pytest.raises(PostingError, match="already been reversed"):
        journal_reverse(entry=entry)
    with pytest.raises(PostingError, match="itself a reversal"):
        journal_reverse(entry=reversal)
    assert JournalEntry.objects.count() == 2


def test_posting_joins_the_callers_transaction(books):
    with pytest.raises(RuntimeError), transaction.atomic():
        post_sale()
        raise RuntimeError("the order failed after posting")
    assert not JournalEntry.objects.exists()
    assert balances(chart.AR) == [Decimal("0.00")]


def test_a_refused_entry_does_not_doom_the_callers_transaction(books):
    with transaction.atomic():
        with pytest.raises(PostingError):
            journal_post(date=DAY, memo="bad", lines=[Dr(chart.AR, "1"), Cr(chart.BANK, "2")])
        post_sale()  # still usable: validation fails before any write
    assert JournalEntry.objects.count() == 1


def test_post_query_count(books, django_assert_num_queries):
    ar, revenue = Account.objects.get(code=chart.AR), Account.objects.get(code=chart.SALES_REVENUE)
    post_sale()  # warm the content-type cache
    # company settings, currency, 2 inserts, one UPDATE of both balances, audit event; on
    # PostgreSQL the inserts and the balances are one statement
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 6):
        journal_post(date=DAY, memo="x", lines=[Dr(ar, "5.00"), Cr(revenue, "5.00")])


def test_every_posting_stores_its_amount_on_the_entry(books):
    """JournalEntry.total (the journal's amount and its sort) is written with the entry by
    journal_post and journal_reverse: the sum of its base debits, after the cent a
    conversion leaves is absorbed."""
    ExchangeRate.objects.create(currency_id="EUR", date=DAY, rate=Decimal("1.5"))
    sale = post_sale()
    eur = _post_eur_cents()
    reversal = journal_reverse(entry=eur)
    stored = dict(JournalEntry.objects.values_list("pk", "total"))
    assert stored == {
        sale.pk: Decimal("120.00"),
        eur.pk: Decimal("0.04"),
        reversal.pk: Decimal("0.04"),
    }
    for entry in (sale, eur, reversal):
        assert stored[entry.pk] == sum(entry.lines.values_list("base_debit", flat=True))

"""The big lists' searches (apps/core/search.py): the same rows as `icontains` through the
join, short searches bounded to the latest dates with a note, and on PostgreSQL each part
of a search read from its own index."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core import search
from apps.core.models import AuditAction, AuditEvent
from apps.customers import selectors as customer_selectors
from apps.finance.models import Currency
from apps.ledger import chart
from apps.ledger.chart import chart_ensure
from apps.ledger.models import JournalEntry
from apps.ledger.selectors import entries_matching
from apps.ledger.services import Cr, Dr, journal_post
from apps.sales.models import Order
from tests.binding import client_binding, plan
from tests.sales.factories import make_customer, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(db):
    Currency.objects.get_or_create(code="USD", defaults={"name": "US Dollar", "minor_units": 2})
    chart_ensure()


DAY = dt.date(2026, 3, 1)


def post(day, memo, reference="", source=None):
    return journal_post(
        date=day,
        memo=memo,
        reference=reference,
        source=source,
        lines=[Dr(chart.BANK, "10.00"), Cr(chart.OPENING_BALANCE_EQUITY, "10.00")],
    )


@pytest.fixture
def orders(db):
    acme = make_customer("Acme Retail", code="USD")
    zeta = make_customer("Zeta Wholesale")
    return {
        "acme_old": make_order(acme, order_date=DAY, reference="PO-100%_x"),
        "acme_new": make_order(acme, order_date=DAY + dt.timedelta(days=9)),
        "zeta": make_order(zeta, order_date=DAY + dt.timedelta(days=5), reference="ZZ-7"),
    }


def listed(client, name, **params) -> tuple[str, list[str]]:
    html = client.get(reverse(name), params).content.decode()
    return html, re.findall(r"SO-\d{4}-\d{5}", html)


def numbers(*orders) -> list[str]:
    return sorted({order.number for order in orders})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("acme", ["acme_old", "acme_new"]),  # the customer's name, keys read first
        ("ACME RET", ["acme_old", "acme_new"]),
        ("zz", ["zeta"]),  # the reference, one of two characters
        ("z", ["zeta"]),
        ("100%_", ["acme_old"]),  # wildcards are plain characters, short or long
        ("%", ["acme_old"]),
        ("_", ["acme_old"]),
        ("nothing-like-it", []),
    ],
)
def test_order_search_finds_what_icontains_through_the_join_found(
    client_for, orders, text, expected
):
    by_join = (
        Order.objects.filter(**{"reference__icontains": text})
        | Order.objects.filter(customer__name__icontains=text)
        | Order.objects.filter(number__icontains=text)
    )
    assert numbers(*by_join) == numbers(*(orders[key] for key in expected))
    _, shown = listed(client_for("Sales"), "order-list", q=text)
    assert sorted(set(shown)) == numbers(*(orders[key] for key in expected))


def test_order_search_by_the_customer_code_and_number(client_for, orders):
    sales = client_for("Sales")
    code = orders["zeta"].customer.code
    assert sorted(set(listed(sales, "order-list", q=code.lower())[1])) == numbers(orders["zeta"])
    number = orders["acme_new"].number
    assert listed(sales, "order-list", q=number[-5:])[1][0] == number


def test_many_customers_found_are_read_as_a_subquery(client_for, orders, monkeypatch):
    monkeypatch.setattr(customer_selectors, "KEYS_AT_MOST", 1)
    keys = customer_selectors.customer_keys(customer_selectors.Q(name__icontains="e"))
    assert not isinstance(keys, list)
    _, shown = listed(client_for("Sales"), "order-list", q="e")  # Acme Retail, Zeta Wholesale
    assert sorted(set(shown)) == numbers(*orders.values())


def test_a_short_search_reads_the_latest_rows_and_says_so(client_for, orders, monkeypatch):
    monkeypatch.setattr(search, "SHORT_SEARCH_ROWS", 1)  # the 2nd latest order's date on
    sales = client_for("Sales")
    html, shown = listed(sales, "order-list", q="e")
    assert sorted(set(shown)) == numbers(orders["acme_new"], orders["zeta"])
    assert (
        "A search of one or two characters looks at the latest 1 orders only (dated 06 Mar"
        " 2026 or later). Type three or more characters to search all orders." in html
    )
    html, shown = listed(sales, "order-list", q="Ret")  # three: every order
    assert sorted(set(shown)) == numbers(orders["acme_old"], orders["acme_new"])
    assert "search-note" not in html
    monkeypatch.setattr(search, "SHORT_SEARCH_ROWS", 3)  # no more rows than that: no bound
    html, shown = listed(sales, "order-list", q="e")
    assert sorted(set(shown)) == numbers(*orders.values()) and "search-note" not in html


def test_the_short_search_note_comes_with_the_typed_table(client_for, orders, monkeypatch):
    monkeypatch.setattr(search, "SHORT_SEARCH_ROWS", 1)
    response = client_for("Sales").get(reverse("order-list"), {"q": "zz"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="table"') and "(dated 06 Mar 2026 or later)" in html


def test_journal_search_memo_reference_and_source_key(client_for, books, monkeypatch):
    old = post(DAY, "Opening cash", reference="BANK-77")
    new = post(DAY + dt.timedelta(days=3), "Till float")
    order = make_order(make_customer("Source Ltd"))
    sourced = post(DAY + dt.timedelta(days=3), "Sourced", source=order)
    entries = (old, new, sourced)
    accountant = client_for("Accountant")

    def found(text):
        html = accountant.get(reverse("journalentry-list"), {"q": text}).content.decode()
        return {entry.memo for entry in entries if f"/ledger/journal/{entry.pk}/" in html}, html

    assert found("opening")[0] == {"Opening cash"}
    assert found("bank-7")[0] == {"Opening cash"}  # the reference
    assert found("77")[0] == {"Opening cash"}
    assert found("t")[0] == {"Till float"}  # in no other memo or reference
    assert found(str(order.pk))[0] == {"Sourced"}  # the source document's key, exactly
    monkeypatch.setattr(search, "SHORT_SEARCH_ROWS", 1)  # the 2nd latest entry's date on
    matched, html = found("o")
    assert matched == {"Till float", "Sourced"}  # not "Opening cash" of 1 March
    assert "looks at the latest 1 entries only (dated 04 Mar 2026 or later)" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_each_part_of_an_order_search_is_read_from_its_own_index(client_for, orders):
    """Number and reference from their trigram indexes, the customers' orders from the
    customer index, ORed; the page's statement filters no customer column (a walk of every
    order through the join took 254 ms at 100,000 orders for a search that found nothing)."""
    with client_binding(), CaptureQueriesContext(connection) as queries:
        assert client_for("Sales").get(reverse("order-list"), {"q": "acme"}).status_code == 200
    (page,) = [q["sql"] for q in queries.captured_queries if 'FROM "sales_order"' in q["sql"]]
    assert '"customer_id" IN (' in page and 'UPPER("customers_customer"' not in page
    found = Order.all_objects.filter(
        customer_selectors.documents_matching("acme", "number", "reference")
    )
    text = plan(found)
    for index in ("order_number_trgm", "order_reference_trgm", "order_customer_idx"):
        assert f"Bitmap Index Scan on {index}" in text, text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_each_part_of_a_journal_search_is_read_from_its_own_index(books):
    post(DAY, "Opening cash", reference="BANK-77")
    text = plan(JournalEntry.objects.filter(entries_matching("bank")))
    for index in ("memo_trgm", "reference_trgm", "source_idx"):
        assert f"Bitmap Index Scan on ledger_entry_{index}" in text, text


def test_a_short_audit_search_reads_the_latest_events(client_for, monkeypatch):
    admin = client_for("Admin")  # logging in writes events of its own: before the three
    AuditEvent.objects.all().delete()
    moments = [dt.datetime(2026, 3, day, 10, 15, 42, tzinfo=dt.UTC) for day in (1, 2, 3)]
    for moment, subject in zip(moments, ("Box A", "Box B", "Box C"), strict=True):
        AuditEvent.objects.create(created_at=moment, action=AuditAction.UPDATE, object_repr=subject)

    def found(text):
        html = admin.get(reverse("audit-list"), {"q": text}).content.decode()
        return sorted(set(re.findall(r"Box [ABC]", html))), html

    assert found("bo")[0] == ["Box A", "Box B", "Box C"]
    AuditEvent.objects.exclude(object_repr__startswith="Box").delete()  # the login's, say
    monkeypatch.setattr(search, "SHORT_SEARCH_ROWS", 1)  # from the 2nd latest event on
    shown, html = found("bo")
    local = timezone.localtime(moments[1])
    assert shown == ["Box B", "Box C"]
    assert f"looks at the latest 1 events only (dated {local:%d %b %Y} or later)" in html
    assert found("box")[0] == ["Box A", "Box B", "Box C"]  # three characters: all of them


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_a_short_journal_search_ends_its_walk_at_the_cut(client_for, books, monkeypatch):
    """The cut is a range of the journal's (date, posted_at) index, not a filter: a walk of
    the index stops there (a day's filter alone would read every entry of that day)."""
    for day in (1, 2, 3):
        post(DAY + dt.timedelta(days=day), "Till float")
    monkeypatch.setattr(search, "SHORT_SEARCH_ROWS", 1)
    with CaptureQueriesContext(connection) as queries:
        response = client_for("Accountant").get(reverse("journalentry-list"), {"q": "zz"})
    assert "looks at the latest 1 entries only" in response.content.decode()
    (page,) = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "ledger_journalentry"."id"')
    ]
    text = plan(page, forbid=("seqscan", "bitmapscan"))
    assert "Index Scan using ledger_entry_date_idx" in text, text
    assert "Index Cond: (ROW(date, posted_at) >= ROW(" in text, text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_each_part_of_an_audit_search_is_read_from_its_own_index():
    from apps.core.filters import AuditEventFilter

    AuditEvent.objects.create(action=AuditAction.UPDATE, object_repr="Box A", message="moved")
    found = AuditEventFilter(data={"q": "box"}, queryset=AuditEvent.objects.all()).qs
    text = plan(found.order_by())
    for index in ("object", "event", "message"):
        assert f"Bitmap Index Scan on audit_{index}_trgm" in text, text

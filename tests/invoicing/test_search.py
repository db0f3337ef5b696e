"""The invoice list's search (apps/invoicing/filters.py): a short text's number part reads
the latest invoices only, through a range of the issue date index, and says so; the
customer part is not cut (drafts have no number, and only drafts lack an issue date)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core import search
from apps.invoicing import services
from tests.binding import client_binding, plan
from tests.invoicing.conftest import free_invoice
from tests.sales.factories import make_customer

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def invoices(books, customer):
    """Three invoices issued on 2, 4 and 5 March, numbered in that order; a draft of
    Zeta's without a date (first in the list on PostgreSQL, last on SQLite)."""
    found = {}
    for key, days in (("old", 0), ("mid", 2), ("new", 3)):
        draft = free_invoice(customer, ("Consulting", 1, "100.00", None))
        found[key] = services.invoice_issue(invoice=draft, issue_date=DAY + dt.timedelta(days))
    found["zeta"] = free_invoice(make_customer("Zeta Wholesale"), ("Draft", 1, "10.00", None))
    return found


def shown(client, **params) -> tuple[str, set[str]]:
    html = client.get("/invoices/", params).content.decode()
    return html, set(re.findall(r'href="/invoices/(\d+)/"', html))


def keys(invoices, *names) -> set[str]:
    return {str(invoices[name].pk) for name in names}


def test_a_short_search_reads_the_latest_numbers_and_says_so(admin_client, invoices, monkeypatch):
    number = invoices["old"].number
    digit = number[-1]  # the old one's last digit, in no other number
    assert not any(digit in invoices[key].number for key in ("mid", "new"))
    html, found = shown(admin_client, q=digit)
    assert found == keys(invoices, "old") and "search-note" not in html  # 4 invoices: no cut
    if connection.vendor == "postgresql":
        monkeypatch.setattr(search, "SHORT_SEARCH_ROWS", 2)  # the draft first, then 5, 4 March
    else:
        monkeypatch.setattr(search, "SHORT_SEARCH_ROWS", 1)  # 5, 4 March (the draft last)
    html, found = shown(admin_client, q=digit)
    assert found == set()
    assert (
        "A search of one or two characters looks at the numbers of the latest"
        f" {search.SHORT_SEARCH_ROWS} invoices only (dated 04 Mar 2026 or later). Type three or"
        " more characters to search all invoice numbers." in html
    )
    _, found = shown(admin_client, q=number)  # three characters or more: every number
    assert found == keys(invoices, "old")
    _, found = shown(admin_client, q="ze")  # the customer part is not cut: Zeta's draft
    assert found == keys(invoices, "zeta")
    _, found = shown(admin_client, q="e")  # the customers' names: every invoice
    assert found == keys(invoices, "old", "mid", "new", "zeta")


def test_a_cut_without_a_date_does_not_bound(admin_client, invoices, monkeypatch):
    """Where undated rows fall differs by database, so a cut at one bounds nothing."""
    rows = 0 if connection.vendor == "postgresql" else 3  # the draft's place in the order
    monkeypatch.setattr(search, "SHORT_SEARCH_ROWS", rows)
    html, found = shown(admin_client, q=invoices["old"].number[-1])
    assert found == keys(invoices, "old") and "search-note" not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_a_short_number_search_ends_its_walk_at_the_cut(admin_client, invoices, monkeypatch):
    """The number part's cut is a range of invoice_date_idx, not a filter: the walk of the
    list's order stops there instead of reading every invoice (100,058: 70 -> 19 ms)."""
    monkeypatch.setattr(search, "SHORT_SEARCH_ROWS", 2)
    with client_binding(), CaptureQueriesContext(connection) as queries:
        assert admin_client.get("/invoices/", {"q": "zz"}).status_code == 200
    (page,) = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "invoicing_invoice"."id"') and "LIMIT" in q["sql"]
    ]
    text = plan(page, forbid=("seqscan", "bitmapscan", "sort"))
    assert "Index Scan using invoice_date_idx" in text, text
    assert "Index Cond: (ROW(issue_date, id) >= ROW(" in text, text

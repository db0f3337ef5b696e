"""The invoicing lists' pages are read through an index that serves their order (or their
filter), so the database stops after the page instead of sorting every invoice or payment
(issue 14). The statement checked is the one the page sends, captured from a request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import binding
from tests.binding import client_binding
from tests.invoicing.conftest import free_invoice

pytestmark = pytest.mark.django_db


def page_statements(client, url: str, table: str) -> list[str]:
    """The SQL of the page's rows: the statements reading `table` with an ORDER BY (two
    when a page past the end falls back to the last one)."""
    with client_binding(), CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    rows = [
        q["sql"]
        for q in queries.captured_queries
        if f'FROM "{table}"' in q["sql"] and "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert rows
    return rows


def plan(sql: str, *, sort: bool = False) -> str:
    """The PostgreSQL plan of `sql` with sequential scans (and sorts, unless `sort`) priced
    out, so an empty test table plans as a big one would: an index that serves the order
    is taken."""
    return binding.plan(sql, forbid=("seqscan",) if sort else ("seqscan", "sort"))


def has_index(table: str, name: str) -> bool:
    with connection.cursor() as cursor:
        return name in connection.introspection.get_constraints(cursor, table)


def served_by(client, url: str, table: str, index: str) -> None:
    """The index exists (both databases); on PostgreSQL every statement of the page's rows
    walks it and sorts nothing."""
    assert has_index(table, index)
    statements = page_statements(client, url, table)
    if connection.vendor != "postgresql":
        return
    for sql in statements:
        shown = plan(sql)
        assert index in shown and "Sort" not in shown, shown


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("", "invoice_date_idx"),
        ("?page=2", "invoice_date_idx"),
        ("?sort=issue_date", "invoice_date_idx"),
        ("?sort=-issue_date", "invoice_date_idx"),
        ("?series={series}", "invoice_series_date_idx"),  # its range, in date order
        ("?sort=total", "invoice_total_idx"),
        ("?sort=-total&page=2", "invoice_total_idx"),
    ],
)
def test_invoice_list_pages_walk_an_index(customer, admin_client, query, index):
    invoice = free_invoice(customer, ("Consulting", 1, "100.00", None))
    query = query.format(series=invoice.series_id)
    served_by(admin_client, "/invoices/" + query, "invoicing_invoice", index)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        # (with a sort too, a test database's few payments leave the planner free to take
        # the status index instead: equal costs, so not pinned)
        ("?with_credit=true", "payment_credit_left_idx"),
        ("?sort=amount", "payment_amount_idx"),
        ("?sort=-amount&page=2", "payment_amount_idx"),
        ("?sort=method", "payment_method_idx"),
        ("?sort=-method", "payment_method_idx"),
        ("?sort=status", "payment_status_idx"),
        ("?sort=-status&page=2", "payment_status_idx"),
    ],
)
def test_payment_list_pages_walk_an_index(books, admin_client, query, index):
    if "with_credit" in query and connection.vendor == "postgresql":
        # the few payments with credit left are read from the partial index and sorted
        statements = page_statements(admin_client, "/payments/" + query, "invoicing_payment")
        for sql in statements:
            shown = plan(sql, sort=True)
            assert index in shown, shown
        return
    served_by(admin_client, "/payments/" + query, "invoicing_payment", index)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("", "credit_note_date_idx"),
        ("?page=2", "credit_note_date_idx"),
        ("?sort=issue_date", "credit_note_date_idx"),
        ("?sort=total", "credit_note_total_idx"),
        ("?sort=-total&page=2", "credit_note_total_idx"),
        ("?sort=status", "credit_note_status_idx"),
        ("?sort=-status", "credit_note_status_idx"),
    ],
)
def test_credit_note_list_pages_walk_an_index(books, admin_client, query, index):
    served_by(admin_client, "/invoices/credit-notes/" + query, "invoicing_creditnote", index)


@pytest.mark.parametrize("descending", [False, True])
def test_invoices_by_series_are_read_series_by_series(customer, admin_client, descending):
    """The sort by series reads one run per series in code order (apps/core/run_order.py):
    the same invoices in the same order as the one ORDER BY of series code, date and id,
    on every page; on PostgreSQL each run from invoice_series_date_idx alone."""
    import datetime as dt

    from apps.invoicing import services
    from apps.invoicing.models import DocumentKind, Invoice, Series
    from apps.invoicing.tables import InvoiceTable

    exp = Series.objects.create(code="EXP", name="Export", kind=DocumentKind.INVOICE)
    Series.objects.create(code="AAA", name="Unused", kind=DocumentKind.INVOICE)
    for n in range(6):
        series = exp if n % 2 else None
        draft = free_invoice(customer, ("Consulting", 1, "100.00", None), series=series)
        if n < 5:  # the last one stays a draft without a date
            services.invoice_issue(invoice=draft, issue_date=dt.date(2026, 3, 1 + n // 3))
    queryset = Invoice.objects.select_related("customer", "series")
    table = InvoiceTable(queryset, order_by=("-series" if descending else "series",))
    rows = table.data.data
    sign = "-" if descending else ""
    expected = list(
        queryset.order_by(*(sign + key for key in ("series__code", "issue_date", "id")))
    )
    assert [r.pk for r in rows[0:6]] == [r.pk for r in expected]
    assert [r.pk for r in rows[2:4]] == [r.pk for r in expected[2:4]]
    if connection.vendor == "postgresql":
        with client_binding(), CaptureQueriesContext(connection) as queries:
            list(rows[0:2])
        (page,) = [q["sql"] for q in queries.captured_queries if "run_0" in q["sql"]]
        assert "invoice_series_date_idx" in binding.plan(page), binding.plan(page)

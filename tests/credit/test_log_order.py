"""The transaction log's sorts: each ends with time and key, pages follow the column's whole
order (the seller and status sorts read theirs in their own way: apps/credit/log_order.py,
TransactionTable.order_status), and each page statement walks an index of the log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.paged import PagedOrder
from apps.credit import services
from apps.credit.models import CreditRequest, TransactionLog
from apps.credit.tables import CreditRequestTable, TransactionTable
from apps.credit.views import CreditRequestListView
from tests.binding import client_binding, plan

pytestmark = pytest.mark.django_db

SORTS = ("created_at", "seller", "type", "phone", "amount", "balance_after", "status")
# the index each sort's page statement reads on PostgreSQL
INDEXES = {
    "created_at": "credit_transactionlog_created_at",
    "seller": "credit_log_seller_idx",
    "type": "credit_log_type_idx",
    "phone": "credit_log_phone_idx",
    "amount": "credit_log_amount_idx",
    "balance_after": "credit_log_balance_idx",
    "status": "credit_log_reversed_idx",
}


@pytest.fixture
def log(make_seller):
    """Charges of three sellers (two with the same few amounts and phones), a top-up
    each, two charges reversed: ties in every sorted column."""
    sellers = [
        make_seller("100.00", company=name) for name in ("Beta Mobile", "Alpha Phones", "Gamma")
    ]
    phones = ("+447911123456", "+447911123457")
    for n in range(12):
        seller = sellers[n % 3]
        services.credit_charge(
            seller=seller,
            amount=("5.00", "7.00")[n % 2],
            phone=phones[n % 2],
            idempotency_key=f"k{n}",
        )
    charges = TransactionLog.objects.filter(type="charge").order_by("created_at")
    for charge in charges[:2]:
        services.credit_reverse(transaction_log=charge, reason="wrong number", by=None)
    return sellers


def _pages(client, sort: str, per_page: int = 4, **query) -> list:
    rows, page = [], 1
    while True:
        response = client.get(
            reverse("transaction-list"), {"sort": sort, "per_page": per_page, "page": page, **query}
        )
        table = response.context["table"]
        rows += [row.record.pk for row in table.page.object_list]
        if not table.page.has_next():
            return rows
        page += 1


@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_ends_with_time_and_key_and_pages_follow_it(log, client_for, sort):
    client = client_for("Accountant")
    order = TransactionTable.base_columns[sort].order_by
    assert [key.bare for key in order][-2:] == ["created_at", "id"]
    total = TransactionLog.objects.count()
    for key in (sort, f"-{sort}"):
        keys = TransactionTable(TransactionLog.objects.all(), order_by=key).data.data
        ordered = keys.ordered if isinstance(keys, PagedOrder) else keys  # its plain queryset
        expected = list(ordered.values_list("pk", flat=True))
        assert len(expected) == total
        assert _pages(client, key) == expected, key
        typed = list(ordered.filter(type="charge").values_list("pk", flat=True))
        assert _pages(client, key, type="charge") == typed, key


@pytest.mark.parametrize("sort", ["-created_at", "amount", "-phone"])
def test_deep_pages_read_by_their_keys_from_either_end_are_the_same_pages(
    log, client_for, sort, monkeypatch
):
    """The log's pages past DEEP read their keys first, those near the end from the other
    end (apps.core.paged.KeysFirst; both thresholds at 0 here): the same rows, each once."""
    from apps.core import paged

    client = client_for("Accountant")
    before = _pages(client, sort)
    monkeypatch.setattr(paged, "DEEP", 0)
    monkeypatch.setattr(paged, "FROM_THE_END", 0)
    assert _pages(client, sort) == before
    assert len(before) == TransactionLog.objects.count()


def test_the_seller_sort_walks_the_sellers_unless_narrowed(log, client_for):
    client = client_for("Accountant")
    with client_binding(), CaptureQueriesContext(connection) as walked:
        client.get(reverse("transaction-list"), {"sort": "seller"})
    with client_binding(), CaptureQueriesContext(connection) as narrowed:
        client.get(reverse("transaction-list"), {"sort": "seller", "q": "+4479"})
    lateral = [q["sql"] for q in walked.captured_queries if "LATERAL" in q["sql"]]
    assert len(lateral) == (connection.vendor == "postgresql")
    assert not [q for q in narrowed.captured_queries if "LATERAL" in q["sql"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_reads_the_page_from_an_index_of_the_log(log, client_for, sort):
    """With sequential scans and sorts priced out (the test data is tiny), the statement
    that picks a page can be served by the sort's index; without it, it would sort."""
    client = client_for("Accountant")
    for key in (sort, f"-{sort}"):
        with client_binding(), CaptureQueriesContext(connection) as queries:
            client.get(reverse("transaction-list"), {"sort": key, "page": 2, "per_page": 10})
        (page,) = [
            q["sql"] for q in queries.captured_queries if "credit_transactionlog" in q["sql"]
        ]
        text = plan(page, forbid=("seqscan", "sort"))
        assert INDEXES[sort] in text, (key, text)
        if sort == "seller":
            assert "Nested Loop" in text and "LATERAL" in page


QUEUE_SORTS = ("created_at", "seller", "amount", "note", "status", "decided")


@pytest.fixture
def queue(make_seller, approver):
    """Requests of three sellers: pending, approved and rejected, equal amounts and notes."""
    sellers = [make_seller(company=name) for name in ("Beta Mobile", "Alpha Phones", "Gamma")]
    for n in range(9):
        request = services.creditrequest_create(
            seller=sellers[n % 3], amount=("20.00", "50.00")[n % 2], note=("", "wire")[n % 2]
        )
        if n % 3 == 1:
            services.creditrequest_approve(credit_request=request, by=approver)
        elif n % 3 == 2:
            services.creditrequest_reject(credit_request=request, reason="no transfer", by=approver)
    return sellers


def _queue_pages(client, per_page: int = 2, **query) -> list:
    rows, page = [], 1
    while True:
        response = client.get(
            reverse("creditrequest-list"), {"per_page": per_page, "page": page, **query}
        )
        table = response.context["table"]
        rows += [row.record.pk for row in table.page.object_list]
        if not table.page.has_next():
            return rows
        page += 1


@pytest.mark.parametrize("sort", ("", *QUEUE_SORTS))
def test_every_queue_sort_is_total_and_its_pages_read_their_keys_first(queue, client_for, sort):
    """Pending first, newest first is the queue's own order; each column's sort ends with
    time and key; a page is its keys by one statement, its rows by a second."""
    client = client_for("Accountant")
    if sort:
        order = CreditRequestTable.base_columns[sort].order_by
        assert [key.bare for key in order][-2:] == ["created_at", "id"]
    for key in (sort, f"-{sort}") if sort else ("",):
        view = CreditRequestListView()
        table = CreditRequestTable(view.get_queryset(), order_by=key or None)
        expected = list(table.data.data.values_list("pk", flat=True))
        assert len(expected) == CreditRequest.objects.count()
        query = {"sort": key} if key else {}
        assert _queue_pages(client, **query) == expected, key
        with client_binding(), CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("creditrequest-list"), {"per_page": 2, **query})
        assert isinstance(response.context["table"].data.data, PagedOrder)
        keys = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
        assert any('"credit_creditrequest"."id" AS "pk" FROM' in sql for sql in keys), key


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("status", "credit_request_queue_idx"),
        ("amount", "credit_request_amount_idx"),
        ("note", "credit_request_note_idx"),
    ],
)
def test_queue_sorts_read_their_keys_from_an_index_from_either_end(queue, client_for, sort, index):
    """The first page and the last (read from the other end) pick their keys by walking
    the column's index, not by sorting every request."""
    client = client_for("Accountant")
    for key in (sort, f"-{sort}"):
        for page in (1, 5):  # 9 requests, 2 a page: the last page reads the reversed order
            with client_binding(), CaptureQueriesContext(connection) as queries:
                client.get(
                    reverse("creditrequest-list"), {"sort": key, "page": page, "per_page": 2}
                )
            (keys,) = [q["sql"] for q in queries.captured_queries if 'AS "pk" FROM' in q["sql"]]
            assert "OFFSET" not in keys, keys  # the last page skips nothing either
            text = plan(keys, forbid=("seqscan", "sort"))
            assert index in text, (key, page, text)

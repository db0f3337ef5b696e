"""The order list's sorts by store, total, total in base currency and source: the same
orders in the same order as the column's `order_by` written as one ORDER BY, page after
page, read without sorting every order (runs per store; indexes on PostgreSQL)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.sales.models import Order
from apps.sales.tables import OrderTable
from tests.binding import client_binding, plan
from tests.inventory.factories import StoreFactory

from .factories import make_customer, make_order, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders():
    """11 orders in three stores whose name order differs from their id order."""
    stores = [StoreFactory(name=n, code=n[0]) for n in ("Zeta", "Alpha", "Mid")]
    customer = make_customer()
    widget = make_product("10.00", sku="W-1")
    made = []
    for i in range(11):
        lines = [(widget, 1 + i % 3)] if i % 4 else []
        made.append(make_order(customer=customer, store=stores[[0, 0, 1, 2][i % 4]], lines=lines))
    return made


def _paged(client, sort: str) -> list[int]:
    seen, page = [], 1
    while True:
        response = client.get(reverse("order-list"), {"sort": sort, "per_page": 4, "page": page})
        assert response.status_code == 200
        table = response.context["table"]
        seen += [row.record.pk for row in table.page.object_list]
        if not table.page.has_next():
            return seen
        page += 1


@pytest.mark.parametrize("sort", ["store", "-store", "total", "-total_base"])
def test_order_sorts_page_each_order_once_in_the_columns_order(client_for, orders, sort):
    keys = OrderTable.base_columns[sort.lstrip("-")].order_by
    sign = "-" if sort.startswith("-") else ""
    whole = list(Order.objects.order_by(*(sign + key for key in keys)).values_list("pk", flat=True))
    assert len(whole) == 11
    assert _paged(client_for("Viewer"), sort) == whole


def test_order_list_by_store_reads_a_run_per_store(client_for, orders):
    with client_binding(), CaptureQueriesContext(connection) as queries:
        assert (
            client_for("Viewer").get(reverse("order-list"), {"sort": "-store"}).status_code == 200
        )
    assert [q for q in queries.captured_queries if "run_2" in q["sql"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize(
    "sort, index",
    [
        ("total", "order_total_idx"),
        ("-total", "order_total_idx"),
        ("total_base", "order_total_base_idx"),
        ("-total_base", "order_total_base_idx"),
        ("source", "order_source_idx"),
        ("-source", "order_source_idx"),
    ],
)
def test_order_sorts_page_an_index_without_sorting(client_for, orders, sort, index):
    """With sorts and table scans forbidden, a plan without an index in the sort's order
    would still sort: these read theirs."""
    with client_binding(), CaptureQueriesContext(connection) as queries:
        assert client_for("Viewer").get(reverse("order-list"), {"sort": sort}).status_code == 200
    (page,) = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "sales_order"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    text = plan(page, forbid=("sort", "seqscan"))
    assert index in text and "Sort" not in text, text


@pytest.mark.parametrize("sort", ["", "order_date", "-total", "customer", "number"])
def test_deep_pages_read_by_their_keys_first_are_the_same_pages(
    client_for, orders, sort, monkeypatch
):
    """Every page past DEEP reads its keys first (apps.core.paged.KeysFirst), with
    DEEP at 0 here so every page does: the orders of the one ORDER BY, each once."""
    from apps.core import paged

    client = client_for("Viewer")
    before = _paged(client, sort) if sort else None
    monkeypatch.setattr(paged, "DEEP", 0)
    keys = OrderTable.base_columns[(sort or "order_date").lstrip("-")].order_by
    sign = "-" if sort.startswith("-") or not sort else ""
    whole = list(Order.objects.order_by(*(sign + key for key in keys)).values_list("pk", flat=True))
    assert _paged(client, sort) == whole
    if before is not None:
        assert before == whole

"""How the stock lists' statements reach PostgreSQL (bound on the server and prepared, or
planned each time)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.inventory.services import stock_receive
from tests.binding import client_binding, plan
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements")
def test_searched_stock_and_movement_pages_are_planned_each_time(client_for, stores):
    """A name search is never prepared (its generic plan walked every product or movement);
    the same pages unsearched are."""
    tea = ProductFactory(sku="TEA-1", name="Green tea")
    stock_receive(store=stores[0], product=tea, quantity=3)
    viewer = client_for("Viewer")
    for _ in range(7):
        assert viewer.get(reverse("stock-list"), {"q": "green"}).status_code == 200
        assert viewer.get(reverse("movement-list"), {"product": "green"}).status_code == 200
        assert viewer.get(reverse("stock-list")).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    levels = [s for s in prepared if s.startswith('SELECT "inventory_stocklevel"')]
    moves = [s for s in prepared if 'FROM "inventory_stockmovement"' in s]
    assert len(levels) == 1 and " LIKE " not in levels[0]
    assert [s for s in moves if " LIKE " in s] == []
    assert (
        "<td>Green tea</td>" in viewer.get(reverse("stock-list"), {"q": "green"}).content.decode()
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize("sort", ["unit_cost", "-unit_cost", "value", "-value"])
def test_stock_list_by_unit_cost_or_value_pages_an_index_without_sorting(client_for, stores, sort):
    """The sort's whole order (the column, then the level) is an index's: PostgreSQL can
    page it without sorting every level (forbidden sorts and table scans here, so a plan
    without such an index would still sort)."""
    for n in range(3):
        product = ProductFactory(sku=f"C-{n}")
        stock_receive(store=stores[0], product=product, quantity=2 + n, unit_cost=f"{n + 1}.50")
    viewer = client_for("Viewer")
    with client_binding(), CaptureQueriesContext(connection) as queries:
        assert viewer.get(reverse("stock-list"), {"sort": sort}).status_code == 200
    (page,) = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "inventory_stocklevel"')
    ]
    text = plan(page, forbid=("sort", "seqscan"))
    index = "stock_level_unit_cost_idx" if "unit_cost" in sort else "stock_level_value_idx"
    assert index in text and "Sort" not in text, text


def _page_plan(viewer, url: str, params: dict, forbid=("seqscan",)) -> str:
    """PostgreSQL's plan of the page statement of `url` (the one reading its runs)."""
    with client_binding(), CaptureQueriesContext(connection) as queries:
        assert viewer.get(url, params).status_code == 200
    (page,) = [q["sql"] for q in queries.captured_queries if "run_0" in q["sql"]]
    return plan(page, forbid=forbid)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize("url_name", ["stock-list", "stock-low"])
@pytest.mark.parametrize("sort", ["sku", "-sku"])
def test_stock_lists_by_sku_walk_the_lower_sku_index(client_for, stores, url_name, sort):
    """Sorted by SKU, the products are read along the LOWER(sku) unique index and the few
    whose SKU LOWER() does not keep in order through their partial index: no product
    sort (forbidden here, with table scans, so a plan without these indexes would
    still sort)."""
    for n, sku in enumerate(["A-1", "b_2", "C-3"]):
        stock_receive(store=stores[0], product=ProductFactory(sku=sku), quantity=2 + n)
    viewer = client_for("Viewer")
    text = _page_plan(viewer, reverse(url_name), {"sort": sort}, forbid=("seqscan", "sort"))
    assert "product_sku_unique_ci" in text and "product_sku_odd_idx" in text, text

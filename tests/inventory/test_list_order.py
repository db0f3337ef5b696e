"""The stock lists' sorts are total: paging through rows that tie lists each level once."""

import itertools

import pytest
from django.urls import reverse

from apps.inventory.models import StockLevel
from apps.inventory.services import stock_receive
from tests.catalog.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

SORTS = [
    "store",
    "sku",
    "product",
    "category",
    "quantity",
    "unit_cost",
    "value",
    "threshold",
    "status",
]


@pytest.fixture
def ties(stores):
    """24 levels that tie on every column but SKU: two product names, one category (and
    none), two thresholds, one cost, two quantities, three stores."""
    tools = CategoryFactory(name="Tools")
    for i in range(8):
        product = ProductFactory(
            sku=f"T-{i:02d}",
            name="Hammer" if i % 2 else "Saw",
            category=tools if i % 3 else None,
            low_stock_threshold=5 if i % 4 else None,
        )
        for store in stores:
            stock_receive(store=store, product=product, quantity=3 + i % 2, unit_cost="2.00")
    return set(StockLevel.objects.values_list("store_id", "product_id"))


def _paged(client, url: str, sort: str, **params) -> list[tuple[int, int]]:
    """Every page of 7 rows, followed to the end, as (store, product) pairs."""
    seen, page = [], 1
    while True:
        response = client.get(url, {**params, "sort": sort, "per_page": 7, "page": page})
        assert response.status_code == 200
        table = response.context["table"]
        seen += [(r.record["store_id"], r.record["product_id"]) for r in table.page.object_list]
        if not table.page.has_next():
            return seen
        page += 1


def test_every_sort_of_the_stock_lists_pages_each_level_once(client_for, ties):
    viewer = client_for("Viewer")
    every = (*SORTS, *(f"-{s}" for s in SORTS))
    some = ("store", "-category", "threshold", "-unit_cost")
    for url, sorts in ((reverse("stock-list"), every), (reverse("stock-low"), some)):
        for sort in sorts:  # every level is low too: the default threshold is 10
            seen = _paged(viewer, url, sort)
            assert len(seen) == len(ties) == 24, (url, sort)
            assert set(seen) == ties, (url, sort)


def test_the_store_sort_reads_runs_in_the_order_of_one_sort(client_for, ties, stores):
    """The store sort's page-by-page runs (apps/inventory/level_order.py) give the rows
    of `ORDER BY store name, product` in that order, on every page and filter."""
    viewer = client_for("Viewer")
    stores[0].name, stores[2].name = "Z store", "A store"  # name order is not id order
    stores[0].save(), stores[2].save()
    for sign, params in itertools.product(("", "-"), ({}, {"store": stores[1].pk})):
        levels = StockLevel.objects.filter(store_id__in=params.values() or [s.pk for s in stores])
        expected = list(
            levels.order_by(f"{sign}store__name", f"{sign}product_id").values_list(
                "store_id", "product_id"
            )
        )
        assert len(expected) == 8 * (1 if params else 3)
        assert _paged(viewer, reverse("stock-list"), f"{sign}store", **params) == expected

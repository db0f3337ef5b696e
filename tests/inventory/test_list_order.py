"""The stock lists' sorts are total: paging through rows that tie lists each level once, in
the order of the column's `order_by` (which the store, category and alert-level sorts read
in runs from indexes, apps/inventory/level_order.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.catalog.models import Product, SkuLikeLower
from apps.inventory import selectors
from apps.inventory.models import StockLevel
from apps.inventory.services import stock_receive, stock_remove
from apps.inventory.tables import StockLevelTable
from tests.binding import client_binding
from tests.catalog.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

SORTS = StockLevelTable.Meta.fields  # every sortable column


@pytest.fixture
def ties(stores):
    """24 levels that tie on every column but SKU: two product names, two categories (and
    none), three thresholds (below, at and above the default 10, or unset), one cost, two
    quantities, three stores; store and category names are not in the order of their ids."""
    stores[0].name, stores[2].name = "Z store", "A store"
    stores[0].save(), stores[2].save()
    tools, garden = CategoryFactory(name="Tools"), CategoryFactory(name="Garden")
    for i in range(8):
        product = ProductFactory(
            sku=f"T-{i:02d}",
            name="Hammer" if i % 2 else "Saw",
            category=[tools, garden, None][i % 3],
            low_stock_threshold=[5, None, 10, 12][i % 4],
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


def _one_sort(rows, sort: str) -> list[tuple[int, int]]:
    """The rows in the column's whole order, as one ORDER BY."""
    keys = StockLevelTable.base_columns[sort.lstrip("-")].order_by
    sign = "-" if sort.startswith("-") else ""
    return list(rows.order_by(*(sign + key for key in keys)).values_list("store_id", "product_id"))


def test_every_sort_of_the_stock_lists_pages_each_level_once(client_for, ties, stores, monkeypatch):
    viewer = client_for("Viewer")
    every = (*SORTS, *(f"-{s}" for s in SORTS))
    some = ("store", "-store", "sku", "-sku", "-category", "threshold", "-unit_cost", "-value")
    some = (*some, "value")
    lists = (
        (reverse("stock-list"), every, selectors.level_rows()),
        (reverse("stock-low"), some, selectors.low_level_rows()),  # all low: at most 12
    )
    for url, sorts, rows in lists:
        for sort in sorts:
            seen = _paged(viewer, url, sort)
            assert len(seen) == len(ties) == 24, (url, sort)
            assert set(seen) == ties, (url, sort)
            assert seen == _one_sort(rows, sort), (url, sort)
    for sort in ("store", "-store", "category", "-threshold"):  # a filter in every run
        seen = _paged(viewer, reverse("stock-list"), sort, store=stores[1].pk)
        assert seen == _one_sort(selectors.level_rows().filter(store=stores[1]), sort)
        assert len(seen) == 8
    # Deep pages of the category and alert-level sorts sort once instead of reading runs:
    # here past 16 rows: by category from page 3 (its runs are read one after another), by
    # alert level from page 2 (two of its runs, at the default, are read side by side).
    monkeypatch.setattr("apps.inventory.tables.DEEP_RUNS", 16)
    for sort in ("category", "-category", "threshold", "-threshold"):
        assert _paged(viewer, reverse("stock-list"), sort) == _one_sort(
            selectors.level_rows(), sort
        )


def test_low_stock_by_quantity_reads_two_runs_in_the_whole_order(client_for, stores):
    """Sorted by quantity or stock (and by value, descending), the low-stock page reads
    the levels at or below the default threshold (10) and those above it (only products
    with a higher threshold of their own) as two runs: the same levels in the order of one
    ORDER BY, both ways, with ties across stores and products, levels that are not low
    left out."""
    thresholds = [None, 5, 12, 20, 12, None]
    quantities = [[3, 3, 0], [4, 5, 9], [11, 12, 13], [20, 11, 11], [12, 3, 11], [10, 11, 2]]
    for i, (threshold, by_store) in enumerate(zip(thresholds, quantities, strict=True)):
        product = ProductFactory(sku=f"Q-{i}", low_stock_threshold=threshold)
        for store, quantity in zip(stores, by_store, strict=True):
            if quantity:
                stock_receive(store=store, product=product, quantity=quantity, unit_cost="1.00")
    rows = selectors.low_level_rows()
    assert rows.filter(quantity__gt=10).count() == 7  # the second run is not empty
    assert rows.count() == 14  # not low: 9 units at 5, 13 at 12, 11 at the default
    viewer = client_for("Viewer")
    for sort in ("quantity", "-quantity", "status", "-status", "-value"):
        seen = _paged(viewer, reverse("stock-low"), sort)
        assert seen == _one_sort(rows, sort), sort
    with client_binding(), CaptureQueriesContext(connection) as queries:
        assert viewer.get(reverse("stock-low"), {"sort": "-quantity"}).status_code == 200
    page = [q["sql"] for q in queries.captured_queries if "run_1" in q["sql"]]
    assert len(page) == 1 and 'FROM "inventory_stocklevel"' in page[0]
    # Descending value: the candidates of the two runs sorted by `value + 0`, which no
    # index serves (the value index walked from the top read nearly every level).
    with client_binding(), CaptureQueriesContext(connection) as queries:
        assert viewer.get(reverse("stock-low"), {"sort": "-value"}).status_code == 200
    (page,) = [q["sql"] for q in queries.captured_queries if "run_1" in q["sql"]]
    assert page.count('"inventory_stocklevel"."value" + 0)') == 2
    assert '"inventory_stocklevel"."quantity" <= 10' in page


def test_low_stock_out_filter_bounds_the_quantity(client_for, stores):
    """Out of stock: the same levels as the status says, read as `quantity <= 0` too
    (the quantity index's range, not a walk of the product names)."""
    for i in range(4):
        product = ProductFactory(sku=f"O-{i}")
        stock_receive(store=stores[0], product=product, quantity=2, unit_cost="1.00")
        if i % 2:
            stock_remove(store=stores[0], product=product, quantity=2, reason="damaged")
    viewer = client_for("Viewer")
    with client_binding(), CaptureQueriesContext(connection) as queries:
        response = viewer.get(reverse("stock-low"), {"status": "out"})
    shown = [(r.record["store_id"], r.record["product_id"]) for r in response.context["table"].page]
    out = selectors.low_level_rows().filter(status="out")
    assert len(shown) == 2 and set(shown) == set(out.values_list("store_id", "product_id"))
    (page,) = [
        q["sql"]
        for q in queries.captured_queries
        if "LIMIT" in q["sql"] and "stocklevel" in q["sql"]
    ]
    assert '"inventory_stocklevel"."quantity" <= 0' in page


# SKUs that LOWER() keeps in order (digits, "-", upper-case letters, "{") and SKUs it does
# not (a lower-case letter, "_", "[", a letter past ASCII): sorted by SKU, "a-1" and "b-3"
# come after "Z-9" and "Ä-1" after "{X}", which their lower-case forms would not.
SKUS = ["B-2", "10", "a-1", "B_1", "Z-9", "C[1]", "{X}", "B-10", "Ä-1", "b-3"]


def test_sku_sorts_merge_the_skus_lower_keeps_in_order_with_the_others(client_for, stores):
    """Sorted by SKU, both lists read the products whose SKU sorts as its LOWER() along
    the LOWER(sku) index and the others apart (apps/catalog/models.py, SKU_LIKE_LOWER),
    merged: the same levels in the order of one ORDER BY, both ways, each level once."""
    for i, sku in enumerate(SKUS):
        product = ProductFactory(sku=sku)
        for store in stores[: 1 + i % 3]:
            stock_receive(store=store, product=product, quantity=2 + i % 2, unit_cost="1.00")
    in_order = Product.objects.filter(SkuLikeLower("sku")).values_list("sku", flat=True)
    assert sorted(in_order) == ["10", "B-10", "B-2", "Z-9", "{X}"]
    assert sorted(SKUS) != sorted(SKUS, key=str.lower)
    viewer = client_for("Viewer")
    lists = (
        (reverse("stock-list"), selectors.level_rows()),
        (reverse("stock-low"), selectors.low_level_rows()),  # every level here is low
    )
    for url, rows in lists:
        for sort in ("sku", "-sku"):
            seen = _paged(viewer, url, sort)
            assert len(seen) == len(set(seen)) == 19, (url, sort)
            assert seen == _one_sort(rows, sort), (url, sort)
            skus = [Product.objects.get(pk=product).sku for _, product in seen]
            by_code_point = ["10", "B-10", "B-2", "B_1", "C[1]", "Z-9", "a-1", "b-3", "{X}", "Ä-1"]
            step = 1 if sort == "sku" else -1
            assert list(dict.fromkeys(skus)) == by_code_point[::step], (url, sort)


@pytest.mark.parametrize("few_low", [0, 4, 10**6])
def test_low_stock_by_store_reads_stores_with_few_low_levels_by_quantity(
    client_for, stores, monkeypatch, few_low
):
    """Sorted by store, the low-stock page reads a store with few low levels (under one
    in FEW_LOW of its levels, by the stores' counters) through its levels at each quantity
    up to the highest threshold, the others along their (store, product) index: the same
    levels in the order of one ORDER BY, both ways, filtered or not. FEW_LOW 0: every
    store; 4: store C (2 low levels of 9); 10**6: none."""
    thresholds = [None, 5, 12, 20, 12, None, 3, None, 4]
    quantities = [[3, 30, 0], [4, 5, 9], [11, 12, 13], [20, 11, 30], [12, 30, 11]]
    quantities += [[10, 11, 30], [1, 30, 30], [30, 2, 30], [5, 4, 30]]
    for i, (threshold, by_store) in enumerate(zip(thresholds, quantities, strict=True)):
        product = ProductFactory(sku=f"S-{i}", low_stock_threshold=threshold)
        for store, quantity in zip(stores, by_store, strict=True):
            stock_receive(store=store, product=product, quantity=quantity or 1, unit_cost="1.00")
            if not quantity:  # out
                stock_remove(store=store, product=product, quantity=1, reason="damaged")
    monkeypatch.setattr("apps.inventory.tables.FEW_LOW", few_low)
    rows = selectors.low_level_rows()
    assert [rows.filter(store=store).count() for store in stores] == [7, 5, 2]
    assert selectors.stores_few_low(4) == {stores[2].pk}
    viewer = client_for("Viewer")
    for sort in ("store", "-store"):
        assert _paged(viewer, reverse("stock-low"), sort) == _one_sort(rows, sort), sort
        for status in ("low", "out"):
            seen = _paged(viewer, reverse("stock-low"), sort, status=status)
            assert seen == _one_sort(rows.filter(status=status), sort), (sort, status)
    with client_binding(), CaptureQueriesContext(connection) as queries:
        assert viewer.get(reverse("stock-low"), {"sort": "-store"}).status_code == 200
    (page,) = [q["sql"] for q in queries.captured_queries if "run_0" in q["sql"]]
    sparse = '"inventory_stocklevel"."quantity" IN (0, 1, 2, 3,'
    assert page.count(sparse) == {0: 3, 4: 1, 10**6: 0}[few_low]
    if few_low != 10**6:  # up to the highest threshold, 20
        assert f"{sparse} 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)" in page

"""The product list sorted by SKU, category or active reads its pages in runs
(apps/catalog/tables.py, apps/core/run_order.py): every page shows the rows of the column's
one ORDER BY (SKU in bytes, category name then pk, active then pk), ties, odd SKUs, products
without a category, inactive and trashed products included, with as many statements as the
list sorted by name; on PostgreSQL each run is read from its index."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.catalog import tables
from apps.catalog.models import SKU_LIKE_LOWER, Product
from apps.core import paged
from tests.binding import client_binding, plan

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

# Upper-case SKUs (their LOWER() order) and SKUs that sort otherwise in bytes: small letters,
# the signs between Z and a, a letter outside ASCII. "A_1" < "AB" < "Ab" < "a-2" in bytes;
# by LOWER(): "a-2" < "a_1" < "ab" (and "Ab" would tie with "AB").
SKUS = [
    "AB", "A_1", "Ab-2", "a-2", "ZZ-9", "Z9", "b[1]", "B-1", "É-1", "e-1",
    "C`1", "C-1", "c2", "00-1", "~X", "{Y",
]  # fmt: skip


@pytest.fixture
def catalog():
    """16 products: SKUs of both kinds, three categories whose name order is not their id
    order and none, inactive ones, and one trashed product of each kind (not listed)."""
    tea, apples, mugs = (CategoryFactory(name=n) for n in ("Tea", "Apples", "Mugs"))
    products = [
        ProductFactory(
            sku=sku,
            name=f"Product {i % 5}",
            category=[tea, apples, None, mugs][i % 4],
            active=i % 3 != 0,
        )
        for i, sku in enumerate(SKUS)
    ]
    trashed = [ProductFactory(sku=sku, category=tea, active=False) for sku in ("a-1", "AA", "A-0")]
    Product.all_objects.filter(pk__in=[p.pk for p in trashed]).update(deleted_at=timezone.now())
    return products


def _keys(product, sort):
    name = sort.lstrip("-")
    if name == "sku":
        return (product.sku, product.pk)
    if name == "active":
        return (product.active, product.pk)
    category = product.category.name if product.category else None
    # PostgreSQL puts NULLs last in ascending order, SQLite first.
    last = connection.features.nulls_order_largest
    return (category is None if last else category is not None, category or "", product.pk)


def page_ids(client, params) -> list[int]:
    html = client.get(reverse("product-list"), params).content.decode()
    body = re.search(r'<tbody hx-boost="false">(.*?)</tbody>', html, re.S).group(1)
    return [int(pk) for pk in dict.fromkeys(re.findall(r'href="/catalog/products/(\d+)/"', body))]


def every_page(client, sort, per_page) -> list[int]:
    shown = []
    for page in range(1, 20):
        ids = page_ids(client, {"sort": sort, "page": page, "per_page": per_page})
        shown += ids
        if len(ids) < per_page:
            return shown
    raise AssertionError("more pages than products")


SORTS = ["sku", "-sku", "category", "-category", "active", "-active"]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("deep", [False, True])
def test_pages_show_the_one_order_by(client_for, catalog, monkeypatch, sort, deep):
    """Pages of 5 (a page across runs, runs read up to a page's end); `deep`: the pages
    past row 12 are read with the one ORDER BY instead, keys first. The same rows."""
    if deep:
        monkeypatch.setattr(tables, "DEEP_RUNS", 12)
        monkeypatch.setattr(tables, "DEEP_CATEGORY_RUNS", 12)
        monkeypatch.setattr(paged, "DEEP", 0)
    expected = sorted(catalog, key=lambda p: _keys(p, sort), reverse=sort.startswith("-"))
    viewer = client_for("Viewer")
    assert every_page(viewer, sort, 5) == [p.pk for p in expected]


@pytest.mark.parametrize("sort", ["sku", "-category", "active"])
def test_a_page_past_the_runs_reads_its_keys_first(client_for, catalog, monkeypatch, sort):
    """Past DEEP_RUNS a page is read as the list's other deep pages: its keys, then its
    rows (one statement more than a page of runs)."""
    viewer = client_for("Viewer")
    params = {"sort": sort, "page": 4, "per_page": 5}
    page_ids(viewer, params)

    def statements():
        with client_binding(), CaptureQueriesContext(connection) as queries:
            page_ids(viewer, params)
        return [q["sql"] for q in queries]

    runs = statements()
    monkeypatch.setattr(tables, "DEEP_RUNS", 12)
    monkeypatch.setattr(tables, "DEEP_CATEGORY_RUNS", 12)
    monkeypatch.setattr(paged, "DEEP", 0)
    keys_first = statements()
    assert len(keys_first) == len(runs) + 1
    assert [s for s in runs if "run_1" in s] and not [s for s in keys_first if "run_1" in s]
    assert [s for s in keys_first if s.endswith("LIMIT 6 OFFSET 15")]


def test_the_sku_runs_split_as_the_pattern_says(catalog):
    like_lower = {p.sku for p in catalog if re.fullmatch(SKU_LIKE_LOWER, p.sku)}
    assert like_lower == {"AB", "ZZ-9", "Z9", "B-1", "C-1", "00-1", "~X", "{Y"}
    # Within that run, the bytes order is LOWER()'s order, which the unique index keeps.
    assert sorted(like_lower) == sorted(like_lower, key=str.lower)


@pytest.mark.parametrize("sort", SORTS)
def test_a_sorted_page_reads_its_runs_in_the_statements_of_the_name_sort(client_for, catalog, sort):
    viewer = client_for("Viewer")

    def statements(params):
        viewer.get(reverse("product-list"), params)  # the reference lists kept
        with client_binding(), CaptureQueriesContext(connection) as queries:
            viewer.get(reverse("product-list"), params)
        return list(queries)  # read now: the next request empties the connection's log

    runs = statements({"sort": sort})
    assert len(runs) == len(statements({"sort": "name"}))
    assert [q for q in runs if "run_1" in q["sql"]]


def _run(page: str, number: int, last: bool) -> str:
    """Run `number`'s statement inside the page statement, without its LIMIT (which reads
    the runs before it)."""
    text = page.split(f"run_{number} AS (")[1]
    if not last:
        text = text.split(f"run_{number + 1} AS (")[0]
    return text.split(" LIMIT ")[0].removeprefix("SELECT * FROM (")


def _page_statement(client, sort) -> str:
    with client_binding(), CaptureQueriesContext(connection) as queries:
        page_ids(client, {"sort": sort})
    (page,) = [q["sql"] for q in queries if "run_0" in q["sql"]]
    return page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize("sort", ["sku", "-sku"])
def test_sku_runs_read_the_lower_sku_index_and_the_odd_sku_index(client_for, catalog, sort):
    page = _page_statement(client_for("Viewer"), sort)
    like_lower = plan(_run(page, 0, last=False), forbid=("seqscan", "sort"))
    assert "product_sku_unique_ci" in like_lower and "Sort" not in like_lower, like_lower
    odd = plan(_run(page, 1, last=True), forbid=("seqscan",))
    assert "product_sku_odd_idx" in odd, odd


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_the_inactive_run_reads_the_inactive_index(client_for, catalog):
    page = _page_statement(client_for("Viewer"), "active")
    inactive = plan(_run(page, 0, last=False), forbid=("seqscan", "sort"))
    assert "product_inactive_idx" in inactive and "Sort" not in inactive, inactive
    active = plan(_run(page, 1, last=True), forbid=("seqscan", "sort"))
    assert "catalog_product_pkey" in active and "Sort" not in active, active


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_a_category_run_reads_the_primary_key_in_order(client_for, catalog):
    page = _page_statement(client_for("Viewer"), "category")
    first = plan(_run(page, 0, last=False), forbid=("seqscan", "sort"))
    assert "catalog_product_pkey" in first and "Sort" not in first, first


@pytest.mark.parametrize("sort", ["sku", "-sku"])
def test_a_database_that_does_not_compare_bytes_sorts_by_sku_in_one_order_by(
    client_for, catalog, monkeypatch, sort
):
    """The SKU runs rely on the bytes order (this database's: C on PostgreSQL, SQLite's
    binary); under a language collation the list sorts with one ORDER BY, no runs."""
    from apps.catalog import models

    assert models.sorts_in_bytes(connection) is True
    key = (connection.alias, connection.settings_dict["NAME"])
    monkeypatch.setitem(models._BYTES_ORDER, key, False)
    viewer = client_for("Viewer")
    with client_binding(), CaptureQueriesContext(connection) as queries:
        page_ids(viewer, {"sort": sort, "per_page": 5})
    assert not [q for q in queries if "run_1" in q["sql"]]
    expected = sorted(catalog, key=lambda p: _keys(p, sort), reverse=sort.startswith("-"))
    assert every_page(viewer, sort, 5) == [p.pk for p in expected]

"""Deep pages of the product list read their keys first (apps/core/paged.py): every
page of every sort, both directions, shows the rows the plain `OFFSET` showed, and the
pages together show every product once (every sort ends with pk, so rows that tie on a
name, a category or the active flag keep one order from page to page)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.catalog.models import Product
from apps.core import paged
from apps.inventory.services import stock_receive
from tests.binding import client_binding, plan
from tests.inventory.factories import StoreFactory

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

SORTS = ["sku", "name", "category", "selling_price", "on_hand", "stock_status", "active"]
PER_PAGE = 4


@pytest.fixture
def catalog():
    """14 products: equal names, two categories and none, inactive ones, equal prices and
    equal stock, so that every sort has ties for pk to break."""
    tea, mugs = CategoryFactory(name="Tea"), CategoryFactory(name="Mugs")
    store = StoreFactory(name="Main")
    products = []
    for i in range(14):
        products.append(
            ProductFactory(
                name=["Same", "Other", f"Unique {i}"][i % 3],
                category=[tea, mugs, None][i % 3],
                active=i % 4 != 0,
                selling_price=Decimal(["5.00", "7.50"][i % 2]),
            )
        )
    for i, product in enumerate(products[:9]):
        stock_receive(store=store, product=product, quantity=[3, 3, 40][i % 3])
    return products


def page_ids(client, params) -> list[int]:
    html = client.get(reverse("product-list"), params).content.decode()
    body = re.search(r'<tbody hx-boost="false">(.*?)</tbody>', html, re.S).group(1)
    return [int(pk) for pk in dict.fromkeys(re.findall(r'href="/catalog/products/(\d+)/"', body))]


def every_page(client, sort) -> list[list[int]]:
    found = []
    for page in range(1, 10):
        found.append(page_ids(client, {"sort": sort, "page": page, "per_page": PER_PAGE}))
        if len(found[-1]) < PER_PAGE:  # the last page
            break
    return found


@pytest.mark.parametrize("sort", SORTS + [f"-{s}" for s in SORTS])
def test_keys_first_pages_equal_the_offset_pages(client_for, catalog, monkeypatch, sort):
    client = client_for("Admin")
    monkeypatch.setattr(paged, "DEEP", 10**9)  # never: the plain OFFSET
    plain = every_page(client, sort)
    monkeypatch.setattr(paged, "DEEP", 0)  # always: keys first
    keys_first = every_page(client, sort)
    assert keys_first == plain
    monkeypatch.setattr(paged, "FROM_THE_END", 0)  # counted, the second half from the end
    assert every_page(client, sort) == plain
    shown = [pk for page in plain for pk in page]
    assert sorted(shown) == sorted(p.pk for p in catalog)  # each product once
    assert [len(page) for page in plain] == [4, 4, 4, 2]


def test_deep_page_reads_its_keys_then_its_rows(client_for, catalog, monkeypatch):
    """A deep page sends one statement more than a shallow one: its keys alone (the sort's
    index, LIMIT/OFFSET), then its rows by those keys, unsorted (put in the keys' order in
    Python), instead of the whole rows through OFFSET."""
    client = client_for("Admin")
    params = {"sort": "name", "page": 3, "per_page": PER_PAGE}
    page_ids(client, params)
    counts, statements = {}, {}
    for deep in (10**9, 0):
        monkeypatch.setattr(paged, "DEEP", deep)
        with client_binding(), CaptureQueriesContext(connection) as queries:
            page_ids(client, params)  # client-side binding: the statements' text
        counts[deep] = len(queries)
        statements[deep] = [q["sql"] for q in queries if 'FROM "catalog_product"' in q["sql"]]
    assert counts[0] == counts[10**9] + 1
    (plain,) = statements[10**9]
    assert "OFFSET 8" in plain and "ORDER BY" in plain
    keys, rows = statements[0]
    assert keys.startswith('SELECT "catalog_product"."id" AS "pk" FROM "catalog_product"')
    assert keys.endswith("LIMIT 5 OFFSET 8")  # a page and one row more: is there a next?
    assert '"catalog_product"."id" IN (' in rows
    assert "ORDER BY" not in rows and "OFFSET" not in rows


def test_a_row_gone_between_the_keys_and_the_rows_is_left_out(catalog, monkeypatch):
    """The rows are read by the keys in a second statement: a product deleted in between
    is not on the page, and the others keep the keys' order."""
    monkeypatch.setattr(paged, "DEEP", 0)
    ordered = Product.objects.order_by("name", "pk")
    keys = list(ordered.values_list("pk", flat=True)[2:6])
    page_order = paged.keys_first(ordered)
    real = page_order.queryset.values_list

    def then_delete(*args, **kwargs):
        found = list(real(*args, **kwargs))  # the keys, read before the delete
        Product.objects.filter(pk=keys[1]).update(deleted_at="2026-01-01T00:00:00Z")
        return found

    monkeypatch.setattr(page_order.queryset, "values_list", then_delete)
    assert [row.pk for row in page_order[2:6]] == [keys[0], keys[2], keys[3]]


def test_ties_on_name_follow_pk(client_for, catalog):
    client = client_for("Admin")
    ids = page_ids(client, {"sort": "name", "per_page": 50})
    same = [pk for pk in ids if Product.objects.get(pk=pk).name == "Same"]
    assert same == sorted(same) and len(same) == 5
    ids = page_ids(client, {"sort": "-name", "per_page": 50})
    same = [pk for pk in ids if Product.objects.get(pk=pk).name == "Same"]
    assert same == sorted(same, reverse=True)


@pytest.mark.parametrize("sort", ["selling_price", "-selling_price"])
def test_price_sort_pages_the_base_values_order_across_currencies(client_for, sort):
    """Sorted by price, the base-currency run (read in its price index's order) and the
    other currencies' run (sorted) are merged by base value and pk: the pages show the
    order of one sort by (no rate last, base value, pk), ties and currencies mixed."""
    from tests.sales.factories import currency, rate

    rate("EUR", "2.0")
    currency("GBP")  # no rate: its prices have no base value
    priced = [
        ("USD", "10.00"), ("EUR", "5.00"), ("USD", "7.50"), ("GBP", "1.00"), ("EUR", "3.75"),
        ("USD", "10.00"), ("GBP", "9.00"), ("EUR", "6.00"), ("USD", "12.00"), ("EUR", "5.00"),
    ]  # fmt: skip
    value = {"USD": Decimal(1), "EUR": Decimal(2), "GBP": None}
    keys = {}
    for i, (code, price) in enumerate(priced):
        product = ProductFactory(sku=f"P-{i}", currency=currency(code), selling_price=price)
        worth = None if value[code] is None else Decimal(price) * value[code]
        keys[product.pk] = (worth is None, worth or 0, product.pk)
    expected = sorted(keys, key=keys.get, reverse=sort.startswith("-"))
    viewer = client_for("Viewer")
    shown = [pk for page in every_page(viewer, sort) for pk in page]
    assert shown == expected
    with client_binding(), CaptureQueriesContext(connection) as queries:
        page_ids(viewer, {"sort": sort})
    assert [q for q in queries if "run_1" in q["sql"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_price_sort_reads_the_base_currency_run_from_the_price_index(client_for):
    for i in range(3):
        ProductFactory(sku=f"P-{i}", selling_price=Decimal(f"{i + 1}.00"))
    with client_binding(), CaptureQueriesContext(connection) as queries:
        page_ids(client_for("Viewer"), {"sort": "-selling_price"})
    (page,) = [q["sql"] for q in queries if "run_0" in q["sql"]]
    base_run = page.split("run_0 AS (")[1].split("run_1 AS (")[0]
    text = plan(base_run.rsplit(")", 1)[0], forbid=("sort", "seqscan"))
    assert "product_price_idx" in text and "Sort" not in text, text


def test_a_page_near_the_end_reads_its_keys_from_the_other_end(client_for, catalog, monkeypatch):
    """Past FROM_THE_END, a page in the second half of the list reads its keys in the
    exact reverse order (every key of the ORDER BY flipped), as many as it is from the
    end; the list pages lazily, so it counts the rows first."""
    client = client_for("Admin")
    params = {"sort": "name", "page": 4, "per_page": PER_PAGE}  # rows 12-13 of 14
    monkeypatch.setattr(paged, "DEEP", 0)
    monkeypatch.setattr(paged, "FROM_THE_END", 0)
    page_ids(client, params)
    with client_binding(), CaptureQueriesContext(connection) as queries:
        shown = page_ids(client, params)
    products = [q["sql"] for q in queries if 'FROM "catalog_product"' in q["sql"]]
    count, keys, rows = products
    assert count.startswith("SELECT COUNT(*)")
    assert re.search(r'ORDER BY "catalog_product"\."name" DESC, \S+ DESC LIMIT 2$', keys)
    assert shown == list(Product.objects.order_by("name", "pk").values_list("pk", flat=True))[12:]

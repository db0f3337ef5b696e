"""ProductTable.rows_html writes what catalog/_product_table.html's row loop wrote before
issue 14 (kept below as ROW_LOOP): for every role, the htmx partial, the one-store variant,
the table without stock, and awkward values (markup in names and SKUs, long names, no
category, zero and negative stock, inactive products, a currency without decimals)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.catalog.models import Category, Product
from apps.catalog.selectors import category_names
from apps.catalog.tables import ProductTable
from apps.core import reference
from apps.core.models import ReferenceStamp
from apps.core.request_context import memo_for
from apps.finance.models import Currency
from apps.finance.selectors import minor_units_by_code
from apps.inventory.models import ProductTotal
from apps.inventory.services import stock_receive
from tests.binding import client_binding
from tests.inventory.factories import StoreFactory

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

# The rows of templates/catalog/_product_table.html before they were written in Python.
ROW_LOOP = Template(
    "{% for row in table.paginated_rows %}{% with p=row.record %}"
    "{% url 'product-detail' p.pk as href %}\n<tr>\n"
    '  <td><a href="{{ href }}">{{ p.sku }}</a></td>\n'
    '  <td><a href="{{ href }}">{{ p.name }}</a></td>\n'
    '  <td>{{ p.category.name|default:"—" }}</td>\n'
    '  <td class="text-end text-nowrap">{{ row.cells.selling_price }}</td>\n'
    "  {% if table.with_stock %}\n"
    '  <td class="text-end">{{ p.on_hand }}</td>\n'
    '  <td>{% include "catalog/_stock_badge.html" with status=p.stock_status %}</td>\n'
    "  {% endif %}\n"
    "  <td>{% if p.active %}✔{% else %}✘{% endif %}</td>\n"
    "</tr>\n{% endwith %}{% endfor %}"
)


def collapse(html: str) -> str:
    return " ".join(html.split())


def tbody(html: str) -> str:
    match = re.search(r'<tbody hx-boost="false">(.*?)</tbody>', html, re.S)
    return collapse(match.group(1))


@pytest.fixture
def awkward():
    """Products whose rows test escaping, defaults, badges and money formatting."""
    yen = Currency.objects.get_or_create(
        code="JPY", defaults={"name": "Yen", "symbol": "¥", "minor_units": 0}
    )[0]
    store, other = StoreFactory(name="Main"), StoreFactory(name="Shop")
    odd = CategoryFactory(name='Tea & "co" <b>')
    products = [
        ProductFactory(sku='A&B "1"', name="<Tea> & 'co' \"x\"", category=odd),
        ProductFactory(sku="LONG-1", name="Long " * 39 + "name", category=None),
        ProductFactory(sku="OFF-1", name="Old mug", active=False, selling_price=Decimal("0")),
        ProductFactory(
            sku="BIG-1", name="Big", selling_price=Decimal("1234567.89"), low_stock_threshold=5
        ),
        ProductFactory(sku="YEN-1", name="Yen thing", currency=yen, selling_price=Decimal("1500")),
        ProductFactory(sku="NEG-1", name="Negative", category=None),
    ]
    stock_receive(store=store, product=products[0], quantity=1200)
    stock_receive(store=other, product=products[3], quantity=3)
    stock_receive(store=store, product=products[4], quantity=7, unit_cost="9.00")
    ProductTotal.objects.filter(pk=products[5].pk).update(units=-4)  # shown as stored
    return store, products


@pytest.mark.parametrize("role", ["Admin", "Viewer", "Sales", "Warehouse"])
def test_rows_equal_the_row_template_for_every_role_and_variant(client_for, awkward, role):
    store, products = awkward
    client = client_for(role)
    url = reverse("product-list")
    variants = [
        {},
        {"store": store.pk},
        {"sort": "-on_hand"},
        {"sort": "selling_price", "store": store.pk},
        {"q": "tea"},
    ]
    for params in variants:
        # The full page's table (an htmx partial renders no template the test client
        # records since the table is written in one pass: apps/core/table_html.py).
        table = client.get(url, params).context["table"]
        expected = collapse(ROW_LOOP.render(Context({"table": table})))
        assert expected.count("<tr>") == len(table.page.object_list) > 0
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, params, **headers)
            assert response.status_code == 200
            assert tbody(response.content.decode()) == expected, (role, params, headers)
    html = client.get(url).content.decode()
    assert "&lt;Tea&gt; &amp; &#x27;co&#x27; &quot;x&quot;" in html
    assert "A&amp;B &quot;1&quot;" in html and "1,234,567.89 USD" in html
    assert "1,500 JPY" in html and '<td class="text-end">-4</td>' in html


def test_rows_without_stock_and_the_empty_table(client_for, awkward):
    queryset = Product.objects.select_related("category", "currency").order_by("name")
    table = ProductTable(queryset, with_stock=False)
    expected = collapse(ROW_LOOP.render(Context({"table": table})))
    assert collapse(table.rows_html()) == expected
    assert "badge" not in expected and expected.count("<tr>") == 6
    empty = client_for("Viewer").get(reverse("product-list"), {"q": "nothing like this"})
    assert "Nothing matches these filters." in tbody(empty.content.decode())


def test_rows_take_category_names_and_minor_units_from_the_kept_lists(client_for, awkward):
    """The page's statement joins neither the categories nor the currencies: their names
    and minor units come from the lists kept under the reference stamp, so a rename shows
    on the next page as the join showed it."""
    client = client_for("Viewer")
    url = reverse("product-list")
    client.get(url)  # keeps the lists
    with client_binding(), CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    (rows,) = [q["sql"] for q in queries if 'FROM "catalog_product"' in q["sql"]]
    assert "catalog_category" not in rows and "finance_currency" not in rows
    assert "Tea &amp; &quot;co&quot; &lt;b&gt;" in html and "1,500 JPY" in html
    Category.objects.filter(name='Tea & "co" <b>').update(name="Teas")
    Currency.objects.filter(code="JPY").update(minor_units=2)
    html = client.get(url).content.decode()
    assert "<td>Teas</td>" in html and "1,500.00 JPY" in html


def test_kept_names_cover_rows_added_since_they_were_kept():
    """A category or currency created after the lists were kept under this request's stamp
    (a product saved with it meanwhile) is read, not missing."""
    request = RequestFactory().get("/")
    with memo_for(request):
        reference.stamp_seen(ReferenceStamp.objects.get(pk=1).value)
        before = CategoryFactory(name="Before")
        assert category_names([before.pk])[before.pk] == "Before"
        assert minor_units_by_code(["USD"])["USD"] == 2
        # Changes the stamp in the database, not the one this request read.
        after = CategoryFactory(name="After")
        Currency.objects.create(code="XTS", name="Test units", minor_units=3)
        assert category_names([after.pk, None]) == {before.pk: "Before", after.pk: "After"}
        assert minor_units_by_code(["XTS"])["XTS"] == 3

"""`{% table_html %}` (apps/core/table_html.py) writes exactly what tables2's
`{% render_table %}` writes through its templates: wrapper, header with its sort links,
rows and pager, byte for byte, for every list the demo admin reaches, in several sort and
page states, as a full page and as an htmx request, and for empty tables."""

import itertools
import re
from urllib.parse import urlsplit

import pytest
from django.template import RequestContext, Template
from django.test import Client

from apps.accounts.models import User
from apps.core.table_html import TEMPLATES
from backoffice.navigation import menu_for
from tests.core.menu_pages import page_tables
from tests.demo import seed_demo_pages

pytestmark = pytest.mark.django_db

TABLES2 = Template("{% load django_tables2 %}{% render_table table %}")
ONE_PASS = Template("{% load core_tags %}{% table_html table %}")
# Fresh on every rendering (row action forms): masked on both sides.
FRESH = re.compile(r'(name="(?:csrfmiddlewaretoken|idempotency_key)" value=")[^"]*"')


def _render(template: Template, table, request, page: dict) -> str:
    table._counter = itertools.count()  # odd/even row classes start over
    html = template.render(RequestContext(request, {**page, "table": table}))
    return FRESH.sub(r'\1*"', html)


def _compare(client, url: str, htmx: bool = False) -> list[str]:
    """Both renderings of every table on the page; returns the template names compared.
    An htmx request (the `#table` partial) must hold the table as tables2 writes it."""
    response = client.get(url)
    assert response.status_code == 200, url
    names = []
    for table, page in page_tables(response):
        request = response.wsgi_request
        expected = _render(TABLES2, table, request, page)
        assert _render(ONE_PASS, table, request, page) == expected, f"{url}: {type(table).__name__}"
        if htmx:
            partial = client.get(url, HTTP_HX_REQUEST="true")
            assert partial.status_code == 200, url
            assert expected in FRESH.sub(r'\1*"', partial.content.decode()), url
        names.append(table.template_name)
    return names


def _first_sort(client, url: str) -> str | None:
    response = client.get(url)
    for table, _ in page_tables(response):
        for column in table.columns:
            if column.orderable:
                return column.name
    return None


@pytest.fixture
def admin_client():
    seed_demo_pages()
    client = Client()
    client.force_login(User.objects.get(email="admin@demo.test"))
    return client


def test_every_list_is_written_as_tables2_writes_it(admin_client):
    admin = User.objects.get(email="admin@demo.test")
    pages = {urlsplit(item["url"]).path for s in menu_for(admin) for item in s["items"]}
    compared: dict[str, int] = {}
    for url in sorted(pages):
        response = admin_client.get(url)
        if response.status_code != 200 or not page_tables(response):
            continue
        sort = _first_sort(admin_client, url)
        variants = [url, f"{url}?per_page=2&page=3", f"{url}?per_page=1&page=999"]
        if sort:
            variants += [f"{url}?sort={sort}", f"{url}?sort=-{sort}&per_page=2&page=2&x=a%26b"]
        for variant in variants:
            htmx = variant.startswith(f"{url}?sort=-")
            for name in _compare(admin_client, variant, htmx):
                compared[name] = compared.get(name, 0) + 1
    # Every template the one-pass writer knows was compared, on many pages.
    assert set(TEMPLATES) <= set(compared), compared
    assert compared["django_tables2/backoffice.html"] > 100, compared


EMPTY = [
    "/catalog/products/?q=no-such-product-anywhere",
    "/inventory/stock/?q=no-such-product-anywhere",
    "/inventory/low-stock/?status=out&category=999999",
    "/customers/?q=no-such-customer-anywhere",
    "/sales/orders/?q=no-such-order-anywhere",
    "/credit/transactions/?status=failed&type=refund",
]


def test_empty_tables_long_page_ranges_and_the_list_page(admin_client):
    for url in EMPTY:
        assert _compare(admin_client, url, htmx=True), url
    # Pages far from both ends: the range shows "..." on both sides (no href).
    for url in (
        "/catalog/products/?per_page=1&page=25",
        "/customers/?per_page=1&page=15&sort=-name",
    ):
        html = admin_client.get(url).content.decode()
        assert html.count('<a class="page-link" >') == 2, url
        assert _compare(admin_client, url, htmx=True), url
    # core/list.html uses {% table_html %}: the page holds the table as tables2 wrote it.
    response = admin_client.get("/catalog/products/?sort=-on_hand&page=2")
    ((table, page),) = page_tables(response)
    expected = _render(TABLES2, table, response.wsgi_request, page)
    assert expected in response.content.decode()

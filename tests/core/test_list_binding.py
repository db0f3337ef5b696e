"""A list page's statements and the page frame's three reads are bound on the server
(apps.core.sql.server_binding), so PostgreSQL prepares them: the pages must show exactly
what they showed with Django's default (client-side binding) cursor, for every list the
demo admin reaches, each of its sorts, its filters' choices, a search and page 2."""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client

from apps.accounts.roles import Role
from bench.sweep_lists import LIST, OPTION, SELECT, SKIP, SORT
from tests.binding import client_binding
from tests.core.menu_pages import demo_client, menu_urls, url_pattern

pytestmark = pytest.mark.django_db

# What differs between two renderings of one page whatever the cursor: each request's
# masked CSRF token, CSP nonce and the action forms' fresh idempotency keys.
FRESH = re.compile(
    r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce="|idempotency_key" value=")[^"]+'
)
SEARCH = re.compile(r'<input type="search" name="(\w+)"')


def _page(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, FRESH.sub(r"\1*", response.content.decode())


def _diff(a: str, b: str) -> str:
    import difflib

    return "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=1))


def _variants(url: str, html: str) -> list[str]:
    """Page 2, the first two sorts of the page (each both ways), the first choice of each
    select of its filter bar, a search for a word the page shows and one for nothing.
    (All sorts and the first three choices of each select: 544 variants, all the same, at
    scale 2,000 when this was written; this sample keeps the test to a minute.)"""
    base = url.split("?")[0]
    found = [f"{base}?page=2"]
    for key in list(dict.fromkeys(k.lstrip("-") for k in SORT.findall(html)))[:2]:
        found += [f"{base}?sort={key}", f"{base}?sort=-{key}"]
    for name, options in SELECT.findall(html):
        if name in ("per_page", "cols"):
            continue
        found += [f"{base}?{urlencode({name: v})}" for v in OPTION.findall(options)[:1]]
    words = re.findall(r"<td[^>]*>(?:<a [^>]*>)?([A-Za-z]{4,})", html)
    for name in SEARCH.findall(html):
        if words:
            found += [f"{base}?{urlencode({name: words[0].lower()})}", f"{base}?{name}=zz"]
    return found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server binding is PostgreSQL's")
def test_every_list_variant_reads_the_same_rows_bound_on_the_server():
    admin, client = demo_client()
    pages = menu_urls(admin)
    seen: set[str] = set()
    compared = 0
    for url in pages:
        if SKIP.search(url) or url_pattern(url) in seen:
            continue
        seen.add(url_pattern(url))
        status, html = _page(client, url)
        if status != 200 or not LIST.search(html):
            continue
        for variant in [url, *_variants(url, html)]:
            bound = _page(client, variant)
            with client_binding():
                before = _page(client, variant)
            assert bound == before, (variant, _diff(before[1], bound[1]))
            compared += 1
    assert compared > 60, compared


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements")
def test_a_list_and_the_frame_are_prepared_after_five_requests(client_for):
    client = client_for(Role.ADMIN)
    for _ in range(6):
        assert client.get("/catalog/products/?sort=-name").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    named = {
        "session": 'FROM "django_session" s',
        "products": 'FROM "catalog_product"',
        # Read once and kept (apps.core.reference): never sent five times, never prepared.
        "user and roles": 'FROM "accounts_user" u',
        "company settings": 'FROM "core_companysettings" c',
        "stores": 'FROM "inventory_store"',
        "categories": 'FROM "catalog_category"',
    }
    found = {k for k, text in named.items() if any(text in s for s in prepared)}
    assert found == {"session", "products"}

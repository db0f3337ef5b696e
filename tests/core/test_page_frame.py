"""What every page shares, worked out once: the sidebar per role set and page, the company
settings once per GET request (issue 14)."""

import re

import pytest
from django.test import RequestFactory, override_settings

from apps.accounts.roles import Role
from apps.core.middleware import RequestContextMiddleware
from apps.core.models import CompanySettings

pytestmark = pytest.mark.django_db


def _menu(html: str) -> str:
    return re.search(r'<nav class="nav flex-column.*?</nav>', html, re.S).group(0)


def _active(html: str) -> list[str]:
    return re.findall(r'class="nav-link px-3 active fw-semibold" href="([^"]+)"', _menu(html))


def test_the_sidebar_marks_the_page_shown_and_follows_the_roles(client_for):
    admin, warehouse = client_for(Role.ADMIN), client_for(Role.WAREHOUSE)
    products = admin.get("/catalog/products/").content.decode()
    stock = admin.get("/inventory/stock/").content.decode()
    assert _active(products) == ["/catalog/products/"]
    assert _active(stock) == ["/inventory/stock/"]
    assert _menu(admin.get("/catalog/products/").content.decode()) == _menu(products)
    theirs = _menu(warehouse.get("/catalog/products/").content.decode())
    assert 'href="/ledger/journal/"' in _menu(products)
    assert 'href="/ledger/journal/"' not in theirs  # not the admin's cached menu
    assert 'href="/inventory/stock/"' in theirs


def _in_request(method: str, read):
    request = getattr(RequestFactory(), method.lower())("/")
    return RequestContextMiddleware(lambda request: read())(request)


def test_company_settings_read_once_per_get(django_assert_num_queries):
    CompanySettings.load()

    def twice():
        with django_assert_num_queries(1):
            first, second = CompanySettings.load(), CompanySettings.load()
        return first is second

    assert _in_request("GET", twice) is True


def test_no_memo_outside_a_get(django_assert_num_queries):
    CompanySettings.load()

    def twice():
        with django_assert_num_queries(2):
            return CompanySettings.load() is CompanySettings.load()

    assert _in_request("POST", twice) is False
    with django_assert_num_queries(2):  # outside any request
        assert CompanySettings.load() is not CompanySettings.load()


def test_the_frames_asset_links_follow_a_settings_change(admin_client):
    """base.html's {% once %} block (the stylesheets and scripts) is rendered once per
    process, and again after a settings change."""
    assert 'href="/static/css/app.css"' in admin_client.get("/catalog/products/").content.decode()
    with override_settings(STATIC_URL="/assets/"):
        page = admin_client.get("/catalog/products/").content.decode()
        assert 'href="/assets/css/app.css"' in page and "/static/" not in page
    assert 'href="/static/css/app.css"' in admin_client.get("/catalog/products/").content.decode()

"""Every list URL x every filter field x extreme/malformed values: never a 5xx (issue 12,
"500s from input"). Out-of-range pages show the last page."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from apps.accounts.roles import Role
from apps.inventory.filters import MovementFilter
from apps.inventory.views import MovementListView
from apps.ledger.models import Account
from tests.credit.conftest import approver, make_seller  # noqa: F401  (fixtures)
from tests.ledger.conftest import books  # noqa: F401  (fixture)
from tests.sales.conftest import store, widget  # noqa: F401  (fixtures)
from tests.sales.factories import make_customer, make_order

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
# "²": a digit to str.isdigit() that int() refuses (a 500 on several lists, found by fuzzing)
VALUES = [HUGE, f"-{HUGE}", "9999-12-31", "2026-02-30", "abc", "1e400", "²"]
PAGING = ["page", "per_page", "sort", "before", "after"]


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def list_pages():
    """(route, view class, filter field names) for every list page (a filterset or a table)."""
    pages = []
    for route, pattern in _walk(get_resolver().url_patterns):
        cls = getattr(pattern.callback, "view_class", None)
        if cls is None or "admin/" in route:
            continue
        if cls is MovementListView:
            fields = list(MovementFilter.base_filters)
        elif hasattr(cls, "get_filterset_class") and hasattr(cls, "table_class"):
            view = cls()
            view.request = None
            filterset = cls.filterset_class or view.get_filterset_class()
            fields = list(filterset.base_filters) if filterset else []
        elif getattr(cls, "table_class", None):
            fields = []
        else:
            continue
        pages.append((route, cls, fields))
    return pages


@pytest.fixture
def clients(make_seller, make_user, store, widget):  # noqa: F811
    """Data on every list, and a client per kind of reader (staff, seller, customer)."""
    seller = make_seller("100.00", company="Fuzz Phones")
    customer_user = make_user(Role.CUSTOMER, email="fuzz-customer@example.test")
    customer = make_customer("Fuzz Retail", portal_user=customer_user)
    make_order(customer, store, [(widget, 1)])
    staff = Client(raise_request_exception=False)
    staff.force_login(make_user(Role.ADMIN, email="fuzz-admin@example.test"))
    seller_client = Client(raise_request_exception=False)
    customer_client = Client(raise_request_exception=False)
    seller_client.force_login(seller.user)
    customer_client.force_login(customer_user)
    return {"staff": staff, "seller": seller_client, "customer": customer_client}


def url_for(route: str) -> str:
    if "<int:pk>" in route:
        account = Account.objects.filter(lines__isnull=False).order_by("pk").first()
        route = route.replace("<int:pk>", str(account.pk))
    assert "<" not in route, route
    return "/" + route


def reader(route: str) -> str:
    if route.startswith("portal/credit"):
        return "seller"
    if route.startswith("portal/"):
        return "customer"
    return "staff"


def test_the_list_pages_are_found():
    routes = {route for route, _cls, _fields in list_pages()}
    assert {
        "catalog/products/",
        "sales/orders/",
        "sales/returns/",
        "ledger/journal/",
        "ledger/accounts/<int:pk>/",
        "credit/transactions/",
        "inventory/stock/",
        "inventory/low-stock/",
        "inventory/movements/",
        "administration/audit/",
        "portal/credit/transactions/",
    } <= routes


def test_no_list_answers_5xx_to_extreme_filter_values(clients):
    failures = []
    requests = 0
    for route, _cls, fields in list_pages():
        client = clients[reader(route)]
        url = url_for(route)
        assert client.get(url).status_code == 200, route
        for field in [*fields, *PAGING]:
            for value in VALUES:
                for extra in ({}, {"_export": "csv"}) if value == HUGE else ({},):
                    response = client.get(url, {field: value, **extra})
                    requests += 1
                    if response.status_code >= 500:
                        failures.append(f"{url}?{field}={value} {extra}: {response.status_code}")
    Path("/tmp/fuzz_failures.txt").write_text("\n".join(failures))
    assert failures == []
    assert requests > 800


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/sales/orders/", {"customer": HUGE}),
        ("/inventory/movements/", {"end": "9999-12-31"}),
        ("/catalog/products/", {"page": HUGE}),
        ("/ledger/journal/", {"page": HUGE}),
        ("/inventory/stock/", {"page": HUGE}),
        ("/administration/audit/", {"page": HUGE}),
    ],
)
def test_the_reported_500s(clients, url, params):
    assert clients["staff"].get(url, params).status_code == 200


def test_huge_page_number_shows_the_last_page(client_for):
    client = client_for(Role.ADMIN)
    response = client.get(reverse("user-list"), {"page": HUGE})
    assert response.status_code == 200
    page = response.context["table"].page
    assert page.number == page.paginator.num_pages == 1
    assert [row.record.email for row in page.object_list] == ["admin@example.test"]

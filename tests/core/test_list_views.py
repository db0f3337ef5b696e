"""The shared list page: tolerant of bad query strings, constant query count, CSV export."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.finance.models import ExchangeRate

pytestmark = pytest.mark.django_db


def add_rates(n: int, start: dt.date = dt.date(2026, 1, 1)) -> None:
    ExchangeRate.objects.bulk_create(
        ExchangeRate(currency_id="EUR", date=start + dt.timedelta(days=i), rate=Decimal("1.1"))
        for i in range(n)
    )


@pytest.mark.parametrize(
    "query",
    [
        "page=999",
        "page=abc",
        "sort=nonexistent",
        "start=abc",
        "currency=ZZZ",
        "per_page=-1",
        "_export=csv&start=x",
    ],
)
def test_bad_query_strings_never_500(client_for, query):
    add_rates(30)
    response = client_for("Viewer").get(f"/finance/rates/?{query}")
    assert response.status_code == 200


def test_page_past_the_end_shows_the_last_page(client_for):
    add_rates(30)
    response = client_for("Viewer").get("/finance/rates/?page=999&sort=date")
    assert response.context["table"].page.number == 2
    assert [r.record.date.day for r in response.context["table"].page.object_list] == [
        26,
        27,
        28,
        29,
        30,
    ]


def test_query_count_does_not_grow_with_rows(client_for):
    client = client_for("Viewer")
    client.get("/finance/rates/")  # warm session, content types
    add_rates(5)
    with CaptureQueriesContext(connection) as few:
        client.get("/finance/rates/")
    add_rates(60, start=dt.date(2025, 1, 1))
    client.get("/finance/rates/")  # the currencies kept again (apps.core.reference)
    with CaptureQueriesContext(connection) as many:
        client.get("/finance/rates/")
    assert len(many) == len(few)


def test_unknown_partial_degrades_to_the_full_page(client_for):
    response = client_for("Viewer").get("/finance/rates/?_partial=nope", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" in response.content


def test_pages_extending_the_list_template_get_its_table_partial(client_for):
    """catalog/product_list.html extends core/list.html; htmx gets only #table."""
    response = client_for("Viewer").get("/catalog/products/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<div id="table"')

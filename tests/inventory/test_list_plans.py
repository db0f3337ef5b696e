"""How the stock lists' statements reach PostgreSQL (bound on the server and prepared, or
planned each time)."""

import pytest
from django.db import connection
from django.urls import reverse

from apps.inventory.services import stock_receive
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements")
def test_searched_stock_and_movement_pages_are_planned_each_time(client_for, stores):
    """A name search is never prepared (its generic plan walked every product or movement);
    the same pages unsearched are."""
    tea = ProductFactory(sku="TEA-1", name="Green tea")
    stock_receive(store=stores[0], product=tea, quantity=3)
    viewer = client_for("Viewer")
    for _ in range(7):
        assert viewer.get(reverse("stock-list"), {"q": "green"}).status_code == 200
        assert viewer.get(reverse("movement-list"), {"product": "green"}).status_code == 200
        assert viewer.get(reverse("stock-list")).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    levels = [s for s in prepared if s.startswith('SELECT "inventory_stocklevel"')]
    moves = [s for s in prepared if 'FROM "inventory_stockmovement"' in s]
    assert len(levels) == 1 and " LIKE " not in levels[0]
    assert [s for s in moves if " LIKE " in s] == []
    assert (
        "<td>Green tea</td>" in viewer.get(reverse("stock-list"), {"q": "green"}).content.decode()
    )

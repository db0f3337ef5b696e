"""order_lines_add: several products in one call, all or none, in a constant number of
statements (the API's bulk lines and the portal's placement use it)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.audit import events_for
from apps.sales import services
from apps.sales.services import LineItem, OrderError

from .factories import make_order, make_product

pytestmark = pytest.mark.django_db

D = Decimal


def test_bulk_add_merges_repeats_and_existing_lines_and_prices_once(customer, store):
    pen, pad, ink = make_product("2.50"), make_product("4.00"), make_product("1.99")
    order = make_order(customer, store, [(pen, 1)])
    lines = services.order_lines_add(
        order=order,
        items=[
            LineItem(pad, 2, discount_percent=D("10")),
            LineItem(pen, 3),
            LineItem(ink, 1, unit_price=D("1.50")),
            LineItem(pad, 1),
        ],
    )
    order.refresh_from_db()
    got = [
        (line.product_id, line.position, line.quantity, line.unit_price, line.net)
        for line in order.lines.all()
    ]
    assert got == [
        (pen.pk, 1, 4, D("2.50"), D("10.00")),
        (pad.pk, 2, 3, D("4.00"), D("10.80")),
        (ink.pk, 3, 1, D("1.50"), D("1.50")),
    ]
    assert [line.product_id for line in lines] == [pad.pk, pen.pk, ink.pk]
    assert (order.subtotal, order.discount_total) == (D("23.50"), D("1.20"))
    events = [e.event for e in events_for(order) if e.event.startswith("order.line")]
    assert sorted(events) == sorted(
        ["order.line_added", "order.line_added", "order.line_changed", "order.line_added"]
    )


def test_one_bad_item_adds_nothing(customer, store):
    pen, retired = make_product("2.50"), make_product(active=False)
    order = make_order(customer, store, [(pen, 1)])
    with pytest.raises(OrderError, match="not available for sale"):
        services.order_lines_add(order=order, items=[LineItem(pen, 5), LineItem(retired, 1)])
    with pytest.raises(OrderError):
        services.order_lines_add(order=order, items=[LineItem(pen, 0)])
    order.refresh_from_db()
    assert [(line.product_id, line.quantity) for line in order.lines.all()] == [(pen.pk, 1)]
    assert order.subtotal == D("2.50")
    assert not [e for e in events_for(order) if e.event == "order.line_changed"]


@pytest.mark.parametrize("count", [1, 20])
def test_statements_do_not_grow_with_the_number_of_items(customer, store, count):
    products = [make_product("1.00") for _ in range(20)]
    order = make_order(customer, store)
    with CaptureQueriesContext(connection) as queries:
        services.order_lines_add(order=order, items=[LineItem(p) for p in products[:count]])
    assert order.lines.count() == count
    # Savepoint pair, order lock, its lines, insert of the new lines, update of their priced
    # amounts, the order totals, the audit insert: 8 for 1 item and for 20.
    assert len(queries) == 8

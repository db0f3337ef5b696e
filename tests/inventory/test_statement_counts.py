"""The stock documents cost a fixed number of SQL statements whatever their lines (issue
14), pinned per service on the database the suite runs on: PostgreSQL creates and locks
missing levels in one statement, writes the levels with their products' and stores' totals
in one, and a journal entry with its lines and balances in one. In a test each service also
pays a savepoint and its release (the test's transaction); called from a view it is the
outermost transaction and pays neither. order_confirm's count is pinned in
tests/sales/test_services.py and tests/inventory/test_valuation.py."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.inventory.models import MovementReason
from apps.inventory.services import (
    stock_adjust,
    stock_receive,
    stock_remove,
    stock_return,
    stock_transfer,
)
from apps.sales import services as sales
from apps.sales.models import Return, ReturnDisposition
from tests.binding import prepared_statements
from tests.catalog.factories import ProductFactory
from tests.sales.factories import make_order

pytestmark = pytest.mark.django_db

# {service: (SQLite, PostgreSQL)}
# SQLite: a product's alert threshold comes from its UPDATE, which now runs for every
# product moved (a transfer's units do not change its total): +1 for the transfer that
# creates its target level, whose INSERT no longer comes with a SELECT of its own; the
# documents that create no level pay one INSERT less (receive, cancel). A document that
# creates a level deletes its MissingLevel pair: in the levels' INSERT on PostgreSQL, in
# a DELETE of its own on SQLite (+1 for the first transfer).
EXPECTED = {
    "receive": (13, 9),
    "remove": (12, 8),
    "first transfer": (10, 6),
    "transfer": (8, 6),
    "cancel": (16, 13),
    "return": (24, 20),
}


def statements(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def expected(service: str) -> int:
    return EXPECTED[service][connection.vendor == "postgresql"]


@pytest.fixture
def stocked(stores):
    products = [ProductFactory(sku=f"S-{n}") for n in range(4)]
    for product in products:
        stock_receive(store=stores[0], product=product, quantity=10)
    return products


def confirmed(store, products, quantity=1):
    order = make_order(store=store, lines=[(p, quantity) for p in products])
    sales.order_confirm(order=order)
    return order


def test_the_movement_forms(stores, stocked):
    a, b = stores[0], stores[1]
    receive = statements(lambda: stock_receive(store=a, product=stocked[0], quantity=3))
    damaged = MovementReason.DAMAGED
    remove = statements(
        lambda: stock_remove(store=a, product=stocked[0], quantity=1, reason=damaged)
    )
    first = statements(
        lambda: stock_transfer(from_store=a, to_store=b, product=stocked[0], quantity=2)
    )
    again = statements(
        lambda: stock_transfer(from_store=a, to_store=b, product=stocked[0], quantity=2)
    )
    assert (receive, remove, first, again) == (
        expected("receive"),
        expected("remove"),
        expected("first transfer"),
        expected("transfer"),
    )


@pytest.mark.parametrize("size", [1, 4])
def test_cancel_and_return_whatever_their_lines(stores, stocked, size):
    cancelled = confirmed(stores[0], stocked[:size])
    assert statements(lambda: sales.order_cancel(order=cancelled, reason="No")) == expected(
        "cancel"
    )
    returned = confirmed(stores[0], stocked[:size], quantity=2)
    quantities = {line.pk: 1 for line in returned.lines.all()}
    sales.return_create(  # the year's first return creates its number sequence
        order=returned,
        quantities=quantities,
        reason="Broken",
        disposition=ReturnDisposition.WRITE_OFF,
    )
    ContentType.objects.get_for_model(Return)  # cached per process: the first test pays it
    assert statements(
        lambda: sales.return_create(
            order=returned,
            quantities=quantities,
            reason="Broken",
            disposition=ReturnDisposition.RESTOCK,
        )
    ) == expected("return")


MOVEMENTS = '%"inventory_stockmovement"%'  # the statements that write movements

if connection.vendor == "postgresql":  # SQLite prepares nothing

    @pytest.mark.parametrize("service", ["receive", "remove", "adjust", "transfer", "return"])
    def test_a_movement_form_is_prepared_once_a_connection(stores, stocked, monkeypatch, service):
        """The movement forms bind their values on the server (`server_binding`): their
        statements keep one text, which a connection prepares once. With the values quoted
        into the text (Django's default cursor), psycopg prepares nothing."""
        a, b, product = stores[0], stores[1], stocked[0]
        counted = iter(range(9, 0, -1))
        act = {
            "receive": lambda: stock_receive(store=a, product=product, quantity=1),
            "remove": lambda: stock_remove(
                store=a, product=product, quantity=1, reason=MovementReason.DAMAGED
            ),
            "adjust": lambda: stock_adjust(
                store=a,
                product=product,
                counted_quantity=next(counted),
                reason=MovementReason.COUNT_CORRECTION,
            ),
            "transfer": lambda: stock_transfer(
                from_store=a, to_store=b, product=product, quantity=1
            ),
            "return": lambda: stock_return(store=a, product=product, quantity=1),
        }[service]
        connection.ensure_connection()
        monkeypatch.setattr(connection.connection, "prepare_threshold", 2)
        for _ in range(3):
            act()
        prepared = len(prepared_statements(MOVEMENTS))
        for _ in range(3):
            act()
        assert prepared >= 1
        assert len(prepared_statements(MOVEMENTS)) == prepared

    @pytest.mark.parametrize(
        "document, text",
        [
            ("cancel", '"cancel_reason" ='),
            ("fulfil", '"fulfilled_at" ='),
            ("return", 'INSERT INTO "sales_return"'),
        ],
    )
    def test_an_order_document_is_prepared_once_a_connection(
        stores, stocked, monkeypatch, document, text
    ):
        """Cancel, fulfil and return bind their values on the server too: the statement
        only that document sends is prepared once, not sent as a new text each time."""
        orders = [confirmed(stores[0], stocked[:2]) for _ in range(3)]
        act = {
            "cancel": lambda order: sales.order_cancel(order=order, reason="No"),
            "fulfil": lambda order: sales.order_fulfil(order=order),
            "return": lambda order: sales.return_create(
                order=order,
                quantities={line.pk: 1 for line in order.lines.all()},
                reason="Broken",
                disposition=ReturnDisposition.RESTOCK,
            ),
        }[document]
        connection.ensure_connection()
        monkeypatch.setattr(connection.connection, "prepare_threshold", 2)
        for order in orders:
            act(order)
        assert len(prepared_statements(f"%{text}%")) == 1

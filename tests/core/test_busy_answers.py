"""A write that cannot get the database in time answers 503 + Retry-After, never a 500.

Real contention, no mocks: another thread holds the write lock (SQLite: an open write
transaction in the queue; PostgreSQL: a row lock, with this connection's lock_timeout short)
while the request tries to write. Nothing the request asked for may be recorded.
"""

import threading

import pytest
from django.db import connection, transaction
from django.db.utils import OperationalError

from apps.accounts.roles import Role
from apps.core.middleware import BUSY_MESSAGE, is_database_busy
from apps.inventory.models import StockLevel, StockMovement
from apps.inventory.services import stock_receive
from tests.catalog.factories import ProductFactory
from tests.inventory.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)


class HeldLock:
    """Holds the database's write lock (SQLite) or the level's row lock (PostgreSQL)."""

    def __init__(self, level_pk: int):
        self.level_pk = level_pk
        self.ready, self.done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self.hold)

    def hold(self):
        try:
            with transaction.atomic():
                StockLevel.objects.select_for_update().get(pk=self.level_pk)
                self.ready.set()
                self.done.wait(30)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join(30)


def shorten_wait():
    """Make this thread's connection give up after 0.3 s instead of the default limit."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.write_wait = 0.3
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")


@pytest.fixture
def level():
    store, product = StoreFactory(code="MAIN"), ProductFactory(sku="BUSY-001")
    stock_receive(store=store, product=product, quantity=10)
    return StockLevel.objects.get(store=store, product=product)


def test_a_busy_database_answers_503_with_retry_after_and_changes_nothing(client_for, level):
    client = client_for(Role.WAREHOUSE)
    client.get("/inventory/remove/")  # session and CSRF settled before the lock is taken
    movements = StockMovement.objects.count()
    shorten_wait()
    with HeldLock(level.pk):
        response = client.post(
            "/inventory/remove/",
            {
                "store": level.store_id,
                "product": "BUSY-001",
                "quantity": "1",
                "reason": "damaged",
                "reference": "busy-test",
            },
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert BUSY_MESSAGE in response.content.decode()
    assert StockMovement.objects.count() == movements
    assert StockLevel.objects.get(pk=level.pk).quantity == 10


def test_the_same_request_after_the_lock_is_gone_goes_through(client_for, level):
    client = client_for(Role.WAREHOUSE)
    response = client.post(
        "/inventory/remove/",
        {
            "store": level.store_id,
            "product": "BUSY-001",
            "quantity": "1",
            "reason": "damaged",
            "reference": "after",
        },
    )
    assert response.status_code == 302
    assert StockLevel.objects.get(pk=level.pk).quantity == 9


def test_api_paths_get_problem_json(client_for, level):
    """The API (coming in its own issue) shares the answer: problem+json with the same text."""
    from django.test import RequestFactory

    from apps.core.middleware import busy_response

    response = busy_response(RequestFactory().post("/api/v1/inventory/movements/"))
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "2"
    assert b'"detail": "' + BUSY_MESSAGE.encode() + b'"' in response.content


def test_which_errors_count_as_busy(level):
    """The service's error under a held lock is recognised; other database errors are not."""
    shorten_wait()
    with HeldLock(level.pk), pytest.raises(OperationalError) as exc:
        stock_receive(store=level.store, product=level.product, quantity=1)
    assert is_database_busy(exc.value)
    assert StockLevel.objects.get(pk=level.pk).quantity == 10
    assert not is_database_busy(OperationalError("no such table: nowhere"))
    assert not is_database_busy(ValueError("database is locked"))

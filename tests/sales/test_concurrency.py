"""Real threads against the real database (SQLite WAL + BEGIN IMMEDIATE, or PostgreSQL)."""

import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, transaction

from apps.inventory.models import StockLevel, StockMovement
from apps.sales import services
from apps.sales.models import Coupon, CouponKind, Order, OrderStatus
from apps.sales.services import OrderError, StockShortage
from tests.inventory.factories import StoreFactory
from tests.inventory.test_concurrency import run_together

from .conftest import assert_sales_books_ok
from .factories import make_customer, make_order, make_product, stocked

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def outcome(result) -> str:
    return type(result).__name__


def test_thirty_one_unit_orders_against_ten_in_stock_confirm_exactly_ten():
    store = StoreFactory()
    product = stocked(store, make_product(sku="HOT-1"), 10)
    customer = make_customer()
    orders = [make_order(customer, store, [(product, 1)]) for _ in range(30)]

    results = run_together([lambda o=o: services.order_confirm(order=o) for o in orders])

    assert Counter(outcome(r) for r in results) == {"Order": 10, "StockShortage": 20}
    for result in results:
        if isinstance(result, StockShortage):
            assert "HOT-1" in result.messages[1] and "1 ordered, 0 available" in result.messages[1]
    assert StockLevel.objects.get(store=store, product=product).quantity == 0
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert statuses == {OrderStatus.CONFIRMED: 10, OrderStatus.DRAFT: 20}
    assert_sales_books_ok()


def test_orders_sharing_products_in_opposite_order_never_deadlock():
    store = StoreFactory()
    a = stocked(store, make_product(sku="A"), 100)
    b = stocked(store, make_product(sku="B"), 100)
    customer = make_customer()
    orders = [
        make_order(customer, store, [(a, 1), (b, 1)] if n % 2 else [(b, 1), (a, 1)])
        for n in range(12)
    ]
    results = run_together([lambda o=o: services.order_confirm(order=o) for o in orders])
    assert Counter(outcome(r) for r in results) == {"Order": 12}
    levels = dict(StockLevel.objects.filter(store=store).values_list("product__sku", "quantity"))
    assert levels == {"A": 88, "B": 88}
    assert_sales_books_ok()


def test_confirm_and_cancel_of_the_same_order_race_to_a_consistent_state():
    rounds = 6
    store = StoreFactory()
    product = stocked(store, make_product(sku="RACE"), 100)
    customer = make_customer()
    for _ in range(rounds):
        order = make_order(customer, store, [(product, 5)])
        before = StockLevel.objects.get(store=store, product=product).quantity
        confirm, cancel = run_together(
            [
                lambda o=order: services.order_confirm(order=o),
                lambda o=order: services.order_cancel(order=o, reason="race"),
            ]
        )
        order.refresh_from_db()
        after = StockLevel.objects.get(store=store, product=product).quantity
        # Either order of events ends cancelled with the stock back: cancel first (the
        # confirm is refused), or confirm first (the cancel returns the 5 units).
        assert isinstance(cancel, Order), cancel
        assert isinstance(confirm, Order) or "only drafts can be confirmed" in str(confirm)
        assert (order.status, after) == (OrderStatus.CANCELLED, before)
    assert_sales_books_ok()


def _wait_until_a_backend_waits_for_a_lock(timeout: float = 10.0) -> None:
    """PostgreSQL: until another session waits for a row lock. SQLite: a moment (the
    confirm queues for the write lock, which the test cannot see from here)."""
    if connection.vendor != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # inside a transaction the activity view is read once, unless cleared
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the confirm never waited for the order's lock")


def test_a_confirm_waiting_for_an_edit_confirms_the_lines_as_the_edit_left_them():
    """The edit holds the order's lock when the confirm starts: the confirm must see the
    line it added and the quantity it raised, not the lines before the edit."""
    store = StoreFactory()
    a, b, c = (stocked(store, make_product(sku=sku), 10) for sku in ("EA", "EB", "EC"))
    order = make_order(make_customer(), store, [(a, 1), (b, 1)])
    editing, confirmed = threading.Event(), []

    def edit():
        try:
            with transaction.atomic():
                services.order_line_add(order=order, product=c, quantity=2)  # locks the order
                services.order_line_add(order=order, product=a, quantity=3)  # a: 1 -> 4
                editing.set()
                _wait_until_a_backend_waits_for_a_lock()
        finally:
            editing.set()
            connection.close()

    def confirm():
        try:
            editing.wait(timeout=30)
            confirmed.append(services.order_confirm(order=order))
        finally:
            connection.close()

    threads = [threading.Thread(target=edit), threading.Thread(target=confirm)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert confirmed and confirmed[0].status == OrderStatus.CONFIRMED
    order.refresh_from_db()
    assert order.total == Decimal("70.00")  # 4 + 1 + 2 units at 10.00
    sold = dict(
        StockMovement.objects.filter(reference=order.number).values_list("product__sku", "quantity")
    )
    assert sold == {"EA": -4, "EB": -1, "EC": -2}
    levels = dict(StockLevel.objects.filter(store=store).values_list("product__sku", "quantity"))
    assert levels == {"EA": 6, "EB": 9, "EC": 8}
    assert_sales_books_ok()


def test_a_coupon_with_five_uses_is_used_exactly_five_times_by_twenty_orders():
    store = StoreFactory()
    product = stocked(store, make_product(sku="CPN"), 100)
    Coupon.objects.create(code="FIVE", kind=CouponKind.PERCENT, value=Decimal("10"), max_uses=5)
    customer = make_customer()
    orders = []
    for _ in range(20):
        order = make_order(customer, store, [(product, 1)])
        services.order_coupon_set(order=order, code="FIVE")
        orders.append(order)

    results = run_together([lambda o=o: services.order_confirm(order=o) for o in orders])

    assert Counter(outcome(r) for r in results) == {"Order": 5, "OrderError": 15}
    for result in results:
        if isinstance(result, OrderError):
            assert "FIVE has been used up" in " ".join(result.messages)
    assert Coupon.objects.get().times_used == 5
    assert Order.objects.filter(status=OrderStatus.CONFIRMED, coupon__code="FIVE").count() == 5
    assert StockLevel.objects.get(store=store, product=product).quantity == 95
    assert_sales_books_ok()


def test_concurrent_drafts_get_unique_gapless_numbers():
    store = StoreFactory()
    customer = make_customer()
    results = run_together(
        [lambda: services.order_create(customer=customer, store=store) for _ in range(16)]
    )
    numbers = sorted(r.number for r in results)
    year = numbers[0].split("-")[1]
    assert numbers == [f"SO-{year}-{n:05d}" for n in range(1, 17)]

"""Real threads against the real database (SQLite WAL + BEGIN IMMEDIATE, or PostgreSQL)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from apps.inventory.models import MovementType, StockLevel, StockMovement
from apps.inventory.services import (
    InsufficientStock,
    stock_adjust,
    stock_receive,
    stock_remove,
    stock_transfer,
)
from tests.catalog.factories import CategoryFactory, ProductFactory, usd

from .conftest import assert_stock_books_ok
from .factories import StoreFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def run_together(jobs):
    """Start every job at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return results


def level(store, product):
    return StockLevel.objects.get(store=store, product=product).quantity


def test_twenty_workers_removing_one_from_ten_sell_exactly_ten():
    store, product = StoreFactory(), ProductFactory()
    stock_receive(store=store, product=product, quantity=10)

    def remove_one():
        return stock_remove(
            store=store, product=product, quantity=1, movement_type=MovementType.SALE
        )

    results = run_together([remove_one] * 20)
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"StockMovement": 10, "InsufficientStock": 10}
    assert all(r.available == 0 for r in results if isinstance(r, InsufficientStock))
    assert level(store, product) == 0
    sales = StockMovement.objects.filter(movement_type=MovementType.SALE).order_by("id")
    assert sales.count() == 10
    assert [m.new_quantity for m in sales] == list(range(9, -1, -1))
    assert_stock_books_ok()


def test_opposite_transfers_finish_without_deadlock():
    a, b = StoreFactory(), StoreFactory()
    products = [ProductFactory(), ProductFactory()]
    for product in products:
        stock_receive(store=a, product=product, quantity=50)
        stock_receive(store=b, product=product, quantity=50)

    def transfer(source, target, product):
        return lambda: stock_transfer(
            from_store=source, to_store=target, product=product, quantity=3
        )

    jobs = []
    for product in products:
        jobs += [transfer(a, b, product), transfer(b, a, product)] * 4
    results = run_together(jobs)
    assert [r for r in results if not isinstance(r, tuple)] == []
    for product in products:
        assert (level(a, product), level(b, product)) == (50, 50)
    assert StockMovement.objects.filter(movement_type=MovementType.TRANSFER_OUT).count() == 16
    assert StockMovement.objects.filter(movement_type=MovementType.TRANSFER_IN).count() == 16
    assert_stock_books_ok()


def test_first_receipts_of_a_new_level_do_not_collide():
    store, product = StoreFactory(), ProductFactory()
    results = run_together([lambda: stock_receive(store=store, product=product, quantity=2)] * 8)
    assert all(r.movement_type == MovementType.RECEIPT for r in results)
    assert level(store, product) == 16
    assert StockLevel.objects.filter(store=store, product=product).count() == 1
    assert_stock_books_ok()


def test_adjustments_racing_removals_keep_the_ledger_exact():
    store, product = StoreFactory(), ProductFactory()
    stock_receive(store=store, product=product, quantity=20)
    jobs = [
        lambda: stock_remove(store=store, product=product, quantity=3, reason="damaged")
    ] * 6 + [
        lambda: stock_adjust(store=store, product=product, counted_quantity=5, reason="other")
    ] * 2
    results = run_together(jobs)
    expected = [
        r
        for r in results
        if isinstance(r, StockMovement | InsufficientStock)
        or "is already 5; nothing to adjust" in str(r)  # a count that finds 5 already
    ]
    assert len(expected) == len(results), results
    final = level(store, product)
    assert final == sum(
        StockMovement.objects.filter(product=product).values_list("quantity", flat=True)
    )
    assert final >= 0
    assert_stock_books_ok()


def test_concurrent_sales_and_receipts_at_other_costs_keep_the_books_exact():
    """Invariant 8 under contention: ten deliveries at ten different costs race eight
    single sales and four order confirmations of the same product and store."""
    from decimal import Decimal

    from django.db.models import Sum

    from apps.ledger import chart
    from apps.ledger.models import Account
    from apps.sales.services import order_confirm
    from tests.sales.factories import make_customer, make_order

    store, product = StoreFactory(), ProductFactory(cost_price=Decimal("1.00"))
    stock_receive(store=store, product=product, quantity=40)  # 40.00
    customer = make_customer()
    orders = [make_order(customer=customer, store=store, lines=[(product, 2)]) for _ in range(4)]
    costs = [Decimal(f"{1 + i}.{i}7") for i in range(10)]  # 1.07, 2.17, ... 10.97

    def receive(cost):
        return lambda: stock_receive(store=store, product=product, quantity=5, unit_cost=cost)

    def sell():
        return stock_remove(
            store=store, product=product, quantity=3, movement_type=MovementType.SALE
        )

    def confirm(order):
        return lambda: order_confirm(order=order)

    jobs = [receive(c) for c in costs] + [sell] * 8 + [confirm(o) for o in orders]
    results = run_together(jobs)
    assert [type(r).__name__ for r in results].count("StockMovement") == 18
    assert [type(r).__name__ for r in results].count("Order") == 4
    row = StockLevel.objects.get(store=store, product=product)
    assert row.quantity == 40 + 50 - 24 - 8
    received = Decimal("40.00") + sum(5 * c for c in costs)  # 40.00 + 301.00
    inventory = Account.objects.get(code=chart.INVENTORY).balance
    cogs = Account.objects.get(code=chart.COGS).balance
    assert (received, inventory + cogs) == (Decimal("341.00"), Decimal("341.00"))
    assert inventory == row.value
    sold = StockMovement.objects.filter(movement_type=MovementType.SALE).aggregate(v=Sum("value"))
    assert -Decimal(str(sold["v"])).quantize(Decimal("0.01")) == cogs
    assert_stock_books_ok()


def _release_when_waiting(made, release, statement: str) -> bool:
    """Once `made` is set, wait (up to 30 s) until a session waits on a lock while running
    a statement LIKE `statement`, then set `release`; whether one was seen waiting."""
    assert made.wait(timeout=60)
    seen = False
    for _ in range(600):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE %s",
                [statement],
            )
            seen = cursor.fetchone()[0] > 0
        if seen:
            break
        threading.Event().wait(0.05)
    release.set()
    return seen


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL lock wait")
def test_a_store_created_while_a_product_is_being_created_gets_its_pair():
    """The product's transaction has not committed when the store is created: the store
    waits for it (its SHARE lock on the catalog), so neither misses the other's pair."""
    from django.db import transaction

    from apps.inventory.books import missing_levels
    from apps.inventory.models import MissingLevel

    made, release = threading.Event(), threading.Event()
    old = StoreFactory(code="OLD")

    def create_product():
        with transaction.atomic():
            product = ProductFactory(sku="SLOW-1")
            made.set()
            assert release.wait(timeout=60)
        return product.pk

    def create_store():
        assert made.wait(timeout=60)
        return StoreFactory(code="NEW").pk

    def referee():
        _release_when_waiting(made, release, "LOCK TABLE%")

    product_id, store_id, _ = run_together([create_product, create_store, referee])
    assert isinstance(product_id, int) and isinstance(store_id, int), (product_id, store_id)
    assert set(MissingLevel.objects.values_list("store_id", "product_id")) == {
        (old.pk, product_id),
        (store_id, product_id),
    }
    assert missing_levels().violations == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL lock wait")
def test_a_product_inserted_while_a_store_is_being_created_gets_its_pair():
    """The other way round, with a product inserted outside Model.save: the store's
    transaction holds its SHARE lock on the catalog and has not committed, so the
    product's INSERT waits for it, and the product table's trigger (a statement of its
    own, after the wait) then sees the new store and inserts that pair too."""
    from django.db import transaction

    from apps.catalog.models import Product
    from apps.inventory.books import missing_levels
    from apps.inventory.models import MissingLevel

    made, release = threading.Event(), threading.Event()
    old = StoreFactory(code="OLD")
    # its category and currency committed first: the product's insert then waits for
    # nothing but the store's lock on the catalog
    model = ProductFactory.build(sku="SLOW-2", category=CategoryFactory(), currency=usd())

    def create_store():
        with transaction.atomic():
            store = StoreFactory(code="NEW")
            made.set()
            assert release.wait(timeout=60)
        return store.pk

    def create_product():
        assert made.wait(timeout=60)
        return Product.objects.bulk_create([model])[0].pk

    def referee():
        if not _release_when_waiting(made, release, 'INSERT INTO "catalog_product"%'):
            raise AssertionError("the product's insert never waited for the store")

    store_id, product_id, refereed = run_together([create_store, create_product, referee])
    assert refereed is None, refereed
    assert isinstance(product_id, int) and isinstance(store_id, int), (product_id, store_id)
    assert set(MissingLevel.objects.values_list("store_id", "product_id")) == {
        (old.pk, product_id),
        (store_id, product_id),
    }
    assert missing_levels().violations == []

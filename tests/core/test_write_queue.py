"""The SQLite write queue (apps/core/backends/sqlite3): writers wait in line, never starve.

Unit tests drive WriteQueue directly on a temporary lock file; the concurrency tests go
through the real services and the real database (SQLite or PostgreSQL, whichever runs).
"""

import multiprocessing
import os
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from apps.core.backends.sqlite3.writequeue import DatabaseBusy, WriteQueue
from apps.inventory.models import MovementType, StockLevel, StockMovement
from apps.inventory.services import InsufficientStock, stock_receive, stock_remove
from tests.catalog.factories import ProductFactory
from tests.inventory.conftest import assert_stock_books_ok
from tests.inventory.factories import StoreFactory


def test_threads_get_the_lock_in_the_order_they_asked(tmp_path):
    queue = WriteQueue(str(tmp_path / "db.sqlite3"))
    holder = object()
    queue.acquire(holder, timeout=5)
    order: list[int] = []
    threads = []
    for n in range(8):
        owner = object()

        def wait(n=n, owner=owner):
            queue.acquire(owner, timeout=5)
            order.append(n)
            queue.release(owner)

        thread = threading.Thread(target=wait)
        thread.start()
        threads.append(thread)
        while len(queue._line) < n + 1:  # the next one asks only after this one is in line
            time.sleep(0.001)
    queue.release(holder)
    for thread in threads:
        thread.join(5)
    assert order == list(range(8))


def test_a_waiter_past_its_limit_gets_busy_and_leaves_the_line(tmp_path):
    queue = WriteQueue(str(tmp_path / "db.sqlite3"))
    holder, impatient, patient = object(), object(), object()
    queue.acquire(holder, timeout=5)
    got: list[str] = []
    later = threading.Thread(
        target=lambda: (queue.acquire(patient, timeout=5), got.append("patient"))
    )
    with pytest.raises(DatabaseBusy) as exc:
        started = threading.Thread(target=later.start)
        started.start()
        queue.acquire(impatient, timeout=0.2)
    assert "nothing was changed" in str(exc.value)
    assert exc.value.waited >= 0.2
    queue.release(holder)
    later.join(5)
    assert got == ["patient"]  # the one behind the impatient waiter was not stuck
    assert queue.held_by(patient)
    queue.release(patient)
    assert not queue._line


def _line_of_short_writers(queue: WriteQueue, writers: int, hold: float) -> list:
    """`writers` threads in line behind a holder, each holding the lock for `hold` s."""
    holder = object()
    queue.acquire(holder, timeout=5)

    def write(owner):
        queue.acquire(owner, timeout=5)
        time.sleep(hold)
        queue.release(owner)

    threads = [threading.Thread(target=write, args=(object(),)) for _ in range(writers)]
    for n, thread in enumerate(threads):
        thread.start()
        while len(queue._line) < n + 1:
            time.sleep(0.001)
    return [holder, *threads]


def test_a_waiter_in_a_moving_line_waits_past_its_limit_for_its_turn(tmp_path):
    # six writers of 0.15 s ahead: ~1 s in line, but the line moves every 0.15 s, less than
    # the 0.4 s limit, so this is a queue, not a stuck database
    queue = WriteQueue(str(tmp_path / "db.sqlite3"))
    holder, *threads = _line_of_short_writers(queue, 6, 0.15)
    last = object()
    threading.Timer(0.15, queue.release, args=(holder,)).start()
    waited = queue.acquire(last, timeout=0.4)
    assert waited > 0.4 * 2
    assert queue.held_by(last) and not queue._line
    queue.release(last)
    for thread in threads:
        thread.join(5)


def test_a_moving_line_still_ends_in_busy_past_the_total_limit(tmp_path):
    queue = WriteQueue(str(tmp_path / "db.sqlite3"))
    holder, *threads = _line_of_short_writers(queue, 6, 0.15)
    threading.Timer(0.15, queue.release, args=(holder,)).start()
    with pytest.raises(DatabaseBusy) as exc:
        queue.acquire(object(), timeout=0.4, total=0.5)
    assert 0.5 <= exc.value.waited < 0.9
    for thread in threads:
        thread.join(5)
    assert not queue._line and queue._held_by is None


def _hold_file_lock(path: str, ready, done) -> None:
    queue = WriteQueue(path)
    owner = object()
    queue.acquire(owner, timeout=5)
    ready.set()
    done.wait(10)
    queue.release(owner)


def test_another_process_holding_the_file_lock_makes_this_one_wait(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    ctx = multiprocessing.get_context("fork")
    ready, done = ctx.Event(), ctx.Event()
    other = ctx.Process(target=_hold_file_lock, args=(path, ready, done))
    other.start()
    try:
        assert ready.wait(10)
        queue, owner = WriteQueue(path), object()
        with pytest.raises(DatabaseBusy):
            queue.acquire(owner, timeout=0.3)
        assert not queue.held_by(owner)  # the local lock was given back too
        done.set()
        waited = queue.acquire(owner, timeout=5)
        assert waited < 5
        queue.release(owner)
    finally:
        done.set()
        other.join(10)
    assert other.exitcode == 0


def test_a_forked_child_does_not_inherit_the_parents_lock(tmp_path):
    """After fork the child has its own file lock: it must wait for the parent's."""
    path = str(tmp_path / "db.sqlite3")
    from apps.core.backends.sqlite3 import writequeue

    queue = writequeue.queue_for(path)
    owner = object()
    queue.acquire(owner, timeout=5)
    ctx = multiprocessing.get_context("fork")
    result = ctx.Queue()

    def child():
        mine = writequeue.queue_for(path)
        try:
            mine.acquire(object(), timeout=0.3)
            result.put("acquired")
        except DatabaseBusy:
            result.put("busy")

    proc = ctx.Process(target=child)
    proc.start()
    proc.join(10)
    queue.release(owner)
    assert result.get(timeout=5) == "busy"


# --- through the real services ----------------------------------------------------------


def run_threads(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index):
        try:
            barrier.wait(30)
            results[index] = work(index)
        except Exception as exc:  # collected and asserted below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return results


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_32_threads_x_50_writes_all_succeed_or_are_refused_as_busy():
    """32 x 50 stock removals from 1,600 units: each one is recorded or refused as busy."""
    store, product = StoreFactory(), ProductFactory()
    stock_receive(store=store, product=product, quantity=1600)

    def fifty_removals(index):
        outcomes = Counter()
        for n in range(50):
            try:
                stock_remove(
                    store=store,
                    product=product,
                    quantity=1,
                    movement_type=MovementType.SALE,
                    reference=f"t{index}-{n}",
                )
                outcomes["removed"] += 1
            except DatabaseBusy:
                outcomes["busy"] += 1
        return outcomes

    results = run_threads(32, fifty_removals)
    unexpected = [r for r in results if not isinstance(r, Counter)]
    assert unexpected == []  # no OperationalError, no InsufficientStock, nothing else
    total = sum(results, Counter())
    assert total["removed"] + total["busy"] == 1600
    removed = StockMovement.objects.filter(movement_type=MovementType.SALE).count()
    assert removed == total["removed"]
    assert StockLevel.objects.get(store=store, product=product).quantity == 1600 - removed
    # With the queue nobody waits anywhere near the 15 s limit: all 1,600 get through.
    assert total == {"removed": 1600}
    assert_stock_books_ok()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_more_removals_than_stock_under_32_threads_sell_exactly_the_stock():
    store, product = StoreFactory(), ProductFactory()
    stock_receive(store=store, product=product, quantity=100)

    def five_removals(index):
        outcomes = Counter()
        for _ in range(5):
            try:
                stock_remove(
                    store=store, product=product, quantity=1, movement_type=MovementType.SALE
                )
                outcomes["removed"] += 1
            except InsufficientStock:
                outcomes["refused"] += 1
        return outcomes

    results = run_threads(32, five_removals)
    assert sum(results, Counter()) == {"removed": 100, "refused": 60}
    assert StockLevel.objects.get(store=store, product=product).quantity == 0
    assert_stock_books_ok()


def test_the_embedded_database_uses_the_queued_engine(settings):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        assert connection.vendor == "postgresql"
        return
    assert engine == "apps.core.backends.sqlite3"
    assert settings.DATABASES["default"]["OPTIONS"]["write_wait"] == 15.0
    assert os.path.basename(connection.settings_dict["NAME"]).startswith("test_")

"""backoffice/gunicorn_worker.py: requests go to the thread that went idle last; while every
thread is busy they wait in line, first come first served; results, errors and shutdown as
a ThreadPoolExecutor's."""

import threading
import time

import pytest
from gunicorn.workers.gthread import ThreadWorker

from backoffice.gunicorn_worker import LifoThreadPool, LifoThreadWorker


def _thread_name():
    return threading.current_thread().name


def _settle(pool, idle):
    """Wait until `idle` threads are back on the pool's idle stack."""
    for _ in range(500):
        if len(pool._idle) == idle:
            return
        time.sleep(0.002)
    raise AssertionError(f"{len(pool._idle)} idle threads, not {idle}")


def test_one_request_at_a_time_always_meets_the_same_thread():
    pool = LifoThreadPool(8)
    try:
        names = []
        for _ in range(20):
            names.append(pool.submit(_thread_name).result(timeout=5))
            _settle(pool, 1)
        assert names == ["LifoThreadPool-0"] * 20
        assert len(pool._threads) == 1  # threads start only when all are busy
    finally:
        pool.shutdown()


def test_the_most_recently_idle_thread_takes_the_next_request():
    pool = LifoThreadPool(3)
    gates = [threading.Event() for _ in range(3)]
    try:
        busy = [pool.submit(lambda g=g: (g.wait(5), _thread_name())[1]) for g in gates]
        for gate in (gates[1], gates[0], gates[2]):  # they finish in this order
            gate.set()
            time.sleep(0.05)
        finished = [f.result(timeout=5) for f in busy]
        _settle(pool, 3)
        assert pool.submit(_thread_name).result(timeout=5) == finished[2]  # idle last
    finally:
        pool.shutdown()


def test_while_every_thread_is_busy_requests_wait_in_line():
    pool = LifoThreadPool(2)
    gate, order = threading.Event(), []
    try:
        blockers = [pool.submit(gate.wait, 5) for _ in range(2)]
        waiting = [pool.submit(order.append, n) for n in range(5)]
        time.sleep(0.05)
        assert order == [] and len(pool._threads) == 2  # no third thread
        gate.set()
        for f in blockers + waiting:
            f.result(timeout=5)
        assert sorted(order) == [0, 1, 2, 3, 4]
    finally:
        pool.shutdown()


def test_the_line_is_first_come_first_served():
    pool = LifoThreadPool(1)
    gate, order = threading.Event(), []
    try:
        blocker = pool.submit(gate.wait, 5)
        waiting = [pool.submit(order.append, n) for n in range(5)]
        gate.set()
        for f in [blocker, *waiting]:
            f.result(timeout=5)
        assert order == [0, 1, 2, 3, 4]
    finally:
        pool.shutdown()


def test_an_error_is_the_future_s_and_the_thread_goes_on():
    pool = LifoThreadPool(1)
    try:
        failed = pool.submit(lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            failed.result(timeout=5)
        assert pool.submit(lambda: 6 * 7).result(timeout=5) == 42
    finally:
        pool.shutdown()


def test_shutdown_ends_the_threads_and_refuses_new_work():
    pool = LifoThreadPool(4)
    gate = threading.Event()
    futures = [pool.submit(gate.wait, 5) for _ in range(4)]
    gate.set()
    for f in futures:
        f.result(timeout=5)
    _settle(pool, 4)
    pool.shutdown(wait=True)
    assert not any(t.is_alive() for t in pool._threads)
    with pytest.raises(RuntimeError, match="after shutdown"):
        pool.submit(_thread_name)


def test_cancelled_waiting_work_never_runs():
    pool = LifoThreadPool(1)
    gate, ran = threading.Event(), []
    busy = pool.submit(gate.wait, 5)
    queued = pool.submit(ran.append, 1)
    pool.shutdown(wait=False, cancel_futures=True)
    gate.set()
    busy.result(timeout=5)
    assert queued.cancelled() and ran == []


def test_the_worker_is_gthread_with_this_pool():
    assert issubclass(LifoThreadWorker, ThreadWorker)

    class Cfg:
        threads = 3

    worker = LifoThreadWorker.__new__(LifoThreadWorker)
    worker.cfg = Cfg()
    pool = worker.get_thread_pool()
    assert isinstance(pool, LifoThreadPool) and pool._max == 3

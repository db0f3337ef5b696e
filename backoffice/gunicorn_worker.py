"""gunicorn's threaded worker, its requests handed to the thread that went idle last.

gunicorn's `gthread` worker runs each request on a `concurrent.futures.ThreadPoolExecutor`,
whose idle threads take the next request in turn: one person clicking through pages meets
a different thread, and so a different database connection (Django keeps one per thread),
on every request. Each of those connections has its own PostgreSQL backend, whose caches
(the catalog, the plans psycopg prepares after 5 uses of a statement on that connection)
and CPU caches are cold again by the time its turn comes round (8 threads a worker).

`LifoThreadPool` hands a request to the most recently idle thread instead (last in, first
out), as PgBouncer reuses its most recent server connection by default: while requests
come one at a time a worker serves them all on one thread and one warm connection; under
load every thread is busy and it behaves as before. Measured with one client: ~1 ms less
per list page (docs/performance.md, "The most recently idle thread").

No Django import here: gunicorn loads the worker class before the application.
"""

from __future__ import annotations

import collections
import threading
from concurrent.futures import Future

from gunicorn.workers.gthread import ThreadWorker


class _Slot:
    __slots__ = ("event", "task")

    def __init__(self, task):
        self.event = threading.Event()
        self.task = task


class LifoThreadPool:
    """What gunicorn uses of an executor (`submit`, `shutdown`), with at most `max_workers`
    threads, started as needed; a task goes to the thread that went idle last, or waits
    in line (first come, first served) while every thread is busy."""

    def __init__(self, max_workers: int):
        self._max = max_workers
        self._lock = threading.Lock()
        self._idle: list[_Slot] = []  # a stack: the most recently idle thread last
        self._waiting: collections.deque = collections.deque()
        self._threads: list[threading.Thread] = []
        self._shutdown = False

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = Future()
        task = (future, fn, args, kwargs)
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new work after shutdown")
            if self._idle:
                slot = self._idle.pop()
                slot.task = task
                slot.event.set()
            elif len(self._threads) < self._max:
                slot = _Slot(task)
                thread = threading.Thread(
                    target=self._work,
                    args=(slot,),
                    name=f"LifoThreadPool-{len(self._threads)}",
                    daemon=True,
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._waiting.append(task)
        return future

    def _work(self, slot: _Slot) -> None:
        task = slot.task
        while task is not None:
            future, fn, args, kwargs = task
            task = None
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:  # as ThreadPoolExecutor: the future carries it
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            del future, fn, args, kwargs
            with self._lock:
                if self._waiting:
                    task = self._waiting.popleft()
                    continue
                if self._shutdown:
                    return
                slot.task = None
                slot.event.clear()
                self._idle.append(slot)
            slot.event.wait()
            task = slot.task  # None: woken by shutdown

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            if cancel_futures:
                while self._waiting:
                    self._waiting.popleft()[0].cancel()
            idle, self._idle = self._idle, []
            threads = list(self._threads)
        for slot in idle:
            slot.event.set()  # its task is None: the thread ends
        if wait:
            for thread in threads:
                thread.join()


class LifoThreadWorker(ThreadWorker):
    """`gthread` with `LifoThreadPool` (gunicorn.conf.py's worker_class)."""

    def get_thread_pool(self):
        return LifoThreadPool(self.cfg.threads)

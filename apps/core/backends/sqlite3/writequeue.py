"""A fair write queue for one SQLite database file (DESIGN.md §6).

SQLite lets one writer in at a time. A connection that finds the write lock taken sleeps and
polls (1, 2, 5 ... then 100 ms steps) until its busy timeout: a busy handler, not a queue.
Under a steady stream of short write transactions the lock is free only for microseconds
between them, so a poller that sleeps 100 ms keeps missing it while the threads that are
already running take it again: it starves and fails with "database is locked" (measured:
docs/operations.md, "Writers on SQLite").

This module makes writers wait in line instead. Before `BEGIN IMMEDIATE` a connection takes

1. its process's queue: first come, first served among the threads of this process, and
2. an advisory `flock` on `<database>-writelock`, shared by every process using the file
   (web workers, the job worker, management commands). Only the head of each process's queue
   asks for it, so a handful of processes contend, not every thread.

Both are released when the transaction ends (commit, rollback or close). A writer waits as
long as the line moves: it gets `DatabaseBusy` when the line has not moved for its limit (the
writer ahead of it has held the lock that long), or after four times the limit in all, so a
long line under overload is not mistaken for a stuck one. Nothing was written then, and the
web layer answers 503 with Retry-After (apps.core.middleware).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections import deque

from django.db.utils import OperationalError


class DatabaseBusy(OperationalError):
    """The database stayed busy past the wait limit; nothing was changed."""

    def __init__(self, waited: float):
        super().__init__(
            f"The system is busy (waited {waited:.1f} s for the database); nothing was changed. "
            "Please try again in a moment."
        )
        self.waited = waited


class WriteQueue:
    """FIFO among this process's threads (direct hand-off), then an flock across processes."""

    def __init__(self, path: str):
        self.path = path
        self._mutex = threading.Lock()
        self._line: deque[tuple[object, threading.Lock]] = deque()
        self._held_by: object | None = None
        self._fd: int | None = None
        self._moved_at = 0.0  # when the lock last passed from one writer to the next

    # -- this process ----------------------------------------------------------------------
    def acquire(self, owner: object, timeout: float, total: float | None = None) -> float:
        """Wait in line for the write lock; return the seconds waited or raise DatabaseBusy.

        `timeout` bounds the wait while the line stands still, `total` (default four times
        `timeout`) the whole wait. The releasing thread hands the lock straight to the head
        of the line and wakes only that thread, so nobody can overtake a waiter (no barging)
        and no herd wakes up.
        """
        start = time.monotonic()
        limit = start + (4 * timeout if total is None else total)
        with self._mutex:
            if self._held_by is None and not self._line:
                self._held_by = owner
                turn = None
            else:
                turn = threading.Lock()
                turn.acquire()
                self._line.append((owner, turn))
        if turn is not None:
            self._wait_turn(owner, turn, start, timeout, limit)
        try:
            self._lock_file(min(time.monotonic() + timeout, limit), start)
        except BaseException:
            self._release_local(owner)
            raise
        return time.monotonic() - start

    def _wait_turn(self, owner, turn, start: float, timeout: float, limit: float) -> None:
        while True:
            with self._mutex:
                if self._held_by is owner:  # handed over (also just as a wait timed out)
                    return
                now = time.monotonic()
                deadline = min(max(start, self._moved_at) + timeout, limit)
                if now >= deadline:  # the line stood still for `timeout`, or past `limit`
                    self._line.remove((owner, turn))
                    raise DatabaseBusy(now - start)
            if turn.acquire(timeout=deadline - now):
                return

    def release(self, owner: object) -> None:
        if self._held_by is not owner:
            return
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._release_local(owner)

    def held_by(self, owner: object) -> bool:
        return self._held_by is owner

    def _release_local(self, owner: object) -> None:
        with self._mutex:
            if self._held_by is not owner:
                return
            if self._line:
                self._held_by, turn = self._line.popleft()
                self._moved_at = time.monotonic()
                turn.release()
            else:
                self._held_by = None

    # -- other processes -------------------------------------------------------------------
    def _lock_file(self, deadline: float, start: float) -> None:
        if self._fd is None:
            self._fd = os.open(f"{self.path}-writelock", os.O_RDWR | os.O_CREAT, 0o600)
        pause = 0.0002
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(time.monotonic() - start) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.002)

    def reset_after_fork(self) -> None:
        """A forked child shares the parent's open file (and so its flock): start afresh."""
        self._mutex = threading.Lock()
        self._line = deque()
        self._held_by = None
        self._moved_at = 0.0
        if self._fd is not None:
            os.close(self._fd)
        self._fd = None


_queues: dict[str, WriteQueue] = {}
_queues_lock = threading.Lock()


def queue_for(path: str) -> WriteQueue:
    """The one queue of this process for the database file at `path`."""
    key = os.path.realpath(path)
    with _queues_lock:
        queue = _queues.get(key)
        if queue is None:
            queue = _queues[key] = WriteQueue(key)
        return queue


def _after_fork_in_child() -> None:
    global _queues_lock
    _queues_lock = threading.Lock()
    for queue in _queues.values():
        queue.reset_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)

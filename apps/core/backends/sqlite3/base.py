"""SQLite with a fair write queue (see writequeue.py): ENGINE "apps.core.backends.sqlite3".

Every write transaction waits in line before `BEGIN IMMEDIATE` and leaves the line when it
commits, rolls back or closes; a write statement outside a transaction (autocommit) waits in
the same line for the length of the statement. Reads never wait. Options:
`OPTIONS["write_wait"]` (seconds, default 15) bounds how long the line may stand still before
`DatabaseBusy` (four times that bounds the whole wait; writequeue.py).
"""

from __future__ import annotations

from functools import partial

from django.db.backends.sqlite3 import base as sqlite3_base

from .writequeue import DatabaseBusy, WriteQueue, queue_for

__all__ = ["DatabaseBusy", "DatabaseWrapper"]

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        self.write_wait = float(params.pop("write_wait", 15))
        self.last_write_wait = 0.0
        return params

    @property
    def write_queue(self) -> WriteQueue | None:
        name = str(self.settings_dict["NAME"])
        cached = getattr(self, "_write_queue", None)
        if cached is None or cached[0] != name:  # the test runner renames the database
            cached = self._write_queue = (name, None if self.is_in_memory_db() else queue_for(name))
        return cached[1]

    def queue_enter(self) -> None:
        queue = self.write_queue
        if queue is not None and not queue.held_by(self):
            self.last_write_wait = queue.acquire(self, self.write_wait)

    def queue_leave(self) -> None:
        queue = self.write_queue
        if queue is not None:
            queue.release(self)

    def _start_transaction_under_autocommit(self):
        self.queue_enter()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self.queue_leave()
            raise

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._leave_if_finished()

    def _rollback(self):
        try:
            super()._rollback()
        finally:
            self._leave_if_finished()

    def _close(self):
        try:
            super()._close()
        finally:
            self.queue_leave()

    def _leave_if_finished(self) -> None:
        if self.connection is None or not self.connection.in_transaction:
            self.queue_leave()

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=partial(QueuedCursorWrapper, wrapper=self))


class QueuedCursorWrapper(sqlite3_base.SQLiteCursorWrapper):
    """Puts autocommit write statements in the same line as transactions."""

    def __init__(self, connection, *, wrapper: DatabaseWrapper):
        super().__init__(connection)
        self.wrapper = wrapper

    def _needs_queue(self, query) -> bool:
        if self.connection.in_transaction or self.wrapper.write_queue is None:
            return False
        return query.lstrip()[:7].upper().startswith(WRITE_VERBS)

    def execute(self, query, params=None):
        if not self._needs_queue(query):
            return super().execute(query, params)
        self.wrapper.queue_enter()
        try:
            return super().execute(query, params)
        finally:
            self.wrapper.queue_leave()

    def executemany(self, query, param_list):
        if not self._needs_queue(query):
            return super().executemany(query, param_list)
        self.wrapper.queue_enter()
        try:
            return super().executemany(query, param_list)
        finally:
            self.wrapper.queue_leave()

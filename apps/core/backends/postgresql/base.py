"""PostgreSQL whose connection health check costs no round trip: ENGINE
"apps.core.backends.postgresql" (set by the settings for every postgres:// DATABASE_URL).

With `CONN_HEALTH_CHECKS` Django checks a kept connection on its first use in each request
(`is_usable`), and its check is a `SELECT 1`: one round trip and one statement on the
server for every page, `/healthz` included, before the page's own statements.

An idle connection has nothing to read: the server writes to it unasked only when it ends
the session (`pg_terminate_backend`, a shutdown or restart, `idle_session_timeout`: an
error message, then the end of the stream) or for a notification or notice. So when the
connection is idle this check asks the operating system whether the socket has anything
to read, without waiting: nothing means usable, as it was after its last statement;
anything means Django's `SELECT 1` decides (it reads what came, and fails on a connection
the server closed, which Django then replaces). A connection in a transaction or in an
unknown state is always checked with `SELECT 1`. A connection whose peer vanished without
a word (a network cut) is not seen by either check: `SELECT 1` would wait for TCP's
timeout as the page's own first statement does.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

__all__ = ["DatabaseWrapper"]

_ANYTHING = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status == TransactionStatus.IDLE and not _readable(
            connection.pgconn.socket
        ):
            return True
        return super().is_usable()


def _readable(fd: int) -> bool:
    """Whether the socket has anything to read (or is closed or failed), without waiting."""
    poller = select.poll()
    poller.register(fd, _ANYTHING)
    return bool(poller.poll(0))

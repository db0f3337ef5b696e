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

It also reads `timestamptz` values with psycopg's compiled loader. Django registers its own
loader for them (`BaseTzLoader`), a subclass of psycopg's pure-Python one (the compiled one
cannot be subclassed; Django ticket #36960), so every date-time read parsed its text with a
regular expression in Python: ~4 µs a value against ~0.5 µs, 59 values in a five-line order
confirm, 50-100 on a list page. When the connection's TimeZone is UTC (Django sets it to its
own, UTC with USE_TZ and no per-database TIME_ZONE) the compiled loader returns what
Django's does, the instant with `datetime.timezone.utc`; otherwise Django's loader reads.
"""

from __future__ import annotations

import datetime as dt
import functools
import select

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg import adapt, adapters, postgres
from psycopg.pq import Format, TransactionStatus
from psycopg.types.datetime import TimestamptzLoader

__all__ = ["DatabaseWrapper"]

_ANYTHING = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP


_TIMESTAMPTZ = postgres.types["timestamptz"].oid
# psycopg's own loader: the compiled one where psycopg[binary] (or [c]) is installed
_COMPILED = adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)


class UtcTimestampLoader(BaseTzLoader):
    """Django's timestamptz loader for `datetime.timezone.utc`, reading with the compiled
    loader on a connection whose TimeZone is UTC (whose values then carry that tzinfo)."""

    timezone = dt.UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        if self._timezone is dt.UTC and _COMPILED is not TimestamptzLoader:
            self.load = _COMPILED(oid, context).load


@functools.cache
def _with_compiled_timestamps(context: adapt.AdaptersMap) -> adapt.AdaptersMap:
    """Django's adapters (kept per settings) with the loader above for timestamptz."""
    ours = adapt.AdaptersMap(context)
    ours.register_loader(_TIMESTAMPTZ, UtcTimestampLoader)
    return ours


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        if self.timezone is dt.UTC and "context" in params:
            params["context"] = _with_compiled_timestamps(params["context"])
        return params

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

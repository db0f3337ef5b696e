"""Django's database sessions (SESSION_ENGINE), the session's row read with its SQL
written out: the ORM's compile step cost ~1 ms of CPU per request against ~0.3 ms for
the same statement (docs/performance.md, "The fixed cost of a page (`frame` branch)").
Same table, same rows, same checks (key and expiry), read on every request as before."""

from __future__ import annotations

import functools

from django.contrib.sessions.backends import db
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from apps.core.sql import Rows


@functools.cache
def _plan(model) -> tuple[Rows, str]:
    rows = Rows(model, "s")
    return rows, (
        f"SELECT {rows.select} FROM {rows.table} WHERE s.session_key = %s AND s.expire_date > %s"
    )


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        rows, sql = _plan(self.model)
        db = connections[DEFAULT_DB_ALIAS]  # Rows reads the default database
        now = db.ops.adapt_datetimefield_value(timezone.now())
        with db.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return rows.build(row)

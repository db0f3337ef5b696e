"""Django's database sessions (SESSION_ENGINE), the session's row read with its SQL
written out: the ORM's compile step cost ~1 ms of CPU per request against ~0.3 ms for
the same statement (docs/performance.md, "The fixed cost of a page (`frame` branch)").
Same table, same rows, same checks (key and expiry), read on every request as before.

The same statement reads the reference stamp (apps.core.reference), so the request's
reference lists (company settings, a filter bar's stores) come from the process's kept
copies while they are current, without a statement of their own."""

from __future__ import annotations

import functools

from django.contrib.sessions.backends import db
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from apps.core import reference
from apps.core.sql import Rows, server_binding


@functools.cache
def _plan(model) -> tuple[Rows, str]:
    rows = Rows(model, "s")
    sql = (
        f"SELECT {rows.select}, {reference.stamp_select()} FROM {rows.table}"
        " WHERE s.session_key = %s AND s.expire_date > %s"
    )
    return rows, sql


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        db_ = connections[DEFAULT_DB_ALIAS]
        now = db_.ops.adapt_datetimefield_value(timezone.now())
        rows, sql = _plan(self.model)
        with server_binding(), db_.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        reference.stamp_seen(row[-1])
        return rows.build(row)

"""Django's database sessions (SESSION_ENGINE), the session's row read with its SQL
written out: the ORM's compile step cost ~1 ms of CPU per request against ~0.3 ms for
the same statement (docs/performance.md, "The fixed cost of a page (`frame` branch)").
Same table, same rows, same checks (key and expiry), read on every request as before.

The same statement reads the reference stamp (apps.core.reference), so the request's
reference lists (company settings, a filter bar's stores) come from the process's kept
copies while they are current, without a statement of their own."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from apps.core import reference
from apps.core.sql import first_values


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        ops = connections[DEFAULT_DB_ALIAS].ops  # first_values reads the default database
        now = ops.adapt_datetimefield_value(timezone.now())
        where = "s.session_key = %s AND s.expire_date > %s"
        rows, row = first_values(
            self.model, "s", where, [self.session_key, now], also=reference.stamp_select()
        )
        if row is None:
            self._session_key = None
            return None
        reference.stamp_seen(row[-1])
        return rows.build(row)

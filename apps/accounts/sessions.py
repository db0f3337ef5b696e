"""Django's database sessions (SESSION_ENGINE), the session's row read with its SQL
written out: the ORM's compile step cost ~1 ms of CPU per request against ~0.3 ms for
the same statement (docs/performance.md, "The fixed cost of a page (`frame` branch)").
Same table, same rows, same checks (key and expiry), read on every request as before."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from apps.core.sql import first_row


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        ops = connections[DEFAULT_DB_ALIAS].ops  # first_row reads the default database
        now = ops.adapt_datetimefield_value(timezone.now())
        where = "s.session_key = %s AND s.expire_date > %s"
        session = first_row(self.model, "s", where, [self.session_key, now])
        if session is None:
            self._session_key = None
        return session

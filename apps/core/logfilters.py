"""Logging filters (settings.LOGGING)."""

import logging

from django.core.exceptions import PermissionDenied


class DeniedWithoutTraceback(logging.Filter):
    """A 403 is an ordinary answer: log "Forbidden (Permission denied): /path" as one line
    and drop the traceback Django attaches; every other record is left as it is."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, PermissionDenied) or getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True

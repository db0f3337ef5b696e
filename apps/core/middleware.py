import logging
import sys

from django.db.utils import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from .backends.sqlite3.writequeue import DatabaseBusy
from .request_context import Actor, _current, client_ip, memo_for

logger = logging.getLogger(__name__)


class RequestContextMiddleware:
    """Publishes the request's user and IP to the audit log for the request's duration,
    and gives a GET request its memo (apps.core.request_context.request_memo)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(Actor(user=getattr(request, "user", None), ip=client_ip(request)))
        try:
            with memo_for(request):
                return self.get_response(request)
        finally:
            _current.reset(token)


# SQLSTATEs PostgreSQL uses when a transaction lost a race it can simply be run again for:
# serialization_failure, deadlock_detected, lock_not_available.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
BUSY_MESSAGE = "The system is busy right now; nothing was changed. Please try again in a moment."
RETRY_AFTER_SECONDS = 2


def is_database_busy(exc: BaseException) -> bool:
    """A write that could not run because others held the database: safe to try again.

    Raised before anything was written (our SQLite write queue's `DatabaseBusy`, SQLite's
    own "database is locked" as a backstop) or rolled back whole (PostgreSQL's serialization
    failures, deadlocks and lock timeouts), so the user's action did not happen.
    """
    if not isinstance(exc, OperationalError):
        return False
    if isinstance(exc, DatabaseBusy) or "database is locked" in str(exc):
        return True
    return getattr(exc.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def busy_response(request) -> HttpResponse:
    """503 with Retry-After: problem+json for the API, a short page otherwise."""
    if request.path.startswith("/api/"):
        body = {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": BUSY_MESSAGE,
        }
        response = JsonResponse(body, status=503, content_type="application/problem+json")
    else:
        # No request context: its processors would query the very database that is busy.
        response = HttpResponse(render_to_string("503.html", {"message": BUSY_MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Turns "the database is busy" into 503 + Retry-After instead of a 500 (issue 15)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        logger.warning("busy: %s %s -> 503 (%s)", request.method, request.path, exception)
        return busy_response(request)


def server_error(request):
    """handler500: a busy database raised outside a view (e.g. in a middleware) is a 503 too."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_busy(exc):
        return busy_response(request)
    return HttpResponse(render_to_string("500.html"), status=500)

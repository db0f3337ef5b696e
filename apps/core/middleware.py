import logging
import re
import sys
from contextlib import suppress

from django.core.exceptions import RequestDataTooBig
from django.db.utils import OperationalError
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
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


NUL_MESSAGE = "The request holds a NUL character, which no field accepts; nothing was changed."
TOO_BIG_MESSAGE = "The request's data is too large; nothing was changed."


class RefuseNulMiddleware:
    """400 for a request whose path, query, form or JSON body holds a NUL character (U+0000).

    No field of ours means one, and a browser does not send one from typing. PostgreSQL's
    text cannot hold it: psycopg raises DataError, a 500 wherever a value reached a query
    before a form's or serializer's own check (the forms' idempotency key, the stock forms'
    product look-up, the API's related fields such as a customer's currency: found by
    fuzzing). Refused here once for every view, the API with problem+json."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            refused = holds_nul(request)
        except RequestDataTooBig:  # past DATA_UPLOAD_MAX_MEMORY_SIZE, read by no view either
            return bad_request_response(request, TOO_BIG_MESSAGE)
        if refused:
            return bad_request_response(request, NUL_MESSAGE)
        return self.get_response(request)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# In JSON text a NUL can only be written as the escape \u0000 (a raw control character is
# not valid JSON): one preceded by an even number of backslashes (none, or escaped ones).
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def holds_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    sources = [request.GET]
    if request.content_type == "application/json" or request.content_type.endswith("+json"):
        body = request.body  # kept by Django: the view's parser reads it again
        if b"\x00" in body or JSON_NUL.search(body):
            return True
    elif request.method == "POST" and request.content_type in FORM_TYPES:
        with suppress(MultiPartParserError):  # an unreadable body: the CSRF check refuses it
            sources.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for data in sources
        for key, values in data.lists()
    )


def bad_request_response(request, message: str) -> HttpResponse:
    """400: problem+json for the API, the page otherwise."""
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": message}
        return JsonResponse(body, status=400, content_type="application/problem+json")
    return render(request, "400.html", {"message": message}, status=400)


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

"""One error format for the whole API: RFC 9457 problem details (`application/problem+json`).

    {"type": "...", "title": "Validation failed", "status": 400,
     "detail": "Insufficient stock: ...", "instance": "/api/v1/...",
     "errors": {"quantity": ["..."]}}

`errors` holds field errors (serializer or service, same text as the screens);
`non_field_errors` holds errors that belong to no field.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:backoffice:problem:"
NON_FIELD = "non_field_errors"

TITLES = {
    400: "Validation failed",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
}


def problem(
    status_code: int,
    detail: str,
    *,
    slug: str = "",
    errors: dict | None = None,
    instance: str = "",
    title: str = "",
) -> dict:
    body = {
        "type": TYPE_BASE + (slug or str(status_code)),
        "title": title or TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body


def problem_response(status_code: int, detail: str, **kwargs) -> Response:
    headers = kwargs.pop("headers", None)
    return Response(
        problem(status_code, detail, **kwargs),
        status=status_code,
        content_type=CONTENT_TYPE,
        headers=headers,
    )


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def _field_errors(detail) -> dict[str, list]:
    """DRF ValidationError detail -> {field: [messages]}; nested serializers keep nesting."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            key = NON_FIELD if key in ("__all__", NON_FIELD) else str(key)
            if isinstance(value, dict):
                out[key] = [_field_errors(value)]
            elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
                out[key] = [_field_errors(v) if isinstance(v, dict) else str(v) for v in value]
            else:
                out[key] = [str(m) for m in (value if isinstance(value, list) else [value])]
        return out
    return {NON_FIELD: _flatten(detail)}


def from_django_validation_error(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError (the same text the screens show) as field errors."""
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): list(messages)
            for field, messages in exc.message_dict.items()
        }
    return {NON_FIELD: list(exc.messages)}


def validation_response(errors: dict[str, list], instance: str = "") -> Response:
    detail = " ".join(_flatten(errors)) or "Invalid input."
    return problem_response(400, detail, slug="validation", errors=errors, instance=instance)


def exception_handler(exc, context):
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, DjangoValidationError):
        return validation_response(from_django_validation_error(exc), instance)
    if isinstance(exc, ProtectedError | RestrictedError):
        return problem_response(
            409, "Other records still refer to this one.", slug="protected", instance=instance
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handling, logged
    if isinstance(exc, exceptions.ValidationError):
        return validation_response(_field_errors(exc.detail), instance)
    detail = " ".join(_flatten(exc.detail)) if hasattr(exc, "detail") else str(exc)
    code = getattr(exc, "default_code", "") or ""
    body = problem(response.status_code, detail, slug=code.replace("_", "-"), instance=instance)
    response.data = body
    response.content_type = CONTENT_TYPE
    return response


def not_found(request, *args, **kwargs):
    """Unknown URLs under /api/ answer problem+json too (not the HTML 404 page)."""
    return JsonResponse(
        problem(status.HTTP_404_NOT_FOUND, "No such API endpoint.", instance=request.path),
        status=404,
        content_type=CONTENT_TYPE,
    )

"""`Idempotency-Key` for API POSTs that move stock, credit or money (apps.core.idempotency)."""

from __future__ import annotations

import functools
import json

from django.db import transaction
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.core.idempotency import (
    KEY_TOO_LONG,
    MAX_KEY_LENGTH,
    IdempotencyConflict,
    body_hash,
    key_claim,
    key_complete,
    key_release,
    principal_of,
)

from .problems import problem_response, validation_response

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"


def idempotent(method):
    """Wrap a viewset method (create or an action). Without the header it just runs."""

    @functools.wraps(method)
    def wrapper(self, request, *args, **kwargs):
        key = (request.headers.get(HEADER) or "").strip()
        if not key:
            return method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return validation_response({HEADER: [KEY_TOO_LONG]}, request.path)
        try:
            claim = key_claim(
                principal=principal_of(request.user),
                key=key,
                route=f"{request.method} {request.path}",
                fingerprint=body_hash(request.data),
            )
        except IdempotencyConflict as exc:
            slug = "idempotency-running" if exc.status == 409 else "idempotency-mismatch"
            return problem_response(exc.status, exc.message, slug=slug, instance=request.path)
        if claim.replay is not None:
            first = claim.replay
            headers = {REPLAYED: "true"}
            if first.response_location:
                headers["Location"] = first.response_location
            return Response(first.response_body, status=first.response_status, headers=headers)
        record = claim.record
        try:
            with transaction.atomic():
                response = method(self, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    body = json.loads(JSONRenderer().render(response.data) or b"null")
                    key_complete(
                        record,
                        status=response.status_code,
                        body=body,
                        location=response.get("Location", ""),
                    )
        except BaseException:
            key_release(record)
            raise
        if not 200 <= response.status_code < 300:
            key_release(record)
        return response

    wrapper.idempotent = True
    return wrapper

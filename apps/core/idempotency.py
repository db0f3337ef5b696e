"""Idempotency keys for requests that move stock, credit or money (DESIGN.md §12).

The client sends a key it made up (`Idempotency-Key` header in the API, a hidden form
field on the staff screens). The first request with a key claims it (a row committed at
once, so a concurrent duplicate sees it); the work and the stored response then commit
together. So:

- a replay returns the first response and changes nothing;
- the same key with another route or body is refused (422);
- a replay while the first still runs answers 409: retry later;
- a request the rules refuse stores nothing (nothing changed): the key may be reused;
- a claim older than STALE_AFTER whose work never committed (a crash) is taken over.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyRecord, IdempotencyStatus

MAX_KEY_LENGTH = 64
STALE_AFTER = timedelta(minutes=5)
CLAIM_ATTEMPTS = 5

KEY_TOO_LONG = f"An idempotency key has 1 to {MAX_KEY_LENGTH} characters."
KEY_REUSED = "This idempotency key was already used for a different request."
KEY_RUNNING = "A request with this idempotency key is still being processed; retry shortly."


class IdempotencyConflict(Exception):
    """The key is in use: `status` 409 (still running) or 422 (another request)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Claim:
    record: IdempotencyRecord | None  # None: the key was seen; `replay` holds the answer
    replay: IdempotencyRecord | None = None


def body_hash(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def principal_of(user) -> str:
    return f"user:{user.pk}" if getattr(user, "is_authenticated", False) else "anonymous"


def key_claim(*, principal: str, key: str, route: str, fingerprint: str) -> Claim:
    """Claim `key` for this request, or say what happened to it before.

    Runs in its own committed transaction (never inside the caller's): the claim must be
    visible to concurrent duplicates before the work starts.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(KEY_TOO_LONG)
    # A first claim refused by the rules is released (deleted) again; a duplicate that saw
    # it a moment ago then finds no row and simply claims the key afresh.
    for _ in range(CLAIM_ATTEMPTS):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal, key=key, route=route, body_hash=fingerprint
                )
            return Claim(record=record)
        except IntegrityError:
            pass
        first = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if first is not None:
            break
    else:
        raise IdempotencyConflict(409, KEY_RUNNING)
    if first.route != route or first.body_hash != fingerprint:
        raise IdempotencyConflict(422, KEY_REUSED)
    if first.status == IdempotencyStatus.DONE:
        return Claim(record=None, replay=first)
    # Still running, or abandoned by a crash (its work never committed): take over a stale one.
    now = timezone.now()
    taken = IdempotencyRecord.objects.filter(
        pk=first.pk, status=IdempotencyStatus.RUNNING, created_at__lt=now - STALE_AFTER
    ).update(created_at=now)
    if taken:
        first.created_at = now
        return Claim(record=first)
    raise IdempotencyConflict(409, KEY_RUNNING)


def key_complete(record: IdempotencyRecord, *, status: int, body: Any, location: str = "") -> None:
    """Store the answer; call inside the transaction that did the work."""
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status=IdempotencyStatus.DONE,
        response_status=status,
        response_body=body,
        response_location=location[:255],
        completed_at=timezone.now(),
    )


def key_release(record: IdempotencyRecord) -> None:
    """The request was refused or failed and changed nothing: forget the claim."""
    IdempotencyRecord.objects.filter(pk=record.pk, status=IdempotencyStatus.RUNNING).delete()


# --- staff HTML forms -----------------------------------------------------------------

FORM_FIELD = "idempotency_key"
FORM_REPLAYED = "This form was already submitted; nothing was changed again."
FORM_RUNNING = "This form is still being processed; wait a moment, then reload the page."
FORM_REUSED = "This form was already submitted with other values; reload the page to start over."


@dataclass(frozen=True)
class FormOutcome:
    location: str  # where the first submission went (the success URL)
    replayed: bool


def form_once(*, request, work) -> FormOutcome:
    """Run `work()` (the write; it returns the success URL) at most once per hidden key.

    A resubmission with the same key (a lost reply, a double click, the browser's
    "resend") does nothing and goes where the first went. A refusal by the rules
    (ValidationError) stores nothing, so the corrected form may reuse the key. A key in
    use raises ValidationError with a message for the form.
    """
    from django.core.exceptions import ValidationError

    key = (request.POST.get(FORM_FIELD) or "").strip()
    if not key:
        return FormOutcome(location=work(), replayed=False)
    data = {
        k: request.POST.getlist(k)
        for k in request.POST
        if k not in (FORM_FIELD, "csrfmiddlewaretoken")
    }
    try:
        claim = key_claim(
            principal=principal_of(request.user),
            key=key[:MAX_KEY_LENGTH],
            route=f"POST {request.path}",
            fingerprint=body_hash(data),
        )
    except IdempotencyConflict as exc:
        raise ValidationError(FORM_RUNNING if exc.status == 409 else FORM_REUSED) from exc
    if claim.replay is not None:
        return FormOutcome(location=claim.replay.response_location or request.path, replayed=True)
    try:
        with transaction.atomic():
            location = work()
            key_complete(claim.record, status=302, body=None, location=location)
    except BaseException:
        key_release(claim.record)
        raise
    return FormOutcome(location=location, replayed=False)

"""key_claim when the first claim of a key disappears while a duplicate looks at it.

A first request the rules refuse releases (deletes) its claim. A duplicate whose insert
collided with that claim a moment earlier must then claim the key itself, not crash
(CI on PostgreSQL once answered 500 here: `IdempotencyRecord.DoesNotExist`).
"""

from __future__ import annotations

import pytest
from django.db import connection

from apps.core.idempotency import key_claim
from apps.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

CLAIM = {
    "principal": "user:1",
    "key": "k-1",
    "route": "POST /api/v1/charges/",
    "fingerprint": "abc",
}


class ReleaseBeforeFirstLookup:
    """Between the duplicate's failed insert and its lookup, the first claim is released."""

    def __init__(self):
        self.done = False

    def __call__(self, execute, sql, params, many, context):
        table = IdempotencyRecord._meta.db_table
        if not self.done and sql.lstrip().upper().startswith("SELECT") and table in sql:
            self.done = True
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE key = %s", [CLAIM["key"]])
        return execute(sql, params, many, context)


def test_duplicate_claims_the_key_when_the_first_claim_was_released_meanwhile():
    IdempotencyRecord.objects.create(
        principal=CLAIM["principal"], key=CLAIM["key"], route=CLAIM["route"], body_hash="abc"
    )
    with connection.execute_wrapper(ReleaseBeforeFirstLookup()):
        claim = key_claim(**CLAIM)
    assert claim.replay is None
    assert claim.record is not None
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [claim.record.pk]


def test_a_claim_still_held_answers_409():
    from apps.core.idempotency import IdempotencyConflict

    IdempotencyRecord.objects.create(
        principal=CLAIM["principal"], key=CLAIM["key"], route=CLAIM["route"], body_hash="abc"
    )
    with pytest.raises(IdempotencyConflict) as refused:
        key_claim(**CLAIM)
    assert refused.value.status == 409

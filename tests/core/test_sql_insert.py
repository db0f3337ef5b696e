"""apps/core/sql.py insert_sql / insert_all: the rows written are the same whether the
arrays go as text (default cursor) or as binary parameters (inside server_binding)."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.core.models import AuditAction, AuditEvent
from apps.core.sql import insert_all, insert_sql, server_binding

pytestmark = pytest.mark.django_db

AWKWARD = ['say "hi"', "a,b", "{braces}", "back\\slash", "NULL", "", "ünïcödé ✓", "it's"]


def _events(tag: str) -> list[AuditEvent]:
    return [
        AuditEvent(
            action=AuditAction.BUSINESS,
            event=f"{tag}.{n}",
            actor_repr=text,
            ip_address="10.0.0.1" if n % 2 else None,
            object_id=str(n),
            object_repr=text,
            changes={"text": text, "n": n, "list": [1, "x", None], "nested": {"q": '"'}},
            message=text,
        )
        for n, text in enumerate(AWKWARD)
    ]


def _stored(tag: str) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(event__startswith=f"{tag}.")
        .order_by("pk")
        .values_list("event", "actor_repr", "ip_address", "object_repr", "changes", "message")
    )


def _expected(tag: str) -> list[tuple]:
    return [
        (e.event, e.actor_repr, e.ip_address, e.object_repr, e.changes, e.message)
        for e in _events(tag)
    ]


def test_the_same_rows_with_text_and_binary_arrays():
    insert_all(_events("text"))
    with server_binding():
        insert_all(_events("binary"))
    assert _stored("text") == _expected("text")
    assert _stored("binary") == _expected("binary")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="arrays on PostgreSQL only")
def test_binary_arrays_only_inside_server_binding():
    events = _events("marks")
    sql, params = insert_sql(events)
    assert "UNNEST((%s)::" in sql and "%b" not in sql
    assert len(params) == len(insert_sql(events[:2])[1])  # one array per column
    with server_binding():
        sql, _ = insert_sql(events)
    assert "UNNEST((%b)::" in sql and "%s" not in sql

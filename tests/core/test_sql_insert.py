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
def test_binary_arrays_only_inside_server_binding(monkeypatch):
    events = _events("marks")
    sql, params = insert_sql(events)
    assert "UNNEST((%s)::" in sql and "%b" not in sql
    assert len(params) == len(insert_sql(events[:2])[1])  # one array per column
    monkeypatch.setattr("apps.core.sql.VALUES_PARAMS", 0)
    with server_binding():
        sql, _ = insert_sql(events)
    assert "UNNEST((%b)::" in sql and "%s" not in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="arrays on PostgreSQL only")
def test_a_few_rows_as_values_inside_server_binding(monkeypatch):
    """Inside server_binding a few rows go as VALUES, one parameter per value (dumped
    by psycopg in C); more than VALUES_PARAMS values as binary arrays, and the same
    rows are stored either way."""
    events = _events("few")
    width = len(insert_sql(events[:1])[1])
    with server_binding():
        sql, params = insert_sql(events)
        assert "UNNEST" not in sql and sql.count("), (") == len(events) - 1
        assert len(params) == width * len(events)
        insert_all(events)
        monkeypatch.setattr("apps.core.sql.VALUES_PARAMS", width * len(events) - 1)
        sql, params = insert_sql(events)
        assert "UNNEST((%b)::" in sql and len(params) == width
        insert_all(_events("many"))
    assert _stored("few") == _expected("few")
    assert _stored("many") == _expected("many")


def _movement(**overrides):
    import uuid
    from decimal import Decimal

    from apps.inventory.models import StockMovement

    values = dict(
        store_id=1,
        product_id=2,
        movement_type="sale",
        quantity=-3,
        previous_quantity=10,
        new_quantity=7,
        unit_cost=Decimal("4.1250"),
        value=Decimal("-12.38"),
        reason="",
        reference="SO-2026-00001",
        notes="",
        user_id=None,
        related_store_id=None,
        transfer_id=uuid.uuid4(),
        product_sku="SKU-1",
        product_name="A “name”",
        category_name="",
    )
    return StockMovement(**{**values, **overrides})


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_values_prepared_as_their_fields_prepare_them():
    """insert_sql's short cut per value (_preparers) gives what each field's
    get_db_prep_save gives: the same value of the same type (psycopg's Int4/Int8 for
    integers on PostgreSQL), for every field without a pre_save of its own."""
    import datetime as dt

    from apps.core.sql import _prepared, _preparers

    db = connection
    naive = dt.datetime(2026, 11, 29, 12, 0)  # noqa: DTZ001  (taken by the slow path)
    objs = [
        *_events("prep"),
        _movement(),
        _movement(quantity=True, reference=5, transfer_id=None, user_id=3),
    ]
    objs[0].created_at = naive
    for obj in objs:
        plan = _preparers(type(obj), db.vendor)
        fast = _prepared(obj, plan, db)
        for (field, _, own_pre_save, _, _), value in zip(plan, fast, strict=True):
            if own_pre_save:
                continue
            slow = field.get_db_prep_save(getattr(obj, field.attname), db)
            if hasattr(slow, "obj"):  # psycopg's Jsonb wraps a fresh copy each time
                assert type(value) is type(slow) and value.obj == slow.obj
                continue
            assert (type(value), value) == (type(slow), slow), field.attname

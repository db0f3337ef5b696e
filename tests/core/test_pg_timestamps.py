"""Date-times read from PostgreSQL (apps/core/backends/postgresql/base.py): the compiled
timestamptz loader reads them on a UTC connection, with exactly the values and tzinfo
Django's own loader gives; on a connection in another zone Django's loader reads."""

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.types.datetime import TimestamptzLoader

from apps.core.models import AuditEvent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]

TEXTS = [
    "2026-12-01 05:58:39.756463+00",
    "2026-12-01 05:58:39+00",
    "1999-12-31 23:59:59.5+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "2024-02-29 12:00:00.000001+00",
]


class DjangosLoader(BaseTzLoader):
    timezone = dt.UTC


def _read(texts: list[str]) -> list[dt.datetime]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(%s::timestamptz[]) ORDER BY 1", [texts])
        return [row[0] for row in cursor.fetchall()]


def test_a_utc_connection_reads_with_the_compiled_loader():
    connection.ensure_connection()
    loader_class = connection.connection.adapters.get_loader(1184, 0)
    with connection.cursor() as cursor:
        load = loader_class(1184, cursor).load
    assert isinstance(loader_class.timezone, dt.timezone) and loader_class.timezone is dt.UTC
    assert type(load.__self__) is not TimestamptzLoader  # not the pure-Python parser
    assert type(load.__self__).__module__.startswith(("psycopg_binary", "psycopg_c"))


def test_the_values_and_tzinfo_are_djangos():
    ours = _read(TEXTS)
    connection.connection.adapters.register_loader(1184, DjangosLoader)
    try:
        theirs = _read(TEXTS)
    finally:
        connection.close()  # the next connection gets the backend's adapters again
    assert ours == theirs
    assert [value.tzinfo for value in ours] == [dt.UTC] * len(TEXTS)
    assert ours[0] == dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    assert ours[-1] == dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)


def test_a_model_field_reads_the_instant_it_saved():
    at = dt.datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=dt.UTC)
    event = AuditEvent.objects.create(
        action="business", event="test.timestamps", object_repr="x", created_at=at
    )
    assert AuditEvent.objects.values_list("created_at", flat=True).get(pk=event.pk) == at


def test_another_zone_is_read_by_djangos_loader():
    """A session moved off UTC (SET TIME ZONE) gets what Django's loader gives there: the
    zone's wall-clock time labelled UTC, as Django reads it."""
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Kolkata'")
    try:
        ours = _read(TEXTS[:2])
        connection.connection.adapters.register_loader(1184, DjangosLoader)
        theirs = _read(TEXTS[:2])
    finally:
        connection.close()
    assert (
        ours
        == theirs
        == [
            dt.datetime(2026, 12, 1, 11, 28, 39, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 1, 11, 28, 39, 756463, tzinfo=dt.UTC),
        ]
    )

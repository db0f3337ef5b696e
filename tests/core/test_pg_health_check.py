"""The PostgreSQL health check (apps/core/backends/postgresql/base.py): an idle kept
connection is found usable without a statement, one the server ended is found unusable
and replaced, and one inside a transaction is still checked with `SELECT 1`."""

import select
import time

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


@pytest.fixture
def kept():
    """A second connection to the test database, as a request thread keeps one."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _last_statement(pid: int) -> str:
    """What the server last ran on the backend `pid` (read from the test's connection)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def _pid(wrapper) -> int:
    return wrapper.connection.info.backend_pid


def _wait_readable(wrapper, seconds: float = 10) -> None:
    poller = select.poll()
    poller.register(wrapper.connection.pgconn.socket, select.POLLIN)
    waited = time.monotonic()
    while not poller.poll(100) and time.monotonic() - waited < seconds:
        pass


def test_the_engine_is_ours_with_health_checks_on():
    assert connection.settings_dict["ENGINE"] == "apps.core.backends.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_an_idle_connection_is_usable_without_a_statement(kept):
    with kept.cursor() as cursor:
        cursor.execute("SELECT 'the page''s last statement'")
    assert kept.is_usable() is True
    assert _last_statement(_pid(kept)) == "SELECT 'the page''s last statement'"


def test_a_connection_the_server_ended_is_unusable_and_replaced(kept):
    ended = _pid(kept)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [ended])
        assert cursor.fetchone() == (True,)
    _wait_readable(kept)  # the server's farewell reaches the socket
    assert kept.is_usable() is False

    kept.health_check_done = False  # a new request
    kept.close_if_health_check_failed()
    with kept.cursor() as cursor:
        cursor.execute("SELECT 41 + 1")
        assert cursor.fetchone() == (42,)
    assert _pid(kept) != ended


def test_a_connection_in_a_transaction_is_checked_with_select_1(kept):
    kept.connection.execute("BEGIN")
    kept.connection.execute("SELECT 'inside'")
    assert kept.is_usable() is True
    assert _last_statement(_pid(kept)) == "SELECT 1"
    kept.connection.execute("ROLLBACK")


def test_a_connection_with_a_message_waiting_is_checked_with_select_1(kept):
    """A notification waiting on the socket is not an ended session: `SELECT 1` reads
    past it and the connection stays."""
    kept.connection.execute("LISTEN backoffice_health")
    sender = connections.create_connection("default")
    try:
        with sender.cursor() as cursor:
            cursor.execute("NOTIFY backoffice_health")  # autocommit: sent at once
    finally:
        sender.close()
    _wait_readable(kept)
    assert kept.is_usable() is True
    assert _last_statement(_pid(kept)) == "SELECT 1"

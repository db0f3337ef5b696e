"""Pages read with Django's default cursor (client-side binding) in a test.

List pages bind their statements on the server on PostgreSQL (`apps.core.sql.
server_binding`), and psycopg then gives Django's query capture no text for a prepared
statement (`q["sql"]` is None). A test that reads the captured SQL to check a statement's
shape reads the page inside `client_binding()`: the same statements, with their text."""

import contextlib

from django.db import connection


@contextlib.contextmanager
def client_binding():
    """Django's default cursor class under another name: `server_binding` leaves a
    connection whose cursor class it did not expect alone, so the page reads as before.
    Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import Cursor

    connection.ensure_connection()
    raw = connection.connection
    saved = raw.cursor_factory
    raw.cursor_factory = type("ClientBindingCursor", (Cursor,), {})
    try:
        yield
    finally:
        raw.cursor_factory = saved


def plan(query, params=(), forbid=("seqscan", "indexscan")) -> str:
    """PostgreSQL's plan of a queryset or SQL text with some scan kinds forbidden
    (`enable_<kind> = off`, for this transaction): a statement whose parts had no index of
    their own could then only be planned with another index, and the test reads which."""
    if not isinstance(query, str):
        query, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        for kind in forbid:
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute("EXPLAIN " + query, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def prepared_statements(like: str, columns: str = "statement") -> list[tuple]:
    """`columns` of this connection's prepared statements whose text is LIKE `like`
    (PostgreSQL's `pg_prepared_statements`), in the order of their text."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM pg_prepared_statements WHERE statement LIKE %s"
            " ORDER BY statement",
            [like],
        )
        return cursor.fetchall()

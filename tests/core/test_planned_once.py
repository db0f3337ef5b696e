"""`apps.core.sql.planned_once`: inside `server_binding`, a statement goes with its values
written into its text, quoted as Django's default cursor quotes them, so that prepared it
has no parameters (PostgreSQL plans such a statement once per connection); elsewhere it
changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from apps.core.sql import planned_once, server_binding, written_in
from tests.binding import prepared_statements

pytestmark = pytest.mark.django_db

SQL = "SELECT %s || '%%', %s + 1, %s, %s"
PARAMS = ["it's 50", 41, Decimal("1.50"), datetime.date(2026, 11, 30)]


def run(sql=SQL, params=PARAMS):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_the_values_are_the_same_inside_and_outside():
    expected = run()
    assert expected[:2] == ("it's 50%", 42)
    with planned_once():
        assert run() == expected
    with server_binding(), planned_once():
        assert run() == expected
        assert run("SELECT 7", None) == (7,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server binding is PostgreSQL's")
def test_prepared_without_parameters_and_planned_once():
    sql = "SELECT count(*) FROM django_content_type WHERE id > %s AND app_label <> %s"
    with server_binding():
        with planned_once():
            for _ in range(7):  # psycopg prepares a statement on its 5th run
                run(sql, [0, "it's"])
        for _ in range(7):  # the same statement with its parameters bound
            run(sql, [0, "it's"])
        prepared = prepared_statements(
            "%django_content_type%", "statement, parameter_types::text, generic_plans, custom_plans"
        )
    literal = (
        "SELECT count(*) FROM django_content_type"
        " WHERE id > CAST(0 AS smallint) AND app_label <> 'it''s'"
    )
    assert [row[0] for row in prepared] == [
        sql.replace("%s", "$1", 1).replace("%s", "$2"),
        literal,
    ]
    assert prepared[0][1] != "{}" and prepared[1][1] == "{}"
    generic, custom = prepared[1][2:]
    assert custom == 0 and generic >= 2  # planned once, that plan kept for each later run


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's literals")
def test_written_in_with_the_types_they_are_bound_as():
    """Each value typed as psycopg binds it on the server (an integer by its size, psycopg's
    Int8 as bigint), a text untyped, as psycopg sends it: the statement is then planned as
    the bound one (an untyped 0 would be an integer)."""
    from psycopg.types.numeric import Int8

    connection.ensure_connection()
    sql = written_in(
        "SELECT %s, %s, %s, %s, %s, %s, %s, '%%'",
        [1, 70000, Int8(0), "it's", Decimal("1.50"), datetime.date(2026, 11, 30), None],
        connection.connection,
    )
    assert sql == (
        "SELECT CAST(1 AS smallint), CAST(70000 AS integer), CAST(0 AS bigint), 'it''s',"
        " CAST(1.50 AS numeric), CAST('2026-11-30'::date AS date), NULL, '%'"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        assert cursor.fetchone() == (
            1,
            70000,
            0,
            "it's",
            Decimal("1.50"),
            datetime.date(2026, 11, 30),
            None,
            "%",
        )

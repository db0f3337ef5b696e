"""Small SQL builders for the hot write paths that skip the ORM's compile step (it costs
~0.5 ms of CPU per statement, more than the statement itself; docs/performance.md)."""

from __future__ import annotations

from django.db import connection


def case_by_id(values: dict, cast: str = "") -> tuple[str, list]:
    """`CASE id WHEN %s THEN %s ... END` over `values` {pk: value} and its parameters;
    `cast` (e.g. "NUMERIC") types each value the same way on SQLite and PostgreSQL."""
    then = f"CAST(%s AS {cast})" if cast else "%s"
    sql = "CASE id " + " ".join(f"WHEN %s THEN {then}" for _ in values) + " END"
    return sql, [x for pair in values.items() for x in pair]


def add_by_id(table: str, column: str, deltas: dict, *, lock: str, wrap: str = "{}"):
    """One UPDATE adding `deltas` {pk: amount} to `column` of `table`, and its parameters.
    `wrap` shapes the new value ("ROUND({}, 2)"). Several rows are locked in primary-key
    order first with `lock` ("FOR UPDATE", "FOR NO KEY UPDATE"; an UPDATE's own row order
    follows its plan), so two writers sharing rows queue instead of deadlocking."""
    if len(deltas) == 1:
        ((pk, delta),) = deltas.items()
        value = wrap.format(f"{column} + %s")
        return f"UPDATE {table} SET {column} = {value} WHERE id = %s", [delta, pk]
    cases, params = case_by_id(deltas)
    marks = ", ".join("%s" for _ in deltas)
    order = f" ORDER BY id {lock}" if connection.features.has_select_for_update else ""
    value = wrap.format(f"{column} + {cases}")
    sql = (
        f"UPDATE {table} SET {column} = {value}"
        f" WHERE id IN (SELECT id FROM {table} WHERE id IN ({marks}){order})"
    )
    return sql, params + list(deltas)


def fillfactor(table: str, percent: int):
    """A migration operation leaving `100 - percent` % of each new heap page of `table` free
    on PostgreSQL (nothing on SQLite): room for the next versions of rows updated in place,
    so an update of a column no index covers stays a HOT update (no new index entries; the
    page prunes its dead versions itself) instead of moving the row to another page."""
    from django.db import migrations

    def run(sql: str):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql)

        return apply

    return migrations.RunPython(
        run(f"ALTER TABLE {table} SET (fillfactor = {int(percent)})"),
        run(f"ALTER TABLE {table} RESET (fillfactor)"),
        elidable=False,
    )

"""Small SQL builders for the hot write paths that skip the ORM's compile step (it costs
~0.5 ms of CPU per statement, more than the statement itself; docs/performance.md)."""

from __future__ import annotations


def case_by_id(values: dict, cast: str = "") -> tuple[str, list]:
    """`CASE id WHEN %s THEN %s ... END` over `values` {pk: value} and its parameters;
    `cast` (e.g. "NUMERIC") types each value the same way on SQLite and PostgreSQL."""
    then = f"CAST(%s AS {cast})" if cast else "%s"
    sql = "CASE id " + " ".join(f"WHEN %s THEN {then}" for _ in values) + " END"
    return sql, [x for pair in values.items() for x in pair]

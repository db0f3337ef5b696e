"""Helpers shared by the benchmark scripts (run as `python bench/<script>.py`)."""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable

# A service's runs and its raw-SQL twin's alternate ROUNDS times and the medians are
# compared, so a burst of load from elsewhere on the machine hits both sides alike
# (bench_credit.py, bench_sales.py).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def alternating_medians(one_round: Callable[[], tuple[float, ...]]) -> tuple[float, ...]:
    """`one_round()` gives (service rate, raw rate[, another raw rate]), measured one after
    the other; ROUNDS rounds in turn: the median of each, in that order."""
    rounds = [one_round() for _ in range(ROUNDS)]
    return tuple(statistics.median(rates) for rates in zip(*rounds, strict=True))


def twin_tables(cursor, twins: dict[str, str]) -> None:
    """Create each missing twin table `{twin: real}` as `LIKE real INCLUDING ALL` (columns,
    defaults, checks, indexes) plus the real table's foreign keys, which LIKE leaves out:
    a raw-SQL loop writing a twin pays for what a write of the real table pays for."""
    for twin, real in twins.items():
        cursor.execute("SELECT to_regclass(%s)", [twin])
        if cursor.fetchone()[0] is not None:
            continue
        cursor.execute(f"CREATE TABLE {twin} (LIKE {real} INCLUDING ALL)")
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [real],
        )
        for number, (definition,) in enumerate(cursor.fetchall()):
            cursor.execute(f"ALTER TABLE {twin} ADD CONSTRAINT {twin}_fk{number} {definition}")


def create_database(db_url: str, *, rebuild: bool = False) -> None:
    """Create the PostgreSQL database `db_url` names, unless it exists already
    (`rebuild`: drop it first)."""
    import psycopg

    name = db_url.rsplit("/", 1)[1]
    admin_url = db_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if rebuild:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')

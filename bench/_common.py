"""Helpers shared by the benchmark scripts (run as `python bench/<script>.py`)."""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable

# A service's runs and its raw-SQL twin's alternate ROUNDS times and the medians are
# compared, so a burst of load from elsewhere on the machine hits both sides alike
# (bench_credit.py, bench_sales.py).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def alternating_medians(one_round: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    """`one_round()` gives (service rate, raw rate), measured one after the other; ROUNDS
    rounds in turn: (the service's median, the raw loop's median)."""
    pairs = [one_round() for _ in range(ROUNDS)]
    return (
        statistics.median(service for service, _ in pairs),
        statistics.median(raw for _, raw in pairs),
    )


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

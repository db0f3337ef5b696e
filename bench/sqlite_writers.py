"""Why SQLite writers failed under load, and what the write queue changes (issue 15).

Runs T threads x W short write transactions (the shape of a charge: BEGIN IMMEDIATE, a
conditional UPDATE, two INSERTs, a little Python in between) against a fresh SQLite file,
once with Django's own sqlite3 engine (busy handler only) and once with ours
(apps.core.backends.sqlite3: a first-come-first-served line before BEGIN IMMEDIATE).
For every transaction it records how long the writer waited to begin and whether it got in.

    .venv/bin/python bench/sqlite_writers.py [--threads 16 32] [--writes 50] [--busy 5]

`--busy` is the busy timeout (and our write-wait limit) in seconds: production uses 20/15 s;
a smaller value shows the same starvation sooner. Prints one line per engine and size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.db.utils import OperationalError  # noqa: E402

ENGINES = {"django": "django.db.backends.sqlite3", "queued": "apps.core.backends.sqlite3"}


def configure(path: str, engine: str, busy: float) -> str:
    options = {
        "transaction_mode": "IMMEDIATE",
        "timeout": busy,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    if engine == ENGINES["queued"]:
        options["write_wait"] = busy
    alias = f"{engine}-{Path(path).stem}"
    settings.DATABASES[alias] = {
        **settings.DATABASES["default"],
        "ENGINE": engine,
        "NAME": path,
        "OPTIONS": options,
        "CONN_MAX_AGE": 0,
    }
    connections.settings[alias] = connections.configure_settings(
        {"default": settings.DATABASES["default"], alias: settings.DATABASES[alias]}
    )[alias]
    return alias


def run(alias: str, threads: int, writes: int, statements: int) -> dict:
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS balance (id INTEGER PRIMARY KEY, amount INT)")
        cursor.execute("CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY, amount INT)")
        cursor.execute("DELETE FROM balance")
        cursor.execute("INSERT INTO balance VALUES (1, %s)", [threads * writes])
    connection.close()
    waits: list[float] = []
    failures: list[float] = []
    errors: set[str] = set()
    holds: list[float] = []
    barrier = threading.Barrier(threads)

    def worker():
        conn = connections[alias]
        barrier.wait()
        for _ in range(writes):
            start = time.monotonic()
            try:
                with transaction.atomic(using=alias):
                    began = time.monotonic()
                    waits.append(began - start)
                    with conn.cursor() as cursor:
                        cursor.execute(
                            "UPDATE balance SET amount = amount - 1 WHERE id = 1 AND amount >= 1"
                        )
                        for _ in range(statements):
                            sum(range(3000))  # the Python a service runs between statements
                            cursor.execute("INSERT INTO log (amount) VALUES (1)")
                holds.append(time.monotonic() - began)
            except OperationalError as exc:
                failures.append(time.monotonic() - start)
                errors.add(str(exc))
        conn.close()

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    waits.sort()
    return {
        "ok": len(waits),
        "failed": len(failures),
        "per_s": len(waits) / elapsed,
        "p50_ms": 1000 * statistics.median(waits) if waits else 0,
        "p99_ms": 1000 * waits[int(len(waits) * 0.99) - 1] if waits else 0,
        "max_s": max(waits + failures),
        "hold_ms": 1000 * max(holds) if holds else 0,
        "errors": errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--writes", type=int, default=50)
    parser.add_argument("--busy", type=float, default=5.0)
    parser.add_argument("--statements", type=int, default=8, help="inserts per transaction")
    args = parser.parse_args()
    django.setup()
    print(
        f"{'engine':8} {'threads':>7} {'ok':>5} {'failed':>6} {'txn/s':>7} "
        f"{'p50 wait ms':>11} {'p99 wait ms':>11} {'max wait s':>10} {'max hold ms':>11}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for threads in args.threads:
            for name, engine in ENGINES.items():
                path = os.path.join(tmp, f"{name}-{threads}.sqlite3")
                alias = configure(path, engine, args.busy)
                r = run(alias, threads, args.writes, args.statements)
                print(
                    f"{name:8} {threads:7} {r['ok']:5} {r['failed']:6} {r['per_s']:7.0f} "
                    f"{r['p50_ms']:11.1f} {r['p99_ms']:11.1f} {r['max_s']:10.2f} {r['hold_ms']:11.1f}  {'; '.join(r['errors'])}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

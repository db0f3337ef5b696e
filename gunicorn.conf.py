"""gunicorn settings read from the working directory (make run, Procfile, Dockerfile).

On the embedded SQLite database every write goes through one line (apps/core/backends/
sqlite3), so one process with 8 threads serves best: measured with 32 clients bursting
stock removals and charges (README, docs/operations.md "Sizing"), 1 x 8 gave the highest
throughput and the lowest p99; a second process adds cross-process hand-offs (p99 x2.8)
and 16 threads only more waiting. On PostgreSQL use one process per core (WEB_CONCURRENCY
overrides), 8 threads each. Command-line flags still override everything here.
"""

import multiprocessing
import os

_sqlite = not os.environ.get("DATABASE_URL", "sqlite").startswith(("postgres", "pgsql"))

workers = int(os.environ.get("WEB_CONCURRENCY", 1 if _sqlite else multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 8))
worker_class = "gthread"
timeout = 60
graceful_timeout = 5

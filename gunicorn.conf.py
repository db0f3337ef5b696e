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


# Workers die with their master (Linux PR_SET_PDEATHSIG): if the master is killed, no
# orphaned worker keeps the port or the log pipe open, so the supervisor (honcho under
# `make run`) sees the web process end and stops the worker too.
def post_fork(server, worker):
    import ctypes
    import signal
    import sys

    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

"""gunicorn settings read from the working directory (make run, Procfile, Dockerfile).

On the embedded SQLite database every write goes through one line (apps/core/backends/
sqlite3), so one process with 8 threads serves best: measured with 32 clients bursting
stock removals and charges (README, docs/operations.md "Sizing"), 1 x 8 gave the highest
throughput and the lowest p99; a second process adds cross-process hand-offs (p99 x2.8)
and 16 threads only more waiting. On PostgreSQL use one process per core (WEB_CONCURRENCY
overrides), 8 threads each. Command-line flags still override everything here.
"""

import gc
import multiprocessing
import os

_sqlite = not os.environ.get("DATABASE_URL", "sqlite").startswith(("postgres", "pgsql"))

workers = int(os.environ.get("WEB_CONCURRENCY", 1 if _sqlite else multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# gthread, each request handed to the thread that went idle last, so one person's requests
# meet one warm database connection (backoffice/gunicorn_worker.py).
worker_class = "backoffice.gunicorn_worker.LifoThreadWorker"
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


# Garbage collection in a worker (docs/performance.md, "Garbage collection in the
# workers, and date cells"): with Python's default thresholds (700, 10, 10) a worker
# serving 16 clients ran a full collection every ~75 requests, each walking every object
# the process holds (~100 ms of CPU, and every thread of the worker stopped meanwhile),
# and spent ~9 % of its CPU collecting. The objects that live as long as the worker
# (modules, URL patterns, models, settings) are moved out of the collector's reach once
# the application is loaded (gc.freeze: they are never freed anyway), and the youngest
# generation is collected after 7,000 net allocations instead of 700, so fewer objects
# of requests still running in other threads are promoted to the older generations: a
# full collection became rare and cheap (~25 ms), GC ~4-5 % of the CPU. Every object is
# still freed by reference counting when its last reference goes; a request's reference
# cycles are collected a little later than before. A cycle among the frozen start-up
# objects is never collected (they live as long as the worker anyway).
GC_THRESHOLDS = (7000, 10, 10)


def post_worker_init(worker):
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

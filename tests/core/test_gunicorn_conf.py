"""gunicorn.conf.py: once a worker has loaded the application, its start-up objects are
frozen out of the garbage collector's reach and the youngest generation is collected
after 7,000 net allocations (docs/performance.md, "Garbage collection in the workers,
and date cells")."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_post_worker_init_freezes_and_raises_the_thresholds():
    conf = runpy.run_path(str(CONF))
    thresholds = gc.get_threshold()
    try:
        conf["post_worker_init"](None)
        assert gc.get_threshold() == (7000, 10, 10)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_threads_and_the_lifo_worker_class(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://x@127.0.0.1/x")
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    conf = runpy.run_path(str(CONF))
    assert (conf["threads"], conf["worker_class"]) == (
        8,
        "backoffice.gunicorn_worker.LifoThreadWorker",
    )

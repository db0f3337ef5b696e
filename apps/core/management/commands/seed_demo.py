"""Demo data: every app contributes a `demo.py` with `seed(*, stdout)`; with `--scale N`,
an app's `demo_scale.py` adds `seed_scale(*, scale, stdout)`, the bulk benchmark data set
(apps/core/bulkload.py; the row counts per app are in docs/performance.md), and may add
`after_scale(*, scale, stdout)` for figures computed from the finished data.

Run in INSTALLED_APPS order (lower layers first). Idempotent: running twice changes nothing.
With --scale, every app's demo data comes first and the bulk builders run afterwards, in
the same order but for the ledger and credit builders, which come first (SCALE_FIRST):
the demo data stays demo-sized (the invoicing demo invoices the demo orders, not 100,000
scale orders one by one through the services) and each builder finds what it builds on.
The command ends with ANALYZE (PostgreSQL), as autovacuum may be off. The load's trigram
(GIN) indexes, which PostgreSQL builds in one process, are built after its commit in a
second connection while the other tables are analysed and the reports computed
(`restore_pending`); a run stopped before they are built leaves them listed
(`core.PendingIndex`), and the next run builds them first.
"""

import gc
import importlib
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from apps.core.bulkload import worker_cpu
from apps.core.bulkload_indexes import (
    InThread,
    analyze,
    load_deferred,
    loads_ahead,
    pending_tables,
    restore_pending,
    restored_early,
)
from apps.core.request_context import acting_as

# Builders that read nothing the others build, run before them: their tables (the credit
# log, 1 million rows) are complete while the inventory builder replays its history, and
# their indexes and keys are added back meanwhile (`restore_meanwhile`) instead of while
# the invoicing builder computes, which has the stock, order and product tables to do.
SCALE_FIRST = ("apps.ledger", "apps.credit")


class Command(BaseCommand):
    help = "Load idempotent demo data (users, settings, currencies, ...); --scale N for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=None, help="build a large data set of about N rows per app"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when demo users already exist"
        )

    def handle(self, *args, scale=None, if_empty=False, **options):
        if scale is not None and scale < 1:
            raise CommandError("--scale must be a positive number")
        if not connection.in_atomic_block:  # what a stopped --scale run left to build
            for seconds, statement in restore_pending():
                self.stdout.write(f"  left by an earlier run, built in {seconds:.1f}s: {statement}")
        if if_empty:
            from django.contrib.auth import get_user_model

            if get_user_model().objects.filter(email="admin@demo.test").exists():
                self.stdout.write("Demo data already loaded.")
                return
        for config in apps.get_app_configs():
            if not config.name.startswith("apps."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name == f"{config.name}.demo":
                    continue
                raise
            started, cpu = time.monotonic(), time.process_time()
            with acting_as(None), transaction.atomic():
                module.seed(stdout=self.stdout)
            self._timing(config.label, started, cpu)
        if scale:
            self._scale(scale)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _scale(self, scale: int) -> None:
        began = time.monotonic()
        # The builders hold millions of small rows in lists that never form cycles: without
        # the cyclic garbage collector scanning them over and over they take less CPU.
        # One transaction: the tables the builders load get their indexes and foreign
        # keys back once, at the end, instead of after each builder.
        gc.disable()
        try:
            with transaction.atomic(), load_deferred(report=self._restore_timings):
                builders = [
                    (config.label, module)
                    for config in sorted(
                        apps.get_app_configs(), key=lambda c: c.name not in SCALE_FIRST
                    )
                    if (module := _scale_module(config.name)) and hasattr(module, "seed_scale")
                ]
                for n, (label, module) in enumerate(builders):
                    # what the builders after this one load: left alone by restore_meanwhile
                    later = [m for _, after in builders[n + 1 :] for m in _written(after)]
                    started, cpu, workers = time.monotonic(), time.process_time(), _workers()
                    early = restored_early()
                    with acting_as(None), loads_ahead(*later):
                        module.seed_scale(scale=scale, stdout=self.stdout)
                    self._timing(f"{label} --scale", started, cpu, workers)
                    count, seconds = (a - b for a, b in zip(restored_early(), early, strict=True))
                    if count:
                        self.stdout.write(
                            f"    meanwhile {count} indexes and keys added back in {seconds:.1f}s"
                        )
                started = time.monotonic()
            self.stdout.write(f"  indexes, keys, commit: {time.monotonic() - started:.1f}s")
        finally:
            gc.enable()
        # the GIN indexes the load committed without, built meanwhile in another connection
        pending = pending_tables()
        building = InThread(restore_pending) if pending else None
        try:
            started = time.monotonic()
            # fresh planner statistics for every table after the bulk load (those with an
            # index still to build: after it, by restore_pending)
            analyze(workers=2, skip=pending)
            self.stdout.write(f"  ANALYZE: {time.monotonic() - started:.1f}s")
            # figures kept from the data (dashboard, summaries) are computed on the
            # finished and analysed tables
            for config in apps.get_app_configs():
                after = _scale_builder(config.name, "after_scale")
                if after is not None:
                    started, cpu = time.monotonic(), time.process_time()
                    with acting_as(None), transaction.atomic():
                        after(scale=scale, stdout=self.stdout)
                    self._timing(f"{config.label} after --scale", started, cpu)
        finally:
            waited = time.monotonic()
            built = building.result() if building is not None else []
        if built:
            self.stdout.write(
                f"  {len(built)} GIN indexes built after the commit meanwhile, in"
                f" {sum(seconds for seconds, _ in built):.1f}s, then their tables analysed"
                f" ({time.monotonic() - waited:.1f}s waited for at the end):"
            )
            for seconds, statement in built:
                self.stdout.write(f"    {seconds:6.1f}s  {statement[:150]}")
        self.stdout.write(f"  scale data: {time.monotonic() - began:.1f}s")

    def _restore_timings(self, timings: list[tuple[float, str]], early=()) -> None:
        """The slowest indexes and keys added back after the load (where the time goes);
        `early`: those added back while a builder computed (`restore_meanwhile`)."""
        if early:
            took = sum(seconds for seconds, _ in early)
            self.stdout.write(
                f"  {len(early)} indexes and keys added back in {took:.1f}s while a builder computed"
            )
        total = sum(seconds for seconds, _ in timings)
        self.stdout.write(f"  {len(timings)} indexes and keys added back in {total:.1f}s; slowest:")
        for seconds, what in sorted(timings, reverse=True)[:12]:
            self.stdout.write(f"    {seconds:6.1f}s  {what[:150]}")

    def _timing(self, label: str, started: float, cpu: float, workers: float | None = None) -> None:
        """Wall and CPU seconds of a step; for a builder (`workers`: the workers' CPU when it
        began), with the CPU of the worker processes it forked (`forked_map`), if any."""
        forked = 0.0 if workers is None else _workers() - workers
        self.stdout.write(
            f"  {label}: {time.monotonic() - started:.1f}s (cpu {time.process_time() - cpu:.1f}s"
            + (f", workers {forked:.1f}s)" if forked >= 0.05 else ")")
        )


def _workers() -> float:
    """CPU seconds of the builders' forked workers (`forked_map`) so far."""
    return worker_cpu()


def _scale_builder(app: str, name: str = "seed_scale"):
    """`seed_scale` (or `after_scale`, run once every builder is done) of
    `<app>.demo_scale`, or None when the app has none."""
    return getattr(_scale_module(app), name, None)


def _scale_module(app: str):
    """`<app>.demo_scale`, or None when the app has none."""
    if not app.startswith("apps."):
        return None
    try:
        return importlib.import_module(f"{app}.demo_scale")
    except ModuleNotFoundError as exc:
        if exc.name == f"{app}.demo_scale":
            return None
        raise


def _written(module) -> tuple:
    """The models a builder loads in bulk (its module's WRITTEN)."""
    return getattr(module, "WRITTEN", ())

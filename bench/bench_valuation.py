"""What stock valuation costs on the hot path: `stock_remove` and `order_confirm` before
and after, in one run, on PostgreSQL.

    .venv/bin/python bench/bench_valuation.py
    BENCH_BEFORE=<commit> BENCH_SECONDS=5 BENCH_ORDERS=150 BENCH_ROUNDS=2 ...

"Before" is the code of BENCH_BEFORE (default: `git merge-base HEAD main`, the commit the
valuation branch started from), unpacked with `git archive` into a temporary directory;
"after" is this tree. Each side runs in its own process against its own fresh database
(bench_valuation_before / _after): migrate, one store, 5 products with a million units,
a customer. Then, single-threaded:

- stock_remove: one SALE of 1 unit per transaction for BENCH_SECONDS (ops/s, queries/op);
- order_confirm: BENCH_ORDERS drafts of 5 lines prepared first, then confirmed
  (orders/s, median and p95 ms, queries per confirmation).

The sides alternate BENCH_ROUNDS times (before, after, before, ...) and the best round
of each is kept, so load from other processes on the machine hits both alike.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "150"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
LINES = 5


# --- child: one side, one database -------------------------------------------------------


def child(tree: str, db_url: str) -> dict:
    sys.path.insert(0, tree)
    os.chdir(tree)
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.customers.services import customer_create
    from apps.finance.models import Currency
    from apps.inventory.models import MovementType, Store
    from apps.inventory.services import stock_receive, stock_remove
    from apps.sales.services import order_confirm, order_create, order_line_add
    from tests.catalog.factories import ProductFactory

    call_command("migrate", verbosity=0)
    store = Store.objects.create(code="BENCH", name="Bench store")
    products = [ProductFactory(sku=f"BENCH-{i}", cost_price="3.33") for i in range(LINES + 1)]
    for product in products:
        stock_receive(store=store, product=product, quantity=1_000_000)
    customer = customer_create(name="Bench customer", currency=Currency.objects.get(code="USD"))

    def remove():
        stock_remove(
            store=store,
            product=products[-1],
            quantity=1,
            movement_type=MovementType.SALE,
            reference="BENCH",
        )

    with CaptureQueriesContext(connection) as queries:
        remove()
    remove_queries = len(queries)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < SECONDS:
        remove()
        done += 1
    remove_rate = done / (time.perf_counter() - started)

    drafts = []
    for _ in range(ORDERS + 1):
        order = order_create(customer=customer, store=store)
        for product in products[:LINES]:
            order_line_add(order=order, product=product, quantity=1)
        drafts.append(order)
    with CaptureQueriesContext(connection) as queries:
        order_confirm(order=drafts.pop())
    confirm_queries = len(queries)
    times = []
    started = time.perf_counter()
    for order in drafts:
        one = time.perf_counter()
        order_confirm(order=order)
        times.append((time.perf_counter() - one) * 1000)
    confirm_rate = len(drafts) / (time.perf_counter() - started)
    return {
        "remove_rate": remove_rate,
        "remove_queries": remove_queries,
        "confirm_rate": confirm_rate,
        "confirm_median": statistics.median(times),
        "confirm_p95": statistics.quantiles(times, n=20)[-1],
        "confirm_queries": confirm_queries,
    }


# --- parent: prepare both sides, alternate, compare --------------------------------------


def unpack(commit: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def fresh_database(name: str) -> str:
    sys.path.insert(0, str(ROOT))
    from bench._common import create_database

    url = f"{SERVER}/{name}"
    create_database(url, rebuild=True)
    return url


def run_side(tree: Path, name: str) -> dict:
    url = fresh_database(name)
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(tree), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    before = (
        os.environ.get("BENCH_BEFORE")
        or subprocess.run(
            ["git", "merge-base", "HEAD", "main"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    results: dict[str, list[dict]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory(prefix="bench-valuation-") as tmp:
        old = Path(tmp)
        unpack(before, old)
        print(f"before = {before[:10]} (unpacked in {old}), after = this tree")
        for round_ in range(ROUNDS):
            for side, tree in (("before", old), ("after", ROOT)):
                result = run_side(tree, f"bench_valuation_{side}")
                results[side].append(result)
                print(
                    f"  round {round_ + 1} {side:<6}: stock_remove {result['remove_rate']:.0f}/s,"
                    f" order_confirm {result['confirm_rate']:.1f}/s"
                )
    best = {
        side: {
            "remove_rate": max(r["remove_rate"] for r in rows),
            "confirm_rate": max(r["confirm_rate"] for r in rows),
            "confirm_median": min(r["confirm_median"] for r in rows),
            "confirm_p95": min(r["confirm_p95"] for r in rows),
            "remove_queries": rows[0]["remove_queries"],
            "confirm_queries": rows[0]["confirm_queries"],
        }
        for side, rows in results.items()
    }
    b, a = best["before"], best["after"]
    print(f"\nbest of {ROUNDS} rounds, one thread, PostgreSQL:")
    print(f"  {'':<34} {'before':>9} {'after':>9} {'after/before':>13}")
    for label, key in (
        ("stock_remove ops/s", "remove_rate"),
        ("stock_remove queries/op", "remove_queries"),
        (f"order_confirm ({LINES} lines) orders/s", "confirm_rate"),
        ("order_confirm median ms", "confirm_median"),
        ("order_confirm p95 ms", "confirm_p95"),
        ("order_confirm queries/order", "confirm_queries"),
    ):
        print(f"  {label:<34} {b[key]:>9.1f} {a[key]:>9.1f} {a[key] / b[key]:>13.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
    else:
        main()

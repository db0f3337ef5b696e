"""Stock screens at 100,000 products / ~1,000,000 movements, and stock_remove throughput.

    .venv/bin/python bench/bench_inventory.py              # creates/reuses database bench_inventory
    BENCH_SCALE=100000 BENCH_REQUESTS=30 BENCH_SECONDS=5 .venv/bin/python bench/bench_inventory.py
    BENCH_REBUILD=1 ...                                    # drop and rebuild the database first

1. Builds the data once: `seed_demo` (the small demo of every app), then the catalog and
   inventory `seed_scale(scale=N)`: N products and about 10 N movements (COPY on PostgreSQL).
2. Server time of the stock screens through the Django test client (in-process: URL
   resolution, middleware, queries, template rendering; no network), logged in as the demo
   Warehouse user: BENCH_REQUESTS requests per page after 3 warm-up requests, median and p95.
3. stock_remove with 1 and 8 threads for BENCH_SECONDS each (each thread on its own level,
   then all on one hot level), next to a raw-SQL loop doing only the conditional UPDATE ...
   RETURNING + the movement INSERT per transaction on twin tables (same columns, checks,
   indexes and keys; copies of the bench levels); prints the ratio.
4. Runs the inventory checks of check_books on the result.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import twin_tables  # noqa: E402

DB_URL = os.environ.get("BENCH_DB", "postgres://postgres@127.0.0.1:5432/bench_inventory")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
SCALE = int(os.environ.get("BENCH_SCALE", "100000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
THREADS = [int(n) for n in os.environ.get("BENCH_THREADS", "1,8").split(",")]
HOT_UNITS = 10_000_000


def build_data() -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    from apps.catalog import demo as catalog_demo
    from apps.catalog import demo_scale as catalog_scale
    from apps.catalog.models import Product
    from apps.core.request_context import acting_as
    from apps.inventory import demo_scale as inventory_scale
    from apps.inventory.models import StockMovement

    call_command("migrate", verbosity=0)
    have = Product.all_objects.filter(sku__startswith=catalog_demo.SCALE_PREFIX).count()
    if have >= SCALE:
        print(f"data: reusing {have:,} scale products, {StockMovement.objects.count():,} movements")
        return
    started = time.perf_counter()
    call_command("seed_demo", stdout=StringIO())
    demo = time.perf_counter() - started
    out = StringIO()
    with acting_as(None):
        started = time.perf_counter()
        catalog_scale.seed_scale(scale=SCALE, stdout=out)
        products = time.perf_counter() - started
        started = time.perf_counter()
        inventory_scale.seed_scale(scale=SCALE, stdout=out)
        movements = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"data: demo {demo:.1f}s; {SCALE:,} products {products:.1f}s; "
        f"{StockMovement.objects.count():,} movements {movements:.1f}s"
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_pages() -> list[tuple[str, float, float, int]]:
    from django.test import Client

    from apps.accounts.models import User
    from apps.catalog.models import Product
    from apps.inventory.models import Store

    client = Client()
    client.force_login(User.objects.get(email="warehouse@demo.test"))
    main = Store.objects.get(code="MAIN").pk
    city = Store.objects.get(code="CITY").pk
    middle = Product.objects.filter(sku=f"SC-{SCALE // 2:06d}").values_list("sku", flat=True)
    sku = middle.first() or "SC-000001"
    pages = [
        ("product list, first page", "/catalog/products/"),
        ("product list, search 'widget'", "/catalog/products/?q=widget"),
        ("product list, low stock in one store", f"/catalog/products/?status=low&store={city}"),
        (
            "product list, sorted by price, page 100",
            "/catalog/products/?sort=-selling_price&page=100",
        ),
        ("stock levels, first page", "/inventory/stock/"),
        ("stock levels, one store, low", f"/inventory/stock/?store={city}&status=low"),
        ("stock levels, per-store totals (htmx)", "/inventory/stock/?_partial=summaries"),
        ("low stock page", "/inventory/low-stock/"),
        ("movement list, first page", "/inventory/movements/"),
        (
            "movement list, store + type filter",
            f"/inventory/movements/?store={main}&movement_type=transfer_out",
        ),
        ("movement list, one product", f"/inventory/movements/?product={sku}"),
        ("dashboard (stock and catalog cards)", "/"),
    ]
    # page 21 of the movement list, reached by following "Older" twenty times
    import html
    import re

    path = "/inventory/movements/"
    for _ in range(20):
        older = re.search(r'href="(\?[^"]*before=\d+)" rel="next"', client.get(path).text)
        path = "/inventory/movements/" + html.unescape(older.group(1))
    pages.append(("movement list, page 21 (keyset)", path))
    results = []
    for label, path in pages:
        headers = {"HX-Request": "true"} if "_partial" in path else {}
        for _ in range(3):
            assert client.get(path, headers=headers).status_code == 200, path
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results.append((label, statistics.median(times), percentile(times, 0.95), len(times)))
    return results


def bench_levels(count: int):
    """`count` levels with plenty of stock in the bench store (created once)."""
    from apps.catalog.models import Product
    from apps.inventory.models import StockLevel, Store
    from apps.inventory.services import stock_receive

    store, _ = Store.objects.get_or_create(code="BENCH", defaults={"name": "Bench store"})
    products = list(Product.objects.filter(sku__startswith="SC-").order_by("pk")[:count])
    levels = []
    for product in products:
        level = StockLevel.objects.filter(store=store, product=product).first()
        if level is None or level.quantity < HOT_UNITS // 10:
            stock_receive(store=store, product=product, quantity=1_000_000, reference="BENCH")
            for _ in range(9):
                stock_receive(store=store, product=product, quantity=1_000_000)
        levels.append((store, product))
    return levels


def run_threads(threads: int, work) -> float:
    """Run work(index, stop_event) in `threads` threads for SECONDS; return ops/second."""
    from django.db import connection

    counts = [0] * threads
    stop = threading.Event()
    barrier = threading.Barrier(threads + 1)
    errors: list[Exception] = []

    def worker(index):
        try:
            barrier.wait()
            counts[index] = work(index, stop)
        except Exception as exc:  # reported below: a rate from failed workers means nothing
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(SECONDS)
    stop.set()
    for thread in pool:
        thread.join()
    if errors:
        raise SystemExit(f"{len(errors)} of {threads} workers failed, first: {errors[0]!r}")
    return sum(counts) / (time.perf_counter() - started)


def orm_work(levels, hot: bool):
    from apps.accounts.models import User
    from apps.inventory.models import MovementType
    from apps.inventory.services import stock_remove

    user = User.objects.get(email="warehouse@demo.test")

    def work(index, stop):
        store, product = levels[0 if hot else index]
        done = 0
        while not stop.is_set():
            stock_remove(
                store=store,
                product=product,
                quantity=1,
                movement_type=MovementType.SALE,
                reference="BENCH",
                user=user,
            )
            done += 1
        return done

    return work


# The raw loop works on twins of the two tables (same columns, checks, indexes and foreign
# keys, created with LIKE ... INCLUDING ALL), holding copies of the bench levels: writing the
# real tables behind the services' backs would leave the books wrong after a run (the
# Inventory account, the store totals and low/out counters never see those removals), and
# `make bench` runs check_books on its data afterwards. The twin movement table starts
# empty where the real one holds ~1.2M rows (one b-tree level fewer per index insert).
RAW_LEVELS = "bench_raw_stocklevel"
RAW_MOVEMENTS = "bench_raw_stockmovement"

# The unit leaves at the level's average cost (rounded to cents), as valuation requires.
RAW_UPDATE = (
    f"UPDATE {RAW_LEVELS} SET quantity = quantity - 1,"
    " value = value - ROUND(unit_cost, 2), updated_at = now()"
    " WHERE store_id = %s AND product_id = %s AND quantity >= 1"
    " RETURNING quantity, unit_cost, ROUND(unit_cost, 2)"
)
RAW_INSERT = (
    f"INSERT INTO {RAW_MOVEMENTS} (store_id, product_id, movement_type, quantity,"
    " previous_quantity, new_quantity, unit_cost, value, reason, reference, notes, user_id,"
    " created_at, product_sku, product_name, category_name)"
    " VALUES (%s, %s, 'sale', -1, %s, %s, %s, -%s, '', 'BENCH-RAW', '', %s, now(), %s, %s, '')"
)


def raw_twins(levels) -> None:
    """Create the twin tables once (with the real tables' foreign keys) and copy the bench
    levels' current rows into the twin level table."""
    from django.db import connection

    with connection.cursor() as cursor:
        twin_tables(
            cursor,
            {RAW_LEVELS: "inventory_stocklevel", RAW_MOVEMENTS: "inventory_stockmovement"},
        )
        cursor.execute(f"TRUNCATE {RAW_LEVELS}")
        cursor.execute(
            f"INSERT INTO {RAW_LEVELS} SELECT * FROM inventory_stocklevel"
            " WHERE (store_id, product_id) IN (SELECT * FROM unnest(%s::bigint[], %s::bigint[]))",
            [[store.pk for store, _ in levels], [product.pk for _, product in levels]],
        )
        cursor.execute(f"ANALYZE {RAW_LEVELS}")


def raw_work(levels, hot: bool):
    import psycopg

    from apps.accounts.models import User

    user_id = User.objects.get(email="warehouse@demo.test").pk
    raw_twins(levels)

    def work(index, stop):
        store, product = levels[0 if hot else index]
        done = 0
        with psycopg.connect(DB_URL) as conn:
            while not stop.is_set():
                with conn.transaction():
                    row = conn.execute(RAW_UPDATE, [store.pk, product.pk]).fetchone()
                    if row is None:
                        raise RuntimeError("bench level ran out of stock")
                    conn.execute(
                        RAW_INSERT,
                        [
                            store.pk,
                            product.pk,
                            row[0] + 1,
                            row[0],
                            row[1],
                            row[2],
                            user_id,
                            product.sku,
                            product.name,
                        ],
                    )
                done += 1
        return done

    return work


def removal_rates(levels, hot: bool, threads: int) -> tuple[float, float]:
    """stock_remove/s through the service, then through the raw loop, SECONDS each."""
    return (
        run_threads(threads, orm_work(levels, hot)),
        run_threads(threads, raw_work(levels, hot)),
    )


def measure_removals() -> list[tuple[str, int, float, float]]:
    levels = bench_levels(max(THREADS))
    rows = []
    for hot in (False, True):
        for threads in THREADS:
            orm, raw = removal_rates(levels, hot, threads)
            rows.append(("one hot level" if hot else "own level each", threads, orm, raw))
    return rows


def main() -> None:
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, no collectstatic
    from bench._common import create_database

    create_database(DB_URL, rebuild=bool(os.environ.get("BENCH_REBUILD")))
    import django

    django.setup()
    build_data()
    print(f"\nServer time per request (Django test client, {REQUESTS} requests after warm-up):")
    print(f"  {'page':<42} {'median ms':>10} {'p95 ms':>8}")
    for label, median, p95, _ in measure_pages():
        print(f"  {label:<42} {median:>10.1f} {p95:>8.1f}")
    print(f"\nstock_remove, {SECONDS:.0f} s per run (ops/second):")
    print(f"  {'levels':<16} {'threads':>7} {'service':>9} {'raw SQL':>9} {'raw/service':>11}")
    for label, threads, orm, raw in measure_removals():
        print(f"  {label:<16} {threads:>7} {orm:>9.0f} {raw:>9.0f} {raw / orm:>11.2f}")

    from apps.core.books import registered_checks

    for check in registered_checks():
        if check.name.startswith("inventory."):
            result = check.func()
            state = "OK" if result.ok else f"{len(result.violations)} VIOLATIONS"
            print(f"\ncheck_books {check.name}: {result.counted:,} checked, {state}", end="")
    print()


if __name__ == "__main__":
    main()

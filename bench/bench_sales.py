"""order_confirm throughput and the order list's latency at scale, on PostgreSQL.

    .venv/bin/python bench/bench_sales.py           # creates/reuses database bench_sales
    BENCH_ORDERS=200 BENCH_SCALE=100000 BENCH_DB=postgres://postgres@127.0.0.1:5432/bench_sales ...

1. Confirm throughput: drafts of 5 lines each (random products of 200 well-stocked ones,
   or the same 5 "hot" products) are prepared first, then confirmed through the real
   `order_confirm` (order row lock, 5 stock levels locked in pk order, 5 SALE movements
   through `stock_remove`, the audit events) by 1 and 8 threads. Prints orders/s, lines/s
   and the median/p95 latency of one confirmation.
2. Order list: `seed_scale` brings the orders to BENCH_SCALE (bulk), then the order list
   is requested through the Django test client (middleware, permission check, filter,
   django-tables2, template) BENCH_REPEAT times per variant: median and p95.
At the end check_books runs on the bench database; every invariant must hold.
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
DB_URL = os.environ.get("BENCH_DB", "postgres://postgres@127.0.0.1:5432/bench_sales")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
ORDERS = int(os.environ.get("BENCH_ORDERS", "200"))  # confirmations per run
SCALE = int(os.environ.get("BENCH_SCALE", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
THREADS = [int(n) for n in os.environ.get("BENCH_THREADS", "1,8").split(",")]
PARTS = os.environ.get("BENCH_PARTS", "confirm,list").split(",")
PRODUCTS = 200
LINES = 5


def setup_data():
    """Demo data once, a bench store with 200 products of a million units each, customers."""
    from io import StringIO

    from django.core.management import call_command

    from apps.catalog.models import Product
    from apps.customers.models import Customer
    from apps.customers.services import customer_create
    from apps.finance.models import Currency
    from apps.inventory.models import StockLevel, Store
    from apps.inventory.services import stock_receive
    from apps.sales.models import Order

    call_command("migrate", verbosity=0)
    if not Order.all_objects.exists():
        call_command("seed_demo", stdout=StringIO())
    store = Store.objects.filter(code="BENCH").first() or Store.objects.create(
        code="BENCH", name="Bench store"
    )
    usd = Currency.objects.get(pk="USD")
    products = list(Product.objects.filter(sku__startswith="BENCH-").order_by("pk"))
    for n in range(len(products), PRODUCTS):
        products.append(
            Product.objects.create(
                sku=f"BENCH-{n:04d}",
                name=f"Bench product {n}",
                cost_price="5.00",
                selling_price=f"{10 + n % 90}.{n % 100:02d}",
                currency=usd,
            )
        )
    for product in products:
        have = (
            StockLevel.objects.filter(store=store, product=product)
            .values_list("quantity", flat=True)
            .first()
            or 0
        )
        if have < 500_000:
            stock_receive(store=store, product=product, quantity=1_000_000 - have)
    customers = list(Customer.objects.filter(name__startswith="Bench buyer").order_by("pk"))
    for n in range(len(customers), 8):
        customers.append(customer_create(name=f"Bench buyer {n}", currency=usd))
    return store, products, customers


def make_drafts(count: int, store, products, customers, *, hot: bool) -> list:
    import random

    from apps.sales import services

    rng = random.Random(count)
    drafts = []
    for n in range(count):
        order = services.order_create(customer=customers[n % len(customers)], store=store)
        chosen = products[:LINES] if hot else rng.sample(products, LINES)
        for product in chosen:
            services.order_line_add(order=order, product=product, quantity=rng.randint(1, 3))
        drafts.append(order)
    return drafts


def confirm_run(drafts: list, threads: int) -> tuple[float, list[float]]:
    """Confirm every draft with `threads` workers; returns (seconds, latencies)."""
    from django.db import connection

    from apps.sales.services import order_confirm

    queue = list(reversed(drafts))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(threads + 1)

    def worker():
        try:
            barrier.wait()
            while True:
                with lock:
                    if not queue:
                        return
                    order = queue.pop()
                started = time.perf_counter()
                try:
                    order_confirm(order=order)
                except Exception as exc:  # counted and reported: the bench must see none
                    errors.append(exc)
                    continue
                with lock:
                    latencies.append(time.perf_counter() - started)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} confirmations failed, first: {errors[0]!r}")
    return elapsed, latencies


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def bench_confirm(store, products, customers) -> None:
    from django.db import connection

    print(f"\norder_confirm, {LINES}-line orders, {ORDERS} confirmations per run")
    print(
        f"{'products':>10} {'threads':>8} {'orders/s':>9} {'lines/s':>8} {'p50 ms':>7} {'p95 ms':>7}"
    )
    for label, hot in (("spread", False), ("5 hot", True)):
        for threads in THREADS:
            drafts = make_drafts(ORDERS, store, products, customers, hot=hot)
            connection.close()
            elapsed, latencies = confirm_run(drafts, threads)
            rate = len(latencies) / elapsed
            print(
                f"{label:>10} {threads:>8} {rate:>9.1f} {rate * LINES:>8.0f}"
                f" {statistics.median(latencies) * 1000:>7.1f} {p95(latencies) * 1000:>7.1f}"
            )
            sys.stdout.flush()


def bench_list() -> None:
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.db.models import Max, Min
    from django.test import Client

    from apps.customers import demo as customers_demo
    from apps.customers.models import Customer
    from apps.sales import demo as sales_demo
    from apps.sales.models import Order

    started = time.perf_counter()
    customers_demo.seed_scale(scale=SCALE, stdout=StringIO())
    missing = SCALE - Order.all_objects.count()
    if missing > 0:
        sales_demo.seed_scale(
            scale=Order.all_objects.filter(reference__startswith="SCALE-").count() + missing,
            stdout=StringIO(),
        )
    seeded = time.perf_counter() - started
    total = Order.all_objects.count()
    print(f"\norder list at {total:,} orders (seeding took {seeded:.0f}s), {REPEAT} requests each")
    client = Client()
    client.force_login(get_user_model().objects.get(email="admin@demo.test"))
    customer = Customer.objects.filter(name__startswith="Scale customer").order_by("pk").first()
    dates = Order.objects.aggregate(lo=Min("order_date"), hi=Max("order_date"))
    middle = dates["lo"] + (dates["hi"] - dates["lo"]) / 2
    variants = [
        ("first page", {}),
        ("page 200", {"page": "200"}),
        ("status=confirmed", {"status": "confirmed"}),
        ("one customer", {"customer": str(customer.pk)}),
        ("date range + min total", {"start": str(middle), "min_total": "100"}),
        ("sort by total desc", {"sort": "-total"}),
        ("search number", {"q": "SO-"}),
    ]
    print(f"{'variant':>24} {'p50 ms':>7} {'p95 ms':>7}")
    for label, params in variants:
        timings = []
        for n in range(REPEAT + 2):
            began = time.perf_counter()
            response = client.get("/sales/orders/", params, HTTP_HX_REQUEST="true")
            took = time.perf_counter() - began
            assert response.status_code == 200, response.status_code
            if n >= 2:  # two warm-up requests
                timings.append(took)
        print(f"{label:>24} {statistics.median(timings) * 1000:>7.1f} {p95(timings) * 1000:>7.1f}")
        sys.stdout.flush()


def main() -> None:
    from bench._common import create_database

    create_database(DB_URL)
    import django

    django.setup()
    from django.db import connection

    from apps.core.books import run_checks

    store, products, customers = setup_data()
    connection.close()
    print(f"PostgreSQL {DB_URL.rsplit('/', 1)[1]}, {os.cpu_count()} cores")
    if "confirm" in PARTS:
        bench_confirm(store, products, customers)
    if "list" in PARTS:
        bench_list()
    started = time.perf_counter()
    ok, results = run_checks(triggered_by="bench_sales")
    failed = [r.name for r in results if not r.ok]
    took = time.perf_counter() - started
    print(f"\ncheck_books ({took:.1f}s):", "all passed" if ok else f"FAILED {failed}")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

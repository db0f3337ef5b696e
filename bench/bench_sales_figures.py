"""What the daily sales figures cost the order hot path, measured in one run (issue 10).

    nice -n 10 .venv/bin/python bench/bench_sales_figures.py
    BENCH_DB=postgres://postgres@127.0.0.1:5432/bench_sales_figures BENCH_ORDERS=120 ...

`order_confirm` of 3-line orders, alternating in batches of 10 between the real service and
the same service with the figures INSERT switched off (so load changes hit both alike);
then `sales_figures_compact` of the day's rows those confirmations left, and
`sales_figures_rebuild` of the whole table. Data: the demo data (`seed_demo`) plus a bench
store with 6 stocked products, all in a database of its own.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DB", "postgres://postgres@127.0.0.1:5432/bench_sales_figures")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
os.environ.setdefault("LOG_LEVEL", "WARNING")
ORDERS = int(os.environ.get("BENCH_ORDERS", "120"))
BATCH = 10


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    from bench._common import create_database

    create_database(DB_URL)
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", if_empty=True, stdout=StringIO())

    from apps.sales.figures import sales_figures_compact, sales_figures_rebuild
    from apps.sales.models import SalesFigure
    from apps.sales.services import orders as order_services
    from tests.inventory.factories import StoreFactory
    from tests.sales.factories import make_customer, make_order, make_product, stocked

    store = StoreFactory()
    products = [
        stocked(store, make_product("10.00", sku=f"FIG-{store.pk}-{n}"), ORDERS * 10)
        for n in range(6)
    ]
    customer = make_customer("Figures Bench")
    drafts = [
        make_order(customer, store, [(p, 1) for p in products[n % 2 :: 2]]) for n in range(ORDERS)
    ]
    real = order_services.sales_figures_order
    timings: dict[str, list[float]] = {"with figures": [], "without": []}
    print(f"PostgreSQL {DB_URL.rsplit('/', 1)[1]}, {ORDERS} confirmations, load {load()}")
    for start in range(0, ORDERS, BATCH):
        variant = "with figures" if (start // BATCH) % 2 == 0 else "without"
        order_services.sales_figures_order = (
            real if variant == "with figures" else (lambda **kwargs: None)
        )
        for order in drafts[start : start + BATCH]:
            began = time.perf_counter()
            order_services.order_confirm(order=order)
            timings[variant].append(time.perf_counter() - began)
    order_services.sales_figures_order = real
    base = statistics.median(timings["without"])
    for variant, values in timings.items():
        median = statistics.median(values)
        print(
            f"order_confirm {variant:>12}: median {median * 1000:6.1f} ms "
            f"({median / base:.2f} of without)"
        )
    fresh = SalesFigure.objects.filter(compacted=False).count()
    began = time.perf_counter()
    merged = sales_figures_compact()
    print(
        f"sales_figures_compact: {fresh} new rows -> {merged['rows']} rows of {merged['days']} "
        f"days in {time.perf_counter() - began:.2f} s"
    )
    began = time.perf_counter()
    rows = sales_figures_rebuild()
    print(f"sales_figures_rebuild: {rows:,} rows in {time.perf_counter() - began:.2f} s")
    print(f"load at the end {load()}")


if __name__ == "__main__":
    main()

"""Period reports end to end and the dashboard's server time, on PostgreSQL.

    .venv/bin/python bench/bench_reports.py        # creates/reuses database bench_reports
    BENCH_SCALE=20000 BENCH_REPEAT=30 BENCH_DB=postgres://postgres@127.0.0.1:5432/bench_reports ...

1. `seed_demo --scale BENCH_SCALE` once (orders ~ BENCH_SCALE, ~3 lines each, over the
   last ~110 days), then charges and top-ups for the seller credit report.
2. Each report through the real run path (`report_run_request` + `report_run_execute`:
   compute, JSON, CSV, WeasyPrint PDF) over the last 120 days: seconds end to end.
3. `dashboard_refresh` (the 10-minute job) once, then `/` through the Django test client
   BENCH_REPEAT times as Admin: median and p95, next to the old way (every area card
   computing its figures live over the whole tables) in the same run.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DB", "postgres://postgres@127.0.0.1:5432/bench_reports")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
SCALE = int(os.environ.get("BENCH_SCALE", "20000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
CHARGES = int(os.environ.get("BENCH_CHARGES", "2000"))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def setup_data() -> None:
    from io import StringIO

    from django.core.management import call_command

    from apps.credit.models import Seller, TransactionLog
    from apps.credit.services import credit_charge
    from apps.sales.models import Order

    call_command("migrate", verbosity=0)
    if Order.all_objects.filter(reference__startswith="SCALE-").count() < SCALE:
        started = time.perf_counter()
        call_command("seed_demo", scale=SCALE, stdout=StringIO())
        print(f"seed_demo --scale {SCALE}: {time.perf_counter() - started:.0f}s")
    have = TransactionLog.objects.filter(idempotency_key__startswith="bench-").count()
    sellers = list(Seller.objects.select_related("account__currency").filter(balance__gt=100))
    today = dt.date.today()
    for n in range(have, CHARGES if sellers else have):
        credit_charge(
            seller=sellers[n % len(sellers)],
            amount="1.00",
            phone="+447911123456",
            idempotency_key=f"bench-{n}",
            date=today - dt.timedelta(days=n % 90),
        )


def bench_reports() -> None:
    from django.db.models import Count

    from apps.reports.services import report_run_execute, report_run_request
    from apps.sales.models import OrderLine

    today = dt.date.today()
    start = (today - dt.timedelta(days=120)).isoformat()
    period = {"start": start, "end": today.isoformat()}
    lines = OrderLine.objects.aggregate(n=Count("pk"))["n"]
    print(
        f"\nreports over 120 days, {lines:,} order lines in the database (end to end: "
        "compute + JSON + CSV + PDF)"
    )
    print(f"{'report':>28} {'seconds':>8} {'rows':>6} {'pdf KB':>7}")
    for label, type_, params in (
        ("sales by month", "sales", {**period, "group_by": "month"}),
        ("sales by day", "sales", {**period, "group_by": "day"}),
        ("sales by product", "sales", {**period, "group_by": "product"}),
        ("sales by customer", "sales", {**period, "group_by": "customer"}),
        ("gross profit by week", "gross_profit", {**period, "group_by": "week"}),
        ("profit and loss", "profit_loss", period),
        ("balance sheet", "balance_sheet", {"end": today.isoformat()}),
        ("seller credit", "seller_credit", period),
    ):
        run = report_run_request(type=type_, parameters=params, queue=False)
        began = time.perf_counter()
        run = report_run_execute(run_id=run.pk)
        took = time.perf_counter() - began
        assert run.status == "done", run.error
        rows = sum(len(t["rows"]) for t in run.result["tables"])
        print(f"{label:>28} {took:>8.2f} {rows:>6} {run.pdf_file.size / 1024:>7.0f}")
        sys.stdout.flush()


def bench_dashboard() -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from apps.reports.summary import CARD_FIGURES, dashboard_refresh

    began = time.perf_counter()
    dashboard_refresh()
    print(f"\ndashboard_refresh (every 10 minutes): {time.perf_counter() - began:.2f}s")
    client = Client()
    client.force_login(get_user_model().objects.get(email="admin@demo.test"))

    def measure(fn) -> list[float]:
        timings = []
        for n in range(REPEAT + 2):
            began = time.perf_counter()
            fn()
            if n >= 2:
                timings.append(time.perf_counter() - began)
        return timings

    def page():
        assert client.get("/").status_code == 200

    def profile():  # a page with no figures at all: the floor of any page's server time
        assert client.get("/accounts/profile/").status_code == 200

    def live_cards():  # what the dashboard did before: every card scans its tables
        for func in CARD_FIGURES.values():
            func()

    print(f"{'dashboard':>28} {'p50 ms':>7} {'p95 ms':>7}")
    for label, fn in (
        ("GET / (summary tables)", page),
        ("GET /accounts/profile/ (floor)", profile),
        ("old live card figures", live_cards),
    ):
        timings = measure(fn)
        print(f"{label:>28} {statistics.median(timings) * 1000:>7.1f} {p95(timings) * 1000:>7.1f}")


def main() -> None:
    from bench._common import create_database

    create_database(DB_URL)
    import django

    django.setup()
    print(f"PostgreSQL {DB_URL.rsplit('/', 1)[1]}, {os.cpu_count()} cores")
    setup_data()
    bench_reports()
    bench_dashboard()


if __name__ == "__main__":
    main()

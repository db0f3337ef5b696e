"""invoice_issue throughput (invoices/s) with 1 and 8 threads, on PostgreSQL.

    .venv/bin/python bench/bench_invoicing.py        # creates/reuses database bench_invoicing
    BENCH_INVOICES=200 BENCH_THREADS=1,8 BENCH_DB=postgres://... .venv/bin/python ...

Drafts of 5 lines each (two tax rates, one line discount) are prepared first; then the real
`invoice_issue` (draft row lock, the series + fiscal-year counter row locked and
incremented, Dr AR / Cr Sales Revenue / Cr Tax Payable posted, the hash chain linked) runs
over them with each thread count. All drafts share one series, so every issue contends for
the same counter row, as a busy office does. The PDF is queued on commit (a row in the
ORM job queue, part of the measured path) and rendered by the django-q2 worker, which does
not run here: its cost is measured by bench/bench_invoice_pdf.py. Ends with check_books on the bench
database: numbers gapless, postings balanced, AR == receivables.
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
DB_URL = os.environ.get("BENCH_DB", "postgres://postgres@127.0.0.1:5432/bench_invoicing")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
INVOICES = int(os.environ.get("BENCH_INVOICES", "200"))
THREADS = [int(n) for n in os.environ.get("BENCH_THREADS", "1,8").split(",")]


def prepare(count: int) -> list[int]:
    from apps.core.models import CompanySettings
    from apps.customers.models import Customer
    from apps.finance.models import TaxRate
    from apps.invoicing import services

    base = CompanySettings.load().base_currency
    customers = list(Customer.objects.filter(currency_id=base).order_by("pk")[:20])
    rates = list(TaxRate.objects.order_by("pk")[:2])
    drafts = []
    for n in range(count):
        lines = [
            {
                "description": f"Bench item {k}",
                "quantity": k + 1,
                "unit_price": f"{9 + k}.99",
                "discount_percent": "5" if k == 0 else "0",
                "tax_rate": rates[k % len(rates)],
            }
            for k in range(5)
        ]
        invoice = services.invoice_create(customer=customers[n % len(customers)], lines=lines)
        drafts.append(invoice.pk)
    return drafts


def issue_all(pks: list[int], threads: int) -> tuple[float, list[float]]:
    from django.db import connection

    from apps.invoicing import services
    from apps.invoicing.models import Invoice

    todo = iter(pks)
    lock = threading.Lock()
    latencies: list[float] = []

    def worker():
        try:
            while True:
                with lock:
                    pk = next(todo, None)
                if pk is None:
                    return
                started = time.perf_counter()
                services.invoice_issue(invoice=Invoice.objects.get(pk=pk))
                with lock:
                    latencies.append(time.perf_counter() - started)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    began = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - began, latencies


def main() -> int:
    sys.path.insert(0, str(ROOT / "bench"))
    from _common import create_database

    create_database(DB_URL)
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--if-empty", stdout=StringIO())
    print(f"invoice_issue, {INVOICES} drafts of 5 lines per thread count, one series")
    print(f"{'threads':>7} {'invoices/s':>10} {'median ms':>9} {'p95 ms':>7}")
    for threads in THREADS:
        pks = prepare(INVOICES)
        elapsed, latencies = issue_all(pks, threads)
        latencies.sort()
        print(
            f"{threads:7} {len(pks) / elapsed:10.1f} {1000 * statistics.median(latencies):9.1f}"
            f" {1000 * latencies[int(len(latencies) * 0.95) - 1]:7.1f}"
        )
    out = StringIO()
    code = 0
    try:
        call_command("check_books", stdout=out)
    except SystemExit as exc:
        code = exc.code or 0
    print(out.getvalue().strip().splitlines()[-1])
    return code


if __name__ == "__main__":
    sys.exit(main())

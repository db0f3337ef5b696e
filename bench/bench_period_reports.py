"""Every period report end to end at ~1M order lines, the dashboard, and the receivables
aging at 100,000 invoices, on PostgreSQL (issue 10).

    nice -n 10 .venv/bin/python bench/bench_period_reports.py
    BENCH_DB=postgres://postgres@127.0.0.1:5432/bo_reports BENCH_BASE=3000 \\
        BENCH_LINES=1000000 BENCH_INVOICES=100000 BENCH_REPEAT=30 ...

Data: `seed_demo --scale BENCH_BASE` once (real services and pricing: ~3 order lines per
order over the last ~110 days, the demo's invoices, credit notes and ledger), then the
bench multiplies it with set-based INSERT ... SELECT (each row copied k times with its id
shifted by k x max(id), foreign keys shifted alike, unique numbers suffixed "-k"):

- scale orders, their lines and SALE movements until ~BENCH_LINES order lines (same dates);
- journal entries dated in the report window with their lines (so the ledger grows with
  the orders: P&L, balance sheet, gross profit and tax read a ledger of matching size);
- issued invoices with their lines, credit notes and allocations until ~BENCH_INVOICES
  invoices, each copy's dates moved back k % 180 days (so the aging fills every bucket).

Then `summaries_rebuild()` (the daily sales figures and the dashboard's rows), which a bulk
load that bypasses the services must call.

Copies are for timing only: they are not posted through the services, so the copied data
does not reconcile (stored balances, stock levels) and `check_books` would say so. Then
ANALYZE (autovacuum is off on these machines).

Measured: each report through the real run path (`report_run_request` +
`report_run_execute`: compute, JSON, CSV, WeasyPrint PDF) and its compute alone; the
dashboard (`dashboard_refresh` once, then `GET /` BENCH_REPEAT times: p50/p95).
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
DB_URL = os.environ.get("BENCH_DB", "postgres://postgres@127.0.0.1:5432/bo_reports")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
BASE = int(os.environ.get("BENCH_BASE", "3000"))
LINES = int(os.environ.get("BENCH_LINES", "1000000"))
INVOICES = int(os.environ.get("BENCH_INVOICES", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
WINDOW = 120  # days of the period reports
ONLY = os.environ.get("BENCH_ONLY", "")  # run only the reports whose label contains this


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _sql(statement: str, params=()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _scalar(statement: str, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


def clone(model, copies: int, where: str, *, shift=None, suffix=(), uuid=(), dates=(), null=()):
    """INSERT copies 1..k of the rows `where` selects: the pk (integer) shifted by
    k x max(pk), `shift` {column: offset} shifted by k x offset, `suffix` columns + "-k",
    `uuid` columns re-derived per copy, `dates` moved back k % 180 days, `null` cleared."""
    table = model._meta.db_table
    pk = model._meta.pk.column
    shift = dict(shift or {})
    if pk not in uuid:
        shift.setdefault(pk, _scalar(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}"))
    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        c = field.column
        columns.append(f'"{c}"')
        if c in shift:
            exprs.append(f'"{c}" + k * {int(shift[c])}')
        elif c in suffix:
            exprs.append(f"\"{c}\" || '-' || k")
        elif c in uuid:
            exprs.append(f"md5(\"{c}\"::text || '-' || k)::uuid")
        elif c in dates:
            exprs.append(f'"{c}" - (k %% 180)')
        elif c in null:
            exprs.append("NULL")
        else:
            exprs.append(f'"{c}"')
    rows = _sql(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "
        f"FROM {table}, generate_series(1, %s) AS k WHERE {where}",
        [copies],
    )
    if pk not in uuid:
        _sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), "
            f"(SELECT MAX({pk}) FROM {table}))"
        )
    return rows


def max_id(model) -> int:
    return _scalar(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")


def setup_data() -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction

    from apps.inventory.models import StockMovement
    from apps.invoicing.models import Allocation, CreditNote, CreditNoteLine, Invoice, InvoiceLine
    from apps.ledger.models import JournalEntry, JournalLine
    from apps.sales.models import Order, OrderLine

    call_command("migrate", verbosity=0)
    if not Order.all_objects.filter(reference__startswith="SCALE-").exists():
        began = time.perf_counter()
        call_command("seed_demo", scale=BASE, stdout=StringIO())
        print(f"seed_demo --scale {BASE}: {time.perf_counter() - began:.0f} s")
    scale_lines = OrderLine.objects.filter(order__reference__startswith="SCALE-")
    have_lines = OrderLine.objects.count()
    if have_lines < LINES * 0.9:
        began = time.perf_counter()
        base_lines = scale_lines.count()
        copies = max(1, round((LINES - have_lines) / base_lines))
        orders_max, lines_max = max_id(Order), max_id(OrderLine)
        movements_max = max_id(StockMovement)
        first_scale = Order.all_objects.filter(reference__startswith="SCALE-").order_by("pk")[0].pk
        window_lines = JournalLine.objects.filter(
            entry__date__gte=dt.date.today() - dt.timedelta(days=WINDOW)
        ).count()
        with transaction.atomic():
            clone(
                Order,
                copies,
                f"id >= {first_scale} AND id <= {orders_max}",
                shift={"id": orders_max},
                suffix=("number",),
            )
            clone(
                OrderLine,
                copies,
                f"order_id >= {first_scale} AND id <= {lines_max}",
                shift={"id": lines_max, "order_id": orders_max},
            )
            clone(
                StockMovement,
                copies,
                f"movement_type = 'sale' AND id <= {movements_max}",
                shift={"id": movements_max},
            )
            # the ledger grows like the orders: each copy of an entry in the window
            window = (dt.date.today() - dt.timedelta(days=WINDOW)).isoformat()
            entry_copies = max(1, round((LINES - JournalLine.objects.count()) / window_lines))
            clone(
                JournalEntry,
                entry_copies,
                f"date >= '{window}'",
                uuid=("id",),
                null=("reverses_id",),
            )
            clone(
                JournalLine,
                entry_copies,
                f"entry_id IN (SELECT id FROM ledger_journalentry WHERE date >= '{window}') "
                f"AND id <= {max_id(JournalLine)}",
                shift={"id": max_id(JournalLine)},
                uuid=("entry_id",),
            )
        print(
            f"copied orders x{copies}, journal entries x{entry_copies}: "
            f"{time.perf_counter() - began:.0f} s"
        )
    issued = Invoice.all_objects.issued()
    if issued.count() < INVOICES * 0.9:
        began = time.perf_counter()
        base = issued.count()
        copies = max(1, round(INVOICES / base) - 1)
        inv, inv_line = max_id(Invoice), max_id(InvoiceLine)
        cn, cn_line, alloc = max_id(CreditNote), max_id(CreditNoteLine), max_id(Allocation)
        chain_inv = _scalar("SELECT COALESCE(MAX(chain_position), 0) FROM invoicing_invoice")
        chain_cn = _scalar("SELECT COALESCE(MAX(chain_position), 0) FROM invoicing_creditnote")
        seq_inv = _scalar("SELECT COALESCE(MAX(sequence), 0) FROM invoicing_invoice")
        seq_cn = _scalar("SELECT COALESCE(MAX(sequence), 0) FROM invoicing_creditnote")
        with transaction.atomic():
            clone(
                Invoice,
                copies,
                f"status <> 'draft' AND id <= {inv}",
                shift={"id": inv, "chain_position": chain_inv, "sequence": seq_inv},
                suffix=("number",),
                dates=("issue_date", "due_date"),
            )
            clone(
                InvoiceLine,
                copies,
                f"id <= {inv_line} AND invoice_id IN "
                "(SELECT id FROM invoicing_invoice WHERE status <> 'draft')",
                shift={"id": inv_line, "invoice_id": inv},
            )
            clone(
                CreditNote,
                copies,
                f"status = 'issued' AND id <= {cn}",
                shift={"id": cn, "invoice_id": inv, "chain_position": chain_cn, "sequence": seq_cn},
                suffix=("number",),
                dates=("issue_date",),
            )
            clone(
                CreditNoteLine,
                copies,
                f"id <= {cn_line} AND credit_note_id IN "
                "(SELECT id FROM invoicing_creditnote WHERE status = 'issued')",
                shift={"id": cn_line, "credit_note_id": cn, "invoice_line_id": inv_line},
            )
            clone(
                Allocation,
                copies,
                f"id <= {alloc}",
                shift={"id": alloc, "invoice_id": inv, "credit_note_id": cn},
                dates=("date",),
            )
        print(f"copied {base} issued invoices x{copies}: {time.perf_counter() - began:.0f} s")
    began = time.perf_counter()
    _sql("ANALYZE")
    print(f"ANALYZE: {time.perf_counter() - began:.0f} s")
    # the copies bypassed the services: the summaries are rebuilt, as any bulk loader must
    from apps.reports.summary import summaries_rebuild
    from apps.sales.figures import sales_figures_check

    began = time.perf_counter()
    problems = sales_figures_check()
    print(f"sales_figures_check: {time.perf_counter() - began:.1f} s, {len(problems)} differences")
    if problems:
        began = time.perf_counter()
        rebuilt = summaries_rebuild()
        print(
            f"summaries_rebuild: {time.perf_counter() - began:.1f} s "
            f"({rebuilt['sales_figures']:,} sales figure rows)"
        )
        _sql("ANALYZE")


def bench_reports() -> None:
    from django.db.models import Count

    from apps.invoicing.models import Allocation, Invoice
    from apps.ledger.models import JournalLine
    from apps.reports.registry import report_spec
    from apps.reports.services import report_run_execute, report_run_request
    from apps.sales.models import OrderLine

    today = dt.date.today()
    start = (today - dt.timedelta(days=WINDOW)).isoformat()
    period = {"start": start, "end": today.isoformat()}
    lines = OrderLine.objects.aggregate(n=Count("pk"))["n"]
    journal = JournalLine.objects.aggregate(n=Count("pk"))["n"]
    invoices = Invoice.all_objects.issued().count()
    allocations = Allocation.objects.count()
    print(
        f"\n{lines:,} order lines, {journal:,} journal lines, {invoices:,} issued invoices, "
        f"{allocations:,} allocations; load {load()}"
    )
    # what a django-q2 worker pays once, not per report: the URL configuration (the first
    # reverse() imports every app's views, DRF and the schema tools) and WeasyPrint's import
    # and fonts; measured apart so the reports below compare like with like
    from django.urls import reverse
    from weasyprint import HTML

    began = time.perf_counter()
    reverse("dashboard")
    urls = time.perf_counter() - began
    began = time.perf_counter()
    HTML(string="<p>warm</p>").write_pdf()
    print(
        f"once per process: URL configuration {urls:.1f} s, "
        f"WeasyPrint import and fonts {time.perf_counter() - began:.1f} s"
    )
    print(f"{'report':>34} {'compute s':>9} {'end to end s':>12} {'rows':>6} {'pdf KB':>7}")
    as_of = (today - dt.timedelta(days=60)).isoformat()
    for label, type_, params in (
        ("sales by month", "sales", {**period, "group_by": "month"}),
        ("sales by product", "sales", {**period, "group_by": "product"}),
        ("gross profit by week", "gross_profit", {**period, "group_by": "week"}),
        ("profit and loss", "profit_loss", period),
        ("balance sheet", "balance_sheet", {"end": today.isoformat()}),
        ("tax", "tax", period),
        ("seller credit", "seller_credit", period),
        ("AR aging today", "ar_aging", {"end": today.isoformat()}),
        ("AR aging 60 days ago", "ar_aging", {"end": as_of}),
        ("stock valuation by store today", "stock_valuation", {"end": today.isoformat()}),
        ("stock valuation 60 days ago", "stock_valuation", {"end": as_of}),
        ("stock valuation by product", "stock_valuation", {"end": as_of, "group_by": "product"}),
    ):
        if ONLY and ONLY not in label:
            continue
        began = time.perf_counter()
        report_spec(type_).build(dict(params), lambda pct: None)
        compute = time.perf_counter() - began
        run = report_run_request(type=type_, parameters=params, queue=False)
        began = time.perf_counter()
        run = report_run_execute(run_id=run.pk)
        took = time.perf_counter() - began
        assert run.status == "done", run.error
        rows = sum(len(t["rows"]) for t in run.result["tables"])
        print(
            f"{label:>34} {compute:>9.2f} {took:>12.2f} {rows:>6} {run.pdf_file.size / 1024:>7.0f}"
        )
        sys.stdout.flush()


def bench_dashboard() -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from apps.reports.summary import dashboard_refresh

    began = time.perf_counter()
    dashboard_refresh()
    print(f"\ndashboard_refresh (every 10 minutes): {time.perf_counter() - began:.2f} s")
    client = Client()
    client.force_login(get_user_model().objects.get(email="admin@demo.test"))

    def measure(path: str) -> list[float]:
        timings = []
        for n in range(REPEAT + 2):
            began = time.perf_counter()
            assert client.get(path).status_code == 200
            if n >= 2:
                timings.append(time.perf_counter() - began)
        return timings

    print(f"{'request':>34} {'p50 ms':>7} {'p95 ms':>7}  load {load()}")
    for label, path in (
        ("GET / (dashboard)", "/"),
        ("GET /accounts/profile/ (floor)", "/accounts/profile/"),
    ):
        timings = measure(path)
        print(f"{label:>34} {statistics.median(timings) * 1000:>7.1f} {p95(timings) * 1000:>7.1f}")


def main() -> None:
    from bench._common import create_database

    create_database(DB_URL)
    import django

    django.setup()
    print(f"PostgreSQL {DB_URL.rsplit('/', 1)[1]}, {os.cpu_count()} cores, load {load()}")
    setup_data()
    bench_reports()
    if not ONLY:
        bench_dashboard()
    print(f"load at the end {load()}")


if __name__ == "__main__":
    main()

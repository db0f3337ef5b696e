"""Bank statement import: parse, insert (deduplicated) and match a large CSV, then import
the same file again (everything a duplicate), on PostgreSQL.

    .venv/bin/python bench/bench_bank_import.py     # drops and creates database bo_bank_bench
    BENCH_LINES=10000 BENCH_INVOICES=300 BENCH_DB=postgres://... .venv/bin/python ...

The file has BENCH_LINES lines; one in every BENCH_LINES/BENCH_INVOICES names an open
invoice by number (the rest are other money in and out). The import runs the worker's code
(`statement_import`) inline, so the time is what the worker spends; the page only polls the
progress row meanwhile. Ends with check_books.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DB", "postgres://postgres@127.0.0.1:5432/bo_bank_bench")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
LINES = int(os.environ.get("BENCH_LINES", "10000"))
INVOICES = int(os.environ.get("BENCH_INVOICES", "300"))


def setup() -> tuple:
    from apps.customers.services import customer_create
    from apps.finance.models import Currency
    from apps.invoicing import services
    from apps.invoicing.models import BankAccount, Invoice
    from apps.ledger.chart import chart_ensure

    usd, _ = Currency.objects.get_or_create(code="USD", defaults={"name": "US Dollar"})
    chart_ensure()
    account, _ = BankAccount.objects.get_or_create(name="Bench account", currency=usd)
    invoices = list(Invoice.objects.filter(status="issued").order_by("pk")[:INVOICES])
    if len(invoices) < INVOICES:
        customer = customer_create(name=f"Bench customer {time.time_ns()}", currency=usd)
        for n in range(INVOICES - len(invoices)):
            draft = services.invoice_create(
                customer=customer,
                lines=[{"description": "Bench", "quantity": "1", "unit_price": f"{100 + n}.00"}],
            )
            invoices.append(services.invoice_issue(invoice=draft))
    return account, invoices


def csv_content(invoices) -> str:
    rng = random.Random(11)
    rows = ["date,amount,id,payer,text"]
    step = max(LINES // len(invoices), 1)
    start = dt.date(2026, 1, 1)
    named = iter(invoices)
    for n in range(LINES):
        day = start + dt.timedelta(days=n % 300)
        invoice = next(named, None) if n % step == 0 else None
        if invoice is not None:
            rows.append(f"{day},{invoice.total},B{n},Bench,Invoice {invoice.number}")
        else:
            amount = rng.choice([-1, 1]) * rng.randint(100, 999_99) / 100
            rows.append(f"{day},{amount:.2f},B{n},Someone {n % 97},misc {n}")
    return "\n".join(rows) + "\n"


def run_import(account, content: str, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.invoicing.models import BankStatement
    from apps.invoicing.services import bank as service

    mapping = {
        "date": "date",
        "amount": "amount",
        "bank_reference": "id",
        "payer_name": "payer",
        "text": "text",
    }
    started = time.perf_counter()
    statement = service.statement_upload(
        account=account, upload=SimpleUploadedFile(name, content.encode()), mapping=mapping
    )
    preview = time.perf_counter() - started
    BankStatement.objects.filter(pk=statement.pk).update(status="queued")
    started = time.perf_counter()
    statement = service.statement_import(statement_id=statement.pk)
    return statement, preview, time.perf_counter() - started


def main() -> None:
    from bench._common import create_database

    create_database(DB_URL, rebuild=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    account, invoices = setup()
    content = csv_content(invoices)
    print(f"file: {LINES} lines, {len(content) // 1024} KiB, {len(invoices)} invoices named")
    for label in ("first import", "same file again"):
        statement, preview, elapsed = run_import(account, content, f"bench-{time.time_ns()}.csv")
        print(
            f"{label}: preview {preview:.2f} s, import {elapsed:.2f} s "
            f"({LINES / elapsed:,.0f} lines/s); added {statement.lines_added}, "
            f"duplicates {statement.lines_duplicate}, status {statement.status}"
        )
    from apps.invoicing.models import BankMatch

    print(f"suggestions stored: {BankMatch.objects.filter(line__account=account).count()}")
    call_command("check_books")


if __name__ == "__main__":
    main()

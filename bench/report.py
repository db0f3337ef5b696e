"""`make bench`: every goal of issue 14 measured in one run and printed as one table.

    make bench                                   # scale 100000, database bench_report
    make bench BENCH_SCALE=2000                  # a quick run
    BENCH_DB=postgres://postgres@127.0.0.1:5432/bench_report BENCH_SCALE=100000 \\
        nice -n 10 .venv/bin/python bench/report.py

1. Data: `seed_demo --scale BENCH_SCALE` (after `migrate`) in its own PostgreSQL database,
   timed, then VACUUM. Reused when the database holds a finished build of the same scale
   from the same migrations and data builders (their fingerprint is kept in the database,
   table bench_report_build); BENCH_REBUILD=1 builds again; `--build-only` stops here.
2. Lists over HTTP: the dashboard's summaries refreshed first (the job `make run`'s worker
   runs every 10 minutes), then gunicorn on that database (2 workers x 8 threads, DEBUG off, as
   `make run`), bench_lists_http.py's variants next to /healthz, interleaved for
   BENCH_HTTP_ROUNDS rounds (a variant over BENCH_SLOW_MS = 5 s, or failing, at warm-up
   is not repeated: that one time stands), then the product list under BENCH_CLIENTS
   concurrent clients for BENCH_HTTP_SECONDS, counted after BENCH_HTTP_WARM seconds of
   the same load (every server thread's connection opened and its statements prepared).
3. Every list variant of the admin's menu in this process (bench/sweep_lists.py: every
   sort both ways, page 2 and the last page, filter choices, searches; ~600 variants, best
   of BENCH_SWEEP_TRIES = 2, 0 skips it): how many take longer than the p95 goal, how many
   do not answer 200, and the slowest (printed with the 15 slowest before the table).
4. Service vs raw SQL, in this process, with the bench scripts' own functions:
   order_confirm (bench_sales.py, median of BENCH_ROUNDS alternating runs of BENCH_ORDERS
   drafts; the goal against the raw loop on twins of the real tables, and, in brackets
   without a goal, against the same loop on bare tables), credit_charge hot and spread
   (bench_credit.py, BENCH_ROUNDS x BENCH_SECONDS), stock_remove (bench_inventory.py).
   These write to the bench database (a few thousand orders, charges and movements per
   run, next to the scale data), which is why the lists are measured first.
5. One table (Markdown) of metric | measured | goal | met?, with the load average at the
   start and the end.
6. check_books on the data afterwards (BENCH_CHECK_BOOKS=0 skips it; ~1-2 minutes at scale
   100,000): the services' writes of step 4 must leave every invariant true, and the raw
   loops write only their own twin tables.
Exits 0 whether or not the goals are met; non-zero on an error or a violation of the books.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
SCALE = int(os.environ.get("BENCH_SCALE", "100000"))
os.environ.setdefault("BENCH_DB", "postgres://postgres@127.0.0.1:5432/bench_report")
DB_URL = os.environ["BENCH_DB"]
PORT = int(os.environ.get("BENCH_PORT", "0"))  # 0: a free port
HTTP_ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", "30"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
HTTP_SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "10"))
HTTP_WARM = float(os.environ.get("BENCH_HTTP_WARM", "3"))  # of the same load, not counted
# a list variant slower than this (or failing) at warm-up is measured by that one request
SLOW_MS = float(os.environ.get("BENCH_SLOW_MS", "5000"))
CHECK_BOOKS = os.environ.get("BENCH_CHECK_BOOKS", "1") != "0"
SWEEP_TRIES = int(os.environ.get("BENCH_SWEEP_TRIES", "2"))  # 0: no sweep of every variant
THREADS = 8
# what the data set is built from: a change here means a new build
BUILD_INPUTS = (
    "apps/*/migrations/*.py",
    "apps/*/demo*.py",
    "apps/core/bulkload*.py",
    "apps/core/management/commands/seed_demo.py",
)
REFRESH = "from apps.reports.tasks import dashboard_refresh_task; dashboard_refresh_task()"
SERVER_ENV = {
    "DATABASE_URL": DB_URL,
    "DJANGO_SETTINGS_MODULE": "backoffice.settings.base",
    "DEBUG": "false",
    "LOG_LEVEL": "WARNING",
}


def load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted({p for pattern in BUILD_INPUTS for p in ROOT.glob(pattern)}):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def previous_build(code: str) -> tuple[float, str] | None:
    """(seed seconds, when) of a finished build of this scale and code, if the database has one."""
    import psycopg

    try:
        with psycopg.connect(DB_URL) as conn:
            return conn.execute(
                "SELECT seconds, to_char(built_at, 'YYYY-MM-DD HH24:MI TZ') || ', load '"
                " || load_average FROM bench_report_build WHERE scale = %s AND code = %s",
                [SCALE, code],
            ).fetchone()
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return None


def manage(*args: str) -> float:
    """Run manage.py on the bench database; its wall time. The output goes to
    var/bench-<command>.log and is shown on failure."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **SERVER_ENV},
        capture_output=True,
        text=True,
    )
    (ROOT / "var" / f"bench-{args[0]}.log").write_text(done.stdout + done.stderr)
    if done.returncode:
        sys.stdout.write(done.stdout + done.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed ({done.returncode})")
    return time.perf_counter() - started


def build() -> tuple[float, bool]:
    """The data set: (seed_demo seconds, whether this run built it)."""
    import psycopg

    from bench._common import create_database

    code = fingerprint()
    if not os.environ.get("BENCH_REBUILD") and (found := previous_build(code)):
        print(f"data: reusing the scale {SCALE} build of {found[1]} (seed_demo {found[0]:.0f} s)")
        return found[0], False
    print(f"data: building scale {SCALE} in {DB_URL.rsplit('/', 1)[1]} ...", flush=True)
    create_database(DB_URL, rebuild=True)
    migrated = manage("migrate", "--noinput")
    before = load()
    seeded = manage("seed_demo", "--scale", str(SCALE))
    started = time.perf_counter()
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute("VACUUM")  # autovacuum is off here: visibility map and hint bits
        conn.execute(
            "CREATE TABLE bench_report_build (scale integer, code text, seconds float,"
            " load_average text, built_at timestamptz DEFAULT now())"
        )
        conn.execute(
            "INSERT INTO bench_report_build (scale, code, seconds, load_average)"
            " VALUES (%s, %s, %s, %s)",
            [SCALE, code, seeded, f"{before} -> {load()}"],
        )
    print(
        f"data: migrate {migrated:.0f} s, seed_demo --scale {SCALE} {seeded:.0f} s,"
        f" VACUUM {time.perf_counter() - started:.0f} s"
    )
    return seeded, True


def data_scale() -> str:
    import psycopg

    tables = (
        ("products", "catalog_product"),
        ("levels", "inventory_stocklevel"),
        ("movements", "inventory_stockmovement"),
        ("orders", "sales_order"),
        ("invoices", "invoicing_invoice"),
        ("credit log rows", "credit_transactionlog"),
        ("journal lines", "ledger_journalline"),
    )
    with psycopg.connect(DB_URL) as conn:
        counts = []
        for label, table in tables:
            (rows,) = conn.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [table]
            ).fetchone() or (None,)
            counts.append(f"{label} ~{rows:,}" if rows is not None else f"{label} ?")
    return ", ".join(counts)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    log = (ROOT / "var" / "bench-gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "backoffice.wsgi"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "8"],
        cwd=ROOT,
        env={**os.environ, **SERVER_ENV},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}), see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer /healthz in 90 s, see {log.name}")


def measure_http():
    """(times[name] = (p50, p95) ms, the variants measured once, product list req/s under
    CLIENTS clients)."""
    import bench_lists_http as lists
    from load_http import Browser

    port = PORT or free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        browser = Browser(base)
        browser.login("admin@demo.test")
        plan = lists.variants(browser)
        (times,) = lists.measure([browser], plan, HTTP_ROUNDS, slow_ms=SLOW_MS)
        rate = lists.throughput(base, "/catalog/products/", CLIENTS, HTTP_SECONDS, HTTP_WARM)
    finally:
        server.terminate()
        server.wait(timeout=30)
    stats = {name: (lists.pct(ms, 0.5), lists.pct(ms, 0.95)) for name, ms in times.items()}
    once = {name for name, ms in times.items() if len(ms) < HTTP_ROUNDS}
    return stats, once, rate


def _threads(n: int) -> str:
    return f"{n} thread{'s' if n > 1 else ''}"


def measure_sweep() -> list[tuple[float, int, str]]:
    """Every list variant of the admin's menu, best of SWEEP_TRIES, in this process
    (bench/sweep_lists.py), slowest first."""
    import django

    os.environ.update(SERVER_ENV)
    import sweep_lists

    django.setup()
    from django.db import connection

    try:
        return sweep_lists.sweep(tries=SWEEP_TRIES)
    finally:
        connection.close()


def sweep_rows(swept, *, at: bool) -> list:
    from bench.goals import LIST_P95_MS, Row

    if not swept:
        return []
    slowest, _, url = swept[0]
    over = sum(1 for took, _, _ in swept if took > LIST_P95_MS)
    failed = sum(1 for _, status, _ in swept if status != 200)
    label = f"{len(swept)} list variants swept in-process, best of {SWEEP_TRIES}"
    return [
        Row(f"{label}: over {LIST_P95_MS:.0f} ms", over, "count", "<=", 0, at),
        Row(f"{label}: not answering 200", failed, "count", "<=", 0, at),
        Row(f"slowest swept variant: {url}", slowest, "ms"),
    ]


def measure_services():
    """[(metric, service/s, raw/s)] for order_confirm, credit_charge and stock_remove (a
    metric in brackets has no goal)."""
    import django

    os.environ.update(SERVER_ENV)
    import bench_credit
    import bench_inventory
    import bench_sales

    django.setup()
    from django.db import connection

    rows = []
    store, products, customers = bench_sales.setup_data()
    connection.close()
    for threads in (1, THREADS):
        rate, raw, bare, _ = bench_sales.confirm_rates(store, products, customers, False, threads)
        rows.append((f"order_confirm / raw, {_threads(threads)}, 5 lines", rate, raw))
        # the yardstick until 2026-12-02 (bench_sales.RAW_TABLES says why it no longer is)
        rows.append((f"(order_confirm / raw on bare tables, {_threads(threads)})", rate, bare))
    sellers = bench_credit.setup_data()
    connection.close()
    for label, group in (("1 seller (hot)", sellers[:1]), ("10 sellers", sellers)):
        service, raw = bench_credit.charge_rates(group, THREADS)
        rows.append((f"credit_charge / raw, {THREADS} threads, {label}", service, raw))
    levels = bench_inventory.bench_levels(THREADS)
    connection.close()
    for threads in (1, THREADS):
        service, raw = bench_inventory.removal_rates(levels, False, threads)
        rows.append((f"stock_remove / raw, {_threads(threads)}, own level each", service, raw))
    return rows


def report() -> list[str]:
    import bench_lists_http

    from bench.goals import (
        CREDIT_CHARGE_RATIO,
        GOAL_SCALE,
        ORDER_CONFIRM_RATIO,
        PRODUCT_LIST_RPS,
        SEED_SECONDS,
        Row,
        list_rows,
        table,
    )

    at = SCALE == GOAL_SCALE
    (ROOT / "var").mkdir(exist_ok=True)
    start_load, began = load(), time.perf_counter()
    print(f"bench report: scale {SCALE}, {os.cpu_count()} cores, load average {start_load}")
    seeded, built = build()
    print(f"data scale: {data_scale()}", flush=True)
    # What `make run`'s worker does every 10 minutes: an earlier run's charges and orders
    # (step 3 writes them dated today) are then in the summaries, not read live.
    refreshed = manage("shell", "-c", REFRESH)
    print(f"dashboard summaries refreshed ({refreshed:.0f} s)", flush=True)
    times, once, rate = measure_http()
    print(f"lists measured (load {load()})", flush=True)
    swept = measure_sweep() if SWEEP_TRIES else []
    if swept:
        print(f"{len(swept)} list variants swept (load {load()}); the slowest:")
        print("\n".join(f"  {took:8.1f} ms  {status}  {url}" for took, status, url in swept[:15]))
    services = measure_services()
    rows = [
        Row(
            f"seed_demo --scale {SCALE} ({'this run' if built else 'earlier build'})",
            seeded,
            "s",
            "<=",
            SEED_SECONDS,
            at,
        ),
        *(
            replace(row, metric=f"{row.metric} (1 request, too slow to repeat)")
            if row.metric.split(":")[0] in once
            else row
            for row in list_rows(times, bench_lists_http.NOT_LIST_PAGES, scale=SCALE)
        ),
        Row(f"product list, {CLIENTS} clients", rate, "req/s", ">=", PRODUCT_LIST_RPS, at),
        *sweep_rows(swept, at=at),
    ]
    for metric, service, raw in services:
        goal = {"order_confirm": ORDER_CONFIRM_RATIO, "credit_charge": CREDIT_CHARGE_RATIO}.get(
            metric.split()[0]
        )
        label = f"{metric} ({service:.0f} vs {raw:.0f}/s)"
        rows.append(Row(label, service / raw, "ratio", ">=" if goal else "", goal, at))
    end_load = load()
    return [
        "",
        f"Issue 14 goals, scale {SCALE} ({data_scale()}), {os.cpu_count()} cores,"
        f" load average {start_load} at the start, {end_load} at the end,"
        f" {time.perf_counter() - began:.0f} s"
        + ("" if at else f"; the goals are set at scale {GOAL_SCALE}: met? in brackets"),
        "",
        *table(rows),
    ]


def main() -> int:
    if sys.argv[1:] == ["--build-only"]:  # the data set alone (e.g. ahead of a run)
        (ROOT / "var").mkdir(exist_ok=True)
        build()
        return 0
    lines = report()
    print("\n".join(lines))
    if CHECK_BOOKS:
        print("\ncheck_books on the bench data ...", flush=True)
        seconds = manage("check_books")  # exits non-zero, with its output, on a violation
        summary = (ROOT / "var" / "bench-check_books.log").read_text().strip().splitlines()[-1]
        print(f"check_books: {summary} ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

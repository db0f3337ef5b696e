"""Charges per second through `credit_charge` on PostgreSQL, next to a raw-SQL loop.

    .venv/bin/python bench/bench_credit.py            # creates/reuses database bench_credit
    BENCH_SECONDS=3 BENCH_DB=postgres://postgres@127.0.0.1:5432/bench_credit ...

For 1, 8 and 32 threads, on one hot seller and spread over 10 sellers, it runs the real
service (conditional debit, journal entry with two lines, both account balances, the log
row, the audit event) for BENCH_SECONDS, then a raw-SQL loop doing only the conditional
UPDATE + INSERT of a log row on twin tables, BENCH_ROUNDS times alternately, and prints
the median rates and their ratio. At the end it runs check_books on the bench database:
the books must still balance.

Prepared statements follow the settings (PostgreSQL: on, threshold 5, unless PG_PREPARE=off;
BENCH_PREPARE_THRESHOLD=N sets N): the service's one charge statement is then parsed and
planned once per connection, and the raw loop binds on the server too, so its two
statements are prepared as well; with them off, neither side prepares.

After each configuration it prints a warning when another session has held a snapshot for
over 10 s (the cluster's xmin horizon): while it does, no database can prune the dead versions
of the hot balance rows, their updates stop being HOT and every look-up of them walks a
growing chain, which the service (3 such rows, 15 indexes on the account table) pays more
than the raw loop; such a run measures the other session (docs/performance.md).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import ROUNDS, alternating_medians  # noqa: E402

DB_URL = os.environ.get("BENCH_DB", "postgres://postgres@127.0.0.1:5432/bench_credit")
DB_NAME = DB_URL.rsplit("/", 1)[1]
PREPARE_THRESHOLD = os.environ.get("BENCH_PREPARE_THRESHOLD")
os.environ["DATABASE_URL"] = (
    f"{DB_URL}?prepare_threshold={int(PREPARE_THRESHOLD)}" if PREPARE_THRESHOLD else DB_URL
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
# Python's GIL hand-off interval (default 0.005 s); lowering it shows how much of the
# many-thread slowdown is threads queueing for the GIL rather than for the database.
SWITCH_INTERVAL = os.environ.get("BENCH_SWITCH_INTERVAL")
THREADS = [int(n) for n in os.environ.get("BENCH_THREADS", "1,8,32").split(",")]
AMOUNT = Decimal("7.00")
SELLERS = 10


def setup_data():
    from django.core.management import call_command
    from django.db import connection

    from apps.accounts.models import User
    from apps.credit import services
    from apps.credit.models import Seller

    call_command("migrate", verbosity=0)
    approver = User.objects.filter(email="bench-approver@bench.test").first()
    if approver is None:
        approver = User.objects.create_user(email="bench-approver@bench.test", password="x" * 12)
    sellers = list(Seller.objects.filter(company__startswith="Bench seller").order_by("pk"))
    for n in range(len(sellers), SELLERS):
        sellers.append(
            services.seller_create(
                email=f"bench-seller-{n}@bench.test",
                company=f"Bench seller {n}",
                password="x" * 12,
            )
        )
    for seller in sellers:
        if seller.balance < Decimal("1000000"):
            request = services.creditrequest_create(seller=seller, amount="100000000")
            services.creditrequest_approve(credit_request=request, by=approver)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_raw_seller ("
            " id bigint PRIMARY KEY, balance numeric(18,2) NOT NULL CHECK (balance >= 0),"
            " status varchar(10) NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_raw_log ("
            " id uuid PRIMARY KEY, seller_id bigint NOT NULL REFERENCES bench_raw_seller(id),"
            " type varchar(10) NOT NULL, amount numeric(18,2) NOT NULL,"
            " balance_after numeric(18,2) NOT NULL, idempotency_key varchar(64) NOT NULL,"
            " phone varchar(128) NOT NULL, created_at timestamptz NOT NULL,"
            " UNIQUE (seller_id, idempotency_key))"
        )
        for seller in sellers:
            cursor.execute(
                "INSERT INTO bench_raw_seller VALUES (%s, 100000000, 'active')"
                " ON CONFLICT (id) DO UPDATE SET balance = 100000000",
                [seller.pk],
            )
    return [Seller.objects.select_related("account__currency").get(pk=s.pk) for s in sellers]


def service_worker(seller, stop: threading.Event, counts: list, index: int, barrier) -> None:
    from django.db import connection

    from apps.credit.services import credit_charge

    try:
        barrier.wait()
        done = 0
        while not stop.is_set():
            credit_charge(
                seller=seller,
                amount=AMOUNT,
                phone="+447911123456",
                idempotency_key=uuid.uuid4().hex,
            )
            done += 1
        counts[index] = done
    finally:
        connection.close()


def raw_cursor():
    """Django's cursor; with prepared statements on, a psycopg cursor binding on the server
    instead, so the raw loop's statements are prepared too (Django's cursor, which binds
    into the query text, never prepares)."""
    from django.db import connection

    if connection.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    return ServerBindingCursor(connection.connection)


def raw_worker(seller, stop: threading.Event, counts: list, index: int, barrier) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    try:
        barrier.wait()
        done = 0
        while not stop.is_set():
            with transaction.atomic(), raw_cursor() as cursor:
                cursor.execute(
                    "UPDATE bench_raw_seller SET balance = ROUND(balance - %s, 2)"
                    " WHERE id = %s AND status = 'active' AND balance >= %s RETURNING balance",
                    [AMOUNT, seller.pk, AMOUNT],
                )
                (balance,) = cursor.fetchone()
                cursor.execute(
                    "INSERT INTO bench_raw_log VALUES (%s, %s, 'charge', %s, %s, %s, %s, %s)",
                    [
                        uuid.uuid4(),
                        seller.pk,
                        -AMOUNT,
                        balance,
                        uuid.uuid4().hex,
                        "+447911123456",
                        timezone.now(),
                    ],
                )
            done += 1
        counts[index] = done
    finally:
        connection.close()


def run(worker, sellers, threads: int) -> float:
    stop = threading.Event()
    counts = [0] * threads
    barrier = threading.Barrier(threads + 1)
    pool = [
        threading.Thread(target=worker, args=(sellers[i % len(sellers)], stop, counts, i, barrier))
        for i in range(threads)
    ]
    for t in pool:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(SECONDS)
    stop.set()
    for t in pool:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


def horizon_note() -> str:
    """A warning when another session's snapshot is older than 10 s now, else ""."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname, pid, EXTRACT(EPOCH FROM now() - xact_start)"
            " FROM pg_stat_activity WHERE backend_xmin IS NOT NULL"
            " AND pid <> pg_backend_pid() AND xact_start < now() - interval '10 seconds'"
            " ORDER BY xact_start LIMIT 1"
        )
        row = cursor.fetchone()
    connection.close()
    if row is None:
        return ""
    return (
        f"warning: {row[0]} pid {row[1]} holds a snapshot {row[2]:.0f} s old (xmin horizon):"
        " dead row versions cannot be pruned, this run's figures are not comparable"
    )


def charge_rates(sellers, threads: int) -> tuple[float, float]:
    """Median charges/s of the service and of the raw loop, ROUNDS alternating runs each."""
    return alternating_medians(
        lambda: (run(service_worker, sellers, threads), run(raw_worker, sellers, threads))
    )


def main() -> None:
    if SWITCH_INTERVAL:
        sys.setswitchinterval(float(SWITCH_INTERVAL))
    from bench._common import create_database

    create_database(DB_URL)
    import django

    django.setup()
    from django.db import connection

    sellers = setup_data()
    connection.close()
    threshold = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    print(
        f"credit_charge vs raw SQL, median of {ROUNDS} alternating runs of {SECONDS:g}s,"
        f" PostgreSQL {DB_NAME}, GIL switch interval {sys.getswitchinterval():g}s,"
        f" prepared statements {f'after {threshold} runs' if threshold is not None else 'off'},"
        f" load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"{'sellers':>8} {'threads':>8} {'service/s':>10} {'raw/s':>10} {'ratio':>6}")
    for label, group in (("1 (hot)", sellers[:1]), ("10", sellers)):
        for threads in THREADS:
            service, raw = charge_rates(group, threads)
            print(f"{label:>8} {threads:>8} {service:>10.0f} {raw:>10.0f} {service / raw:>6.2f}")
            note = horizon_note()
            if note:
                print(note)
            sys.stdout.flush()
    from apps.core.books import run_checks

    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ok, results = run_checks(triggered_by="bench_credit")
    failed = [r.name for r in results if not r.ok]
    print("check_books:", "all passed" if ok else f"FAILED {failed}")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

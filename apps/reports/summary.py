"""The dashboard's summary tables, kept by `dashboard_refresh` (a schedule every 10
minutes, seed_demo, and the first dashboard view on an empty table).

The dashboard then reads ~30 DailyFigure rows and a few Gauge rows instead of scanning
orders, stock levels and customers; only today's sales and charges are read live (an
index range on today's date).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from apps.catalog.selectors import dashboard_figures as catalog_figures
from apps.credit.models import TransactionLog, TransactionType
from apps.credit.selectors import dashboard_figures as credit_figures
from apps.customers.models import Customer
from apps.customers.selectors import dashboard_figures as customer_figures
from apps.inventory.selectors import dashboard_figures as stock_figures
from apps.inventory.selectors import low_stock_count
from apps.invoicing.selectors import dashboard_figures as invoice_figures
from apps.ledger.selectors import dashboard_figures as ledger_figures
from apps.sales.figures import sales_figures_compact, sales_figures_rebuild
from apps.sales.models import OPEN_STATUSES, Order, SalesFigure
from apps.sales.selectors import dashboard_figures as sales_figures

from .builders.aging import BUCKETS, CREDIT, aging_totals
from .builders.stock import stock_value_by_store
from .models import DailyFigure, Gauge
from .result import cents

DAYS = 30  # the charts' window
REFRESH_DAYS = 35  # closed days recomputed each time (late confirmations, reversals)
TOP_PRODUCTS = 5
CARD_FIGURES = {
    "Catalog": catalog_figures,
    "Stock": stock_figures,
    "Sales": sales_figures,
    "Customers": customer_figures,
    "Seller credit": credit_figures,
    "Invoices": invoice_figures,
    "Books": ledger_figures,
}


def sales_by_day(first: dt.date, last: dt.date) -> dict[dt.date, tuple[int, Decimal]]:
    """{order date: (orders, total in base currency)} of confirmed and fulfilled orders."""
    rows = (
        Order.objects.filter(status__in=OPEN_STATUSES, order_date__range=(first, last))
        .values("order_date")
        .annotate(n=Count("pk"), total=Sum("total_base"))
        .order_by()
    )
    return {r["order_date"]: (r["n"], cents(r["total"])) for r in rows}


LOGGED_MARGIN = dt.timedelta(hours=1)  # a log row stamped before the date it was posted on


def refresh_cut(now: dt.datetime) -> dt.datetime:
    """Where the refresh's part of today's charges ends (`charges_today`): every charge
    logged before the cut is committed, so the refresh counts it; the dashboard reads the
    rest live.

    On PostgreSQL a charge's `created_at` is the database's own clock at its debit
    (`clock_timestamp()` in `credit_charge_apply`), never an app server's. A charge the
    refresh cannot see yet belongs to a transaction still open when the refresh reads
    pg_stat_activity (else it committed before the refresh's next statement began), or to
    one begun after that read; either was logged after it began. So the cut is the start of
    the oldest transaction open on the database, or the read statement's own start
    (`statement_timestamp()`), or `now` if earlier: the dashboard then reads only the
    charges logged since the last refresh (the job runs every 10 minutes), not five
    minutes more (the margin once kept here for app servers' clocks: the bench read
    ~24,000 charges live, 47 ms, when it refreshed within five minutes of a burst). Where
    that cannot be read (SQLite, whose rows carry the app's clock; sessions of another
    role hidden from this one): an hour before now."""
    if connection.vendor != "postgresql":
        return now - LOGGED_MARGIN
    with connection.cursor() as cursor:
        # A transaction reads pg_stat_activity once and keeps what it read: read it anew.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        # Another role's session shows NULL state, backend type and start to a role without
        # pg_read_all_stats, and every session shows state 'disabled' (and no start) with
        # track_activities off: either is a transaction whose start cannot be read.
        cursor.execute(
            "SELECT min(xact_start), count(*) FILTER (WHERE state IS NULL OR state = 'disabled'),"
            " statement_timestamp()"
            " FROM pg_stat_activity WHERE datname = current_database()"
            " AND (backend_type = 'client backend' OR backend_type IS NULL)"
            " AND pid <> pg_backend_pid()"
        )
        oldest, hidden, read_at = cursor.fetchone()
    if hidden:
        return now - LOGGED_MARGIN
    return min(now, read_at, oldest or read_at)


def charges_by_day(
    first: dt.date,
    last: dt.date,
    *,
    logged_from: dt.datetime | None = None,
    logged_before: dt.datetime | None = None,
) -> dict[dt.date, tuple[int, Decimal]]:
    """{posting date: (charges, amount in base currency)} of seller charges (only those
    logged from `logged_from` and before `logged_before`, when given; see `charges_today`).

    A charge is posted on the day it is made (`credit_charge` dates its entry
    `timezone.localdate()` before its log row's `created_at` is set; no caller passes
    another date), so a charge dated `first` or later was logged at or after that local
    midnight (an hour's margin for a row stamped just before its date was read): the
    `created_at` index bounds the rows read instead of a hash join over every charge ever
    made (340-480 ms at 1M). A charge's entry is two lines at rate 1, Dr the seller's
    credit account by `-amount` (check_books `credit.log_matches_entries`) and Cr its
    Charge Revenue, so the amount is the log row's own: one entry probe per charge for its
    date, none into the lines."""
    since = timezone.make_aware(dt.datetime.combine(first, dt.time())) - LOGGED_MARGIN
    rows = (
        TransactionLog.objects.filter(
            type=TransactionType.CHARGE,
            created_at__gte=max(since, logged_from or since),
            entry__date__range=(first, last),
        )
        .filter(**({"created_at__lt": logged_before} if logged_before else {}))
        .values("entry__date")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
    )
    return {r["entry__date"]: (r["n"], cents(-r["amount"])) for r in rows}


def charges_today(today: dt.date, gauges: list[Gauge]) -> Decimal:
    """Today's charges: the part the last refresh counted (the "charges_today" gauge:
    charges dated today logged before its cut, `refresh_cut`, so every row it could not
    see yet was logged after the cut), plus the rows logged since the cut.
    Without a gauge of today, all of today's rows."""
    part = next((g for g in gauges if g.key == today.isoformat()), None)
    cut = dt.datetime.fromisoformat(part.data[0]) if part else None
    live = charges_by_day(today, today, logged_from=cut).get(today, (0, Decimal(0)))[1]
    return live + (part.value if part else Decimal(0))


def top_products(first: dt.date, last: dt.date, limit: int = TOP_PRODUCTS) -> list[dict]:
    """The products with the most net sales (before returns) from the daily figures."""
    rows = (
        SalesFigure.objects.filter(
            grain=SalesFigure.Grain.PRODUCT,
            kind=SalesFigure.Kind.SALE,
            day__range=(first, last),
        )
        .values("product_id")
        .annotate(qty=Sum("quantity"), amount=Sum("net"), name=Max("label"), n=Sum("lines"))
        .filter(n__gt=0)
        .order_by("-amount", "product_id")[:limit]
    )
    return [
        {
            "key": str(r["product_id"]),
            "label": r["name"],
            "qty": r["qty"],
            "amount": cents(r["amount"]),
        }
        for r in rows
    ]


def summaries_rebuild(*, today: dt.date | None = None) -> dict:
    """Every summary table again from the source tables (after a bulk load)."""
    return {"sales_figures": sales_figures_rebuild(), **dashboard_refresh(today=today)}


def summaries_refresh() -> dict:
    """The 10-minute job: merge the day's new sales figures, refresh the dashboard."""
    return {"sales_figures": sales_figures_compact(), **dashboard_refresh()}


@transaction.atomic
def dashboard_refresh(*, today: dt.date | None = None, days: int = REFRESH_DAYS) -> dict:
    """Recompute the closed days of the last `days` days and every gauge (idempotent)."""
    today = today or timezone.localdate()
    first, last = today - dt.timedelta(days=days), today - dt.timedelta(days=1)
    DailyFigure.objects.filter(day__range=(first, last)).delete()
    figures = [
        DailyFigure(kind=DailyFigure.Kind.SALES, day=day, count=n, amount=amount)
        for day, (n, amount) in sales_by_day(first, last).items()
    ] + [
        DailyFigure(kind=DailyFigure.Kind.CHARGES, day=day, count=n, amount=amount)
        for day, (n, amount) in charges_by_day(first, last).items()
    ]
    DailyFigure.objects.bulk_create(figures)
    now = timezone.now()
    gauges = []
    if today == timezone.localdate(now):  # today's charges until the cut (charges_today)
        cut = refresh_cut(now)
        part = charges_by_day(today, today, logged_before=cut).get(today, (0, Decimal(0)))
        gauges.append(
            Gauge(
                kind="charges_today", key=today.isoformat(), value=part[1], data=[cut.isoformat()]
            )
        )
    gauges += [
        Gauge(kind="customers", value=Customer.objects.count()),
        Gauge(kind="low_stock", value=low_stock_count()),
    ]
    gauges += [
        Gauge(
            kind="top_product",
            key=p["key"],
            label=p["label"][:200],
            value=p["amount"],
            data=[p["qty"]],
        )
        for p in top_products(today - dt.timedelta(days=DAYS), last)
    ]
    gauges += [
        Gauge(
            kind="store_stock", key=s["key"], label=s["label"], value=s["value"], data=[s["units"]]
        )
        for s in stock_value_by_store()
    ]
    ages = aging_totals(today)
    gauges += [
        Gauge(kind="ar_age", key=f"{n}-{key}", label=label, value=ages[key])
        for n, (key, label) in enumerate((*BUCKETS, CREDIT))
    ]
    gauges += [
        Gauge(kind="card", key=title, data=[list(f) for f in func()])
        for title, func in CARD_FIGURES.items()
    ]
    for gauge in gauges:
        gauge.refreshed_at = now
    Gauge.objects.all().delete()
    Gauge.objects.bulk_create(gauges)
    return {"days": len(figures), "gauges": len(gauges)}

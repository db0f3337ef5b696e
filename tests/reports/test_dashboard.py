"""The dashboard reads summary rows kept by dashboard_refresh plus today's live figures;
its query count does not grow with the data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from apps.credit.models import TransactionLog
from apps.credit.services import credit_charge
from apps.reports.models import DailyFigure, Gauge
from apps.reports.summary import (
    LOGGED_MARGIN,
    charges_by_day,
    dashboard_refresh,
    refresh_cut,
)
from apps.sales.services import order_confirm
from tests.inventory.factories import StoreFactory
from tests.sales.factories import make_customer, make_order, make_product, stocked, tax

PHONE = "+447911123456"


@pytest.fixture
def recent(books, make_seller):
    """Three days ago: 2 x Gadget 20.00 (+10% tax = 44.00); today: 1 x Widget 10.00 (+20%
    = 12.00); a draft today (never counted). Charges: 4.00 two days ago, 6.00 today."""
    today = timezone.localdate()
    store = StoreFactory(name="Main Store", code="MAIN")
    widget = stocked(
        store,
        make_product("10.00", sku="W-1", name="Widget", tax_rate=tax("20"), low_stock_threshold=5),
        6,
    )
    gadget = stocked(
        store,
        make_product("20.00", sku="G-1", name="Gadget", tax_rate=tax("10"), low_stock_threshold=5),
        20,
    )
    customer = make_customer("Acme Retail")
    make_customer("Second Customer")
    order_confirm(
        order=make_order(customer, store, [(gadget, 2)], order_date=today - dt.timedelta(days=3))
    )
    order_confirm(order=make_order(customer, store, [(widget, 1)], order_date=today))
    make_order(customer, store, [(widget, 1)], order_date=today)
    seller = make_seller("50.00")
    credit_charge(
        seller=seller,
        amount="4.00",
        phone=PHONE,
        idempotency_key="k1",
        date=today - dt.timedelta(days=2),
    )
    credit_charge(seller=seller, amount="6.00", phone=PHONE, idempotency_key="k2", date=today)
    return today


def _board(response):
    board = response.context["board"]
    return {f.id: (f.value, f.url) for f in board.figures}, {c["id"]: c for c in board.charts}


def test_figures_charts_and_links(client_for, recent):
    today = recent
    response = client_for("Admin").get(reverse("dashboard"))
    figures, charts = _board(response)
    iso = today.isoformat()
    assert figures == {
        "customers": ("2", "/customers/"),
        "today-sales": ("12.00 USD · 1 order", f"/sales/orders/?start={iso}&end={iso}"),
        "low-stock": ("1", "/inventory/stock/low/")
        if reverse("stock-low") == "/inventory/stock/low/"
        else figures["low-stock"],
    }
    assert figures["low-stock"][0] == "1"  # Widget: 6 - 1 = 5 <= 5
    sales = charts["sales-30"]["data"]
    assert len(sales["labels"]) == 30 and sales["labels"][-1] == today.strftime("%m-%d")
    assert sales["datasets"][0]["data"][-4:] == [44.0, 0.0, 0.0, 12.0]
    assert sum(sales["datasets"][0]["data"]) == 56.0
    top = charts["top-products"]["data"]
    assert (top["labels"], top["datasets"][0]["data"]) == (["Gadget"], [40.0])  # closed days only
    assert charts["stock-by-store"]["data"]["labels"] == ["Main Store"]
    # value at cost 6.00: Widget 6 - 1 sold = 5 units, Gadget 20 - 2 = 18 units: 23 x 6.00
    assert charts["stock-by-store"]["data"]["datasets"][0]["data"] == [138.0]
    assert charts["stock-by-store"]["url"] == "/inventory/stock/"
    assert charts["stock-by-store"]["links"] == [
        ("Stock valuation report", "/reports/new/?type=stock_valuation")
    ]
    charges = charts["charges-per-day"]["data"]["datasets"][0]["data"]
    assert charges[-3:] == [4.0, 0.0, 6.0]
    assert charts["charges-per-day"]["url"] == "/credit/transactions/?type=charge"
    html = response.content.decode()
    assert 'id="dashboard-charts" type="application/json"' in html
    assert "<script>" not in html.replace('<script type="application/json"', "")  # no inline JS


def test_roles_see_their_own_figures(client_for, recent):
    dashboard_refresh()
    warehouse, _ = _board(client_for("Warehouse").get(reverse("dashboard")))
    assert set(warehouse) == {"low-stock"}
    sales_figures, sales_charts = _board(client_for("Sales").get(reverse("dashboard")))
    assert set(sales_figures) == {"customers", "today-sales"}
    assert set(sales_charts) == {"sales-30", "top-products"}
    _, viewer_charts = _board(client_for("Viewer").get(reverse("dashboard")))
    assert set(viewer_charts) == {
        "sales-30",
        "top-products",
        "stock-by-store",
        "charges-per-day",
        "receivables-by-age",
    }


def test_summary_rows_are_kept_by_the_refresh(recent):
    today = recent
    dashboard_refresh()
    assert list(
        DailyFigure.objects.order_by("kind", "day").values_list("kind", "day", "count", "amount")
    ) == [
        ("charges", today - dt.timedelta(days=2), 1, pytest.approx(4)),
        ("sales", today - dt.timedelta(days=3), 1, pytest.approx(44)),
    ]
    assert Gauge.objects.get(kind="customers").value == 2
    assert dashboard_refresh() == {"days": 2, "gauges": Gauge.objects.count()}  # idempotent


def test_todays_charges_are_the_refreshs_part_plus_the_rows_logged_since(
    client_for, recent, make_seller
):
    """The refresh keeps today's charges logged before its cut (`refresh_cut`);
    the dashboard adds the rows logged since: 6.00 made today, moved back to an hour
    before midnight (the earliest a charge dated today is read), is in the part; 2.50
    after the refresh and 1.50 dated yesterday are read live (only 2.50 is today's)."""
    today = recent
    since = timezone.make_aware(dt.datetime.combine(today, dt.time())) - dt.timedelta(hours=1)
    charge = TransactionLog.objects.get(idempotency_key="k2")
    models.QuerySet.update(TransactionLog.objects.filter(pk=charge.pk), created_at=since)
    dashboard_refresh()
    part = Gauge.objects.get(kind="charges_today")
    assert (part.key, part.value) == (today.isoformat(), Decimal("6.00"))
    seller = make_seller("50.00", email="later@example.test", company="Later Ltd")
    credit_charge(seller=seller, amount="2.50", phone=PHONE, idempotency_key="k3")
    credit_charge(
        seller=seller,
        amount="1.50",
        phone=PHONE,
        idempotency_key="k4",
        date=today - dt.timedelta(days=1),
    )
    client = client_for("Admin")
    _, charts = _board(client.get(reverse("dashboard")))
    assert charts["charges-per-day"]["data"]["datasets"][0]["data"][-3:] == [4.0, 0.0, 8.5]
    assert charges_by_day(today, today) == {today: (2, Decimal("8.50"))}
    Gauge.objects.filter(kind="charges_today").update(key="2000-01-01")  # a day-old refresh
    _, charts = _board(client.get(reverse("dashboard")))
    assert charts["charges-per-day"]["data"]["datasets"][0]["data"][-1] == 8.5


def test_query_count_is_fixed_whatever_the_data(
    client_for, recent, django_assert_num_queries, make_seller
):
    client = client_for("Admin")
    dashboard_refresh()
    client.get(reverse("dashboard"))  # warm the session; the company settings and the user
    # with its roles are kept (apps.core.reference): the session (with the stamp), ...
    with django_assert_num_queries(5):
        client.get(reverse("dashboard"))
    store = StoreFactory(name="Other Store", code="OTH")
    product = stocked(store, make_product("3.00", sku="X-1", name="Extra"), 100)
    customer = make_customer("Third Customer")
    for days in range(1, 8):
        order_confirm(
            order=make_order(
                customer, store, [(product, 1)], order_date=recent - dt.timedelta(days=days)
            )
        )
    dashboard_refresh()
    client.get(reverse("dashboard"))  # the new store moved the stamp: settings read again
    with django_assert_num_queries(5):
        client.get(reverse("dashboard"))


def test_receivables_by_age_chart(client_for, recent):
    """An invoice of 36.00 issued 40 days ago on 30 days' terms (10 days late) and one of
    12.00 today (current): the chart reads the refresh's gauges, not the invoices."""
    from apps.invoicing.services import invoice_issue
    from tests.invoicing.conftest import free_invoice

    customer = make_customer("Late Payer")
    late = free_invoice(customer, ("Old", 3, "10.00", "20"), payment_terms_days=30)
    invoice_issue(invoice=late, issue_date=recent - dt.timedelta(days=40))
    invoice_issue(invoice=free_invoice(customer, ("New", 1, "10.00", "20")), issue_date=recent)
    dashboard_refresh()
    _, charts = _board(client_for("Accountant").get(reverse("dashboard")))
    ages = charts["receivables-by-age"]
    assert ages["data"]["labels"] == [
        "Current",
        "1-30 days",
        "31-60 days",
        "61-90 days",
        "> 90 days",
        "Unapplied credit",
    ]
    assert ages["data"]["datasets"][0]["data"] == [12.0, 36.0, 0.0, 0.0, 0.0, 0.0]
    assert ages["url"] == "/invoices/?status=overdue"
    assert ages["links"] == [("Aging by customer", "/reports/new/?type=ar_aging")]


def test_the_refresh_cut_waits_for_the_oldest_open_transaction(db):
    """Every charge logged before the cut is committed when the refresh reads: on
    PostgreSQL the cut is the start of the oldest transaction open on the database, else
    when the database read (its own clock, which stamps a charge there), else `now` if
    earlier; an hour back when a session's start is hidden from the refresh's role; on
    SQLite an hour before now."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        assert refresh_cut(now) == now - LOGGED_MARGIN
        return
    import psycopg

    assert refresh_cut(now) == now  # nothing else open, and the database read after `now`
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
    )
    try:
        other.execute("SELECT 1")  # a transaction begins, and stays open
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # this test's transaction read it
            cursor.execute(
                "SELECT xact_start FROM pg_stat_activity WHERE pid = %s", [other.info.backend_pid]
            )
            (began,) = cursor.fetchone()
        later = began + dt.timedelta(minutes=30)  # a refresh while it is still open
        assert refresh_cut(later) == began
        other.rollback()  # the backend reports itself idle before it answers
        before = timezone.now()
        cut = refresh_cut(later)  # when the database read: before `later`
        assert before <= cut <= timezone.now()
        other.execute("SELECT 1")  # open again, by a role the refresh's role cannot see
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE pg_checkpoint")  # no pg_read_all_stats
        assert refresh_cut(later) == later - LOGGED_MARGIN
    finally:
        other.close()

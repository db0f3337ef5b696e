"""The dashboard (`/`): headline figures, charts and one card per area, each shown when
the role may read the area behind it, each linking to the list it summarises.

Everything is read from the summary tables kept by `summary.dashboard_refresh` (closed
days, gauges) plus two live index-range reads for today; nothing here scans a big table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.accounts.roles import Access, Area, user_access
from apps.core.permissions import has_access
from apps.finance.money import format_money
from apps.finance.selectors import base_currency_code

from .models import DailyFigure, Gauge
from .summary import DAYS, charges_today, dashboard_refresh, sales_by_day


@dataclass
class Card:
    title: str
    area: str
    need: str
    url_name: str
    icon: str
    text: str
    figures: list = field(default_factory=list)
    url: str | None = None


CARDS = [
    Card(
        "Catalog",
        Area.CATALOG,
        "read",
        "product-list",
        "box-seam",
        "Products, prices and price history.",
    ),
    Card(
        "Stock",
        Area.STOCK,
        "read",
        "stock-list",
        "stack",
        "Stock by store, movements and low-stock alerts.",
    ),
    Card("Sales", Area.ORDERS, "read", "order-list", "cart", "Orders, returns and coupons."),
    Card(
        "Customers",
        Area.CUSTOMERS,
        "read",
        "customer-list",
        "people",
        "Customers, contacts and balances.",
    ),
    Card(
        "Seller credit",
        Area.CREDIT,
        "read",
        "seller-list",
        "wallet2",
        "Sellers, top-ups and charges.",
    ),
    Card(
        "Invoices",
        Area.INVOICES,
        "read",
        "invoice-list",
        "file-earmark-text",
        "Invoices, credit notes and the receivable.",
    ),
    Card(
        "Books",
        Area.LEDGER,
        "read",
        "books-check",
        "journal-check",
        "Double-entry ledger and verification.",
    ),
    Card(
        "Finance",
        Area.FINANCE,
        "read",
        "currency-list",
        "currency-exchange",
        "Currencies, exchange rates and tax rates.",
    ),
    Card(
        "Administration",
        Area.ADMINISTRATION,
        "write",
        "user-list",
        "person-gear",
        "Users, company settings, audit log and jobs.",
    ),
]


def _url(name: str, **query) -> str | None:
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


@dataclass
class Figure:
    label: str
    value: str
    url: str | None
    id: str


@dataclass
class Dashboard:
    figures: list[Figure] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    refreshed_at: dt.datetime | None = None


def _days(today: dt.date) -> list[dt.date]:
    return [today - dt.timedelta(days=n) for n in range(DAYS - 1, -1, -1)]


def dashboard_for(user) -> Dashboard:
    """What this user's dashboard shows (a fixed number of queries, see the tests)."""
    # Sales see sales figures, Warehouse stock figures (DESIGN.md §7), and only from
    # areas they may open.
    figures = user_access(user, Area.LEDGER)
    sales_ok = bool(figures & {Access.READ, Access.WRITE, Access.SALES_FIGURES})
    stock_ok = bool(figures & {Access.READ, Access.WRITE, Access.STOCK_FIGURES})
    finance_ok = bool(figures & {Access.READ, Access.WRITE})
    may = {
        Area.CUSTOMERS: sales_ok and has_access(user, Area.CUSTOMERS, "read"),
        Area.ORDERS: sales_ok and has_access(user, Area.ORDERS, "read"),
        Area.STOCK: stock_ok and has_access(user, Area.STOCK, "read"),
        Area.CREDIT: finance_ok and has_access(user, Area.CREDIT, "read"),
        Area.INVOICES: finance_ok and has_access(user, Area.INVOICES, "read"),
    }
    gauges = list(Gauge.objects.all())
    if not gauges:  # first view after install: compute once instead of showing blanks
        dashboard_refresh()
        gauges = list(Gauge.objects.all())
    by_kind: dict[str, list[Gauge]] = {}
    for gauge in gauges:
        by_kind.setdefault(gauge.kind, []).append(gauge)
    board = Dashboard(refreshed_at=gauges[0].refreshed_at if gauges else None)
    today = timezone.localdate()
    currency = base_currency_code()
    days = _days(today)
    daily = {
        (kind, day): amount
        for kind, day, amount in DailyFigure.objects.filter(
            day__gte=days[0], day__lt=today
        ).values_list("kind", "day", "amount")
    }

    if may[Area.CUSTOMERS]:
        count = int(by_kind.get("customers", [Gauge()])[0].value)
        board.figures.append(Figure("Customers", f"{count:,}", _url("customer-list"), "customers"))
    if may[Area.ORDERS]:
        orders_today, today_sales = sales_by_day(today, today).get(today, (0, Decimal(0)))
        board.figures.append(
            Figure(
                "Today's sales",
                f"{format_money(today_sales, currency)} · {orders_today} order"
                f"{'s' if orders_today != 1 else ''}",
                _url("order-list", start=today.isoformat(), end=today.isoformat()),
                "today-sales",
            )
        )
        sales = [daily.get(("sales", d), Decimal(0)) for d in days[:-1]] + [today_sales]
        board.charts.append(
            _chart(
                "sales-30",
                f"Sales, last {DAYS} days ({currency})",
                "line",
                [d.strftime("%m-%d") for d in days],
                [("Sales", sales)],
                _url("order-list", start=days[0].isoformat(), end=today.isoformat()),
            )
        )
        top = by_kind.get("top_product", [])
        board.charts.append(
            _chart(
                "top-products",
                f"Top {len(top) or 5} products, last {DAYS} days ({currency})",
                "bar",
                [g.label for g in top],
                [("Net sales", [g.value for g in top])],
                _url("report-create", type="sales", group_by="product"),
            )
        )
    if may[Area.STOCK]:
        low = int(by_kind.get("low_stock", [Gauge()])[0].value)
        board.figures.append(Figure("Low stock", f"{low:,}", _url("stock-low"), "low-stock"))
        stores = by_kind.get("store_stock", [])
        board.charts.append(
            _chart(
                "stock-by-store",
                f"Stock value by store ({currency})",
                "bar",
                [g.label for g in stores],
                [("Value", [g.value for g in stores])],
                _url("stock-list"),
                [("Stock valuation report", _url("report-create", type="stock_valuation"))],
            )
        )
    if may[Area.INVOICES]:
        ages = sorted(by_kind.get("ar_age", []), key=lambda g: int(g.key.split("-", 1)[0]))
        board.charts.append(
            _chart(
                "receivables-by-age",
                f"Receivables by age ({currency})",
                "bar",
                [g.label for g in ages],
                [("Amount", [g.value for g in ages])],
                _url("invoice-list", status="overdue"),
                [("Aging by customer", _url("report-create", type="ar_aging"))],
            )
        )
    if may[Area.CREDIT]:
        today_charges = charges_today(today, by_kind.get("charges_today", []))
        charges = [daily.get(("charges", d), Decimal(0)) for d in days[:-1]] + [today_charges]
        board.charts.append(
            _chart(
                "charges-per-day",
                f"Seller charges per day ({currency})",
                "bar",
                [d.strftime("%m-%d") for d in days],
                [("Charges", charges)],
                _url("transaction-list", type="charge"),
            )
        )

    cards = {g.key: g.data for g in by_kind.get("card", [])}
    for card in CARDS:
        if not has_access(user, card.area, card.need):
            continue
        card = Card(**{**card.__dict__})
        card.url = _url(card.url_name)
        card.figures = [tuple(f) for f in cards.get(card.title, [])]
        board.cards.append(card)
    return board


def _chart(id: str, title: str, type: str, labels, series, url, links=()) -> dict:
    return {
        "id": id,
        "title": title,
        "url": url,
        "links": [(text, href) for text, href in links if href],
        "data": {
            "type": type,
            "labels": [str(label) for label in labels],
            "datasets": [
                {"label": name, "data": [float(v or 0) for v in values]} for name, values in series
            ],
        },
    }

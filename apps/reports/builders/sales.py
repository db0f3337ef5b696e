"""Sales: quantities, net, tax and gross of confirmed orders by order date, with returns by
return date shown separately and netted (DESIGN.md §13). Base currency at each order's
rate snapshot.

Read from the daily sales figures (apps.sales.figures: kept exact by the order and return
services) whenever a grain of them answers the filters; a customer filter, or customers
grouped within a category, read the order lines (one customer's lines are an index range).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Max, Sum

from apps.finance.selectors import base_currency_code
from apps.sales.models import OPEN_STATUSES, OrderLine, ReturnLine, SalesFigure

from ..result import INT, MONEY, TEXT, Chart, Column, Report, Table, cents, parse_date
from .periods import PERIODS, chunks, period_expression, period_label, stepper

GROUPS = {
    "day": "Day",
    "week": "Week",
    "month": "Month",
    "product": "Product",
    "category": "Category",
    "customer": "Customer",
    "store": "Store",
}
WIDE = DecimalField(max_digits=32, decimal_places=10)


def _base(field: str, rate: str):
    return ExpressionWrapper(F(field) * F(rate), output_field=WIDE)


def _group(by: str, order: str, line: str, date: str):
    """(key expression, label expression) for `by`; `order`/`line` are the paths to the
    order and the order line from the rows being summed, `date` the date that counts."""
    if by in PERIODS:
        return period_expression(by, date), None
    if by == "product":
        return F(f"{line}product_id"), Max(f"{line}product_name")
    if by == "category":
        return F(f"{line}product__category_id"), Max(f"{line}product__category__name")
    if by == "customer":
        return F(f"{order}customer_id"), Max(f"{order}customer__name")
    return F(f"{order}store_id"), Max(f"{order}store__name")


def _filter(queryset, params: dict, order: str, line: str):
    if params.get("store"):
        queryset = queryset.filter(**{f"{order}store_id": params["store"]})
    if params.get("category"):
        queryset = queryset.filter(**{f"{line}product__category_id": params["category"]})
    if params.get("customer"):
        queryset = queryset.filter(**{f"{order}customer_id": params["customer"]})
    return queryset


def _sum(queryset, by: str, *, order: str, line: str, date: str, prefix: str, acc: dict):
    key, label = _group(by, order, line, date)
    rate = f"{order}exchange_rate"
    rows = (
        queryset.annotate(k=key)
        .values("k")
        .annotate(
            qty=Sum("quantity"),
            net=Sum(_base("net", rate)),
            tax=Sum(_base("tax", rate)),
            gross=Sum(_base("total", rate)),
            **({"label": label} if label is not None else {}),
        )
        .order_by()
    )
    for row in rows:
        bucket = acc[row["k"]]
        bucket["label"] = row.get("label") or bucket.get("label")
        bucket[f"{prefix}qty"] += row["qty"] or 0
        for field in ("net", "tax", "gross"):
            bucket[f"{prefix}{field}"] += Decimal(str(row[field] or 0))


def figures_grain(by: str, params: dict) -> str | None:
    """The SalesFigure grain that answers `by` and the filters exactly, or None."""
    if params.get("customer"):
        return None
    if by == "customer":
        return None if params.get("category") else SalesFigure.Grain.CUSTOMER
    if by in ("product", "category") or params.get("category"):
        return SalesFigure.Grain.PRODUCT
    return SalesFigure.Grain.DAY


def _from_figures(grain: str, by: str, params: dict, start, end, acc: dict) -> None:
    figures = SalesFigure.objects.filter(grain=grain, day__range=(start, end))
    if params.get("store"):
        figures = figures.filter(store_id=params["store"])
    if params.get("category"):
        figures = figures.filter(product__category_id=params["category"])
    if by in PERIODS:
        key, label = period_expression(by, "day"), None
    elif by == "product":
        key, label = F("product_id"), Max("label")
    else:
        key, label = _group(by, "", "", "day")
    rows = (
        figures.annotate(k=key)
        .values("k", "kind")
        .annotate(
            lines=Sum("lines"),
            qty=Sum("quantity"),
            net=Sum("net"),
            tax=Sum("tax"),
            gross=Sum("gross"),
            **({"label": label} if label is not None else {}),
        )
        .order_by()
    )
    for row in rows:
        if not row["lines"]:  # every line of the group was cancelled: none to show
            continue
        bucket = acc[row["k"]]
        bucket["label"] = row.get("label") or bucket.get("label")
        prefix = "" if row["kind"] == SalesFigure.Kind.SALE else "ret_"
        bucket[f"{prefix}qty"] += row["qty"] or 0
        for field in ("net", "tax", "gross"):
            bucket[f"{prefix}{field}"] += Decimal(str(row[field] or 0))


def _from_lines(by: str, params: dict, start, end, acc: dict, progress) -> None:
    sold = _filter(
        OrderLine.objects.filter(order__status__in=OPEN_STATUSES, order__deleted_at__isnull=True),
        params,
        "order__",
        "",
    )
    returned = _filter(
        ReturnLine.objects.filter(return_doc__deleted_at__isnull=True),
        params,
        "order_line__order__",
        "order_line__",
    )
    ranges = chunks(start, end)
    step = stepper(progress, 2 * len(ranges))
    for done, (first, last) in enumerate(ranges, 1):
        lines = sold.filter(order__order_date__range=(first, last))
        _sum(lines, by, order="order__", line="", date="order__order_date", prefix="", acc=acc)
        step(done)
    # a return counts in the period it happened, never in the order's
    for done, (first, last) in enumerate(ranges, len(ranges) + 1):
        back = returned.filter(return_doc__return_date__range=(first, last))
        _sum(
            back,
            by,
            order="order_line__order__",
            line="order_line__",
            date="return_doc__return_date",
            prefix="ret_",
            acc=acc,
        )
        step(done)


def build(params: dict, progress, *, use_figures: bool = True) -> Report:
    """`use_figures=False` reads the order lines whatever the filters (tests compare)."""
    start, end = parse_date(params["start"]), parse_date(params["end"])
    by = params.get("group_by") or "month"
    acc: dict = defaultdict(lambda: defaultdict(Decimal))
    grain = figures_grain(by, params) if use_figures else None
    if grain is None:
        _from_lines(by, params, start, end, acc, progress)
    else:
        _from_figures(grain, by, params, start, end, acc)
        progress(60)
    table = Table(
        title=f"Sales by {GROUPS[by].lower()}",
        columns=[
            Column("group", GROUPS[by], TEXT),
            Column("qty", "Quantity", INT),
            Column("net", "Net", MONEY),
            Column("tax", "Tax", MONEY),
            Column("gross", "Gross", MONEY),
            Column("ret_qty", "Returned qty", INT),
            Column("ret_net", "Returned net", MONEY),
            Column("ret_tax", "Returned tax", MONEY),
            Column("ret_gross", "Returned gross", MONEY),
            Column("net_qty", "Net quantity", INT),
            Column("net_net", "Net after returns", MONEY),
            Column("net_gross", "Gross after returns", MONEY),
        ],
    )
    for key, b in acc.items():
        row = {
            "group": period_label(key, by) if by in PERIODS else (b.get("label") or f"#{key}"),
            "qty": int(b["qty"]),
            "ret_qty": int(b["ret_qty"]),
        }
        for field in ("net", "tax", "gross", "ret_net", "ret_tax", "ret_gross"):
            row[field] = cents(b[field])
        row["net_qty"] = row["qty"] - row["ret_qty"]
        row["net_net"] = row["net"] - row["ret_net"]
        row["net_gross"] = row["gross"] - row["ret_gross"]
        table.rows.append(row)
    if by in PERIODS:
        table.rows.sort(key=lambda r: r["group"])
    else:
        table.rows.sort(key=lambda r: (-r["net_net"], r["group"]))
    table.total(
        "qty",
        "net",
        "tax",
        "gross",
        "ret_qty",
        "ret_net",
        "ret_tax",
        "ret_gross",
        "net_qty",
        "net_net",
        "net_gross",
    )
    totals = table.totals
    currency = base_currency_code()
    shown = table.rows if by in PERIODS else table.rows[:20]
    report = Report(
        title="Sales",
        subtitle=f"{start} to {end}, by {GROUPS[by].lower()}, in {currency}",
        figures=[
            ("Net sales", totals["net"], MONEY),
            ("Returns (net)", totals["ret_net"], MONEY),
            ("Net after returns", totals["net_net"], MONEY),
            ("Tax after returns", totals["tax"] - totals["ret_tax"], MONEY),
            ("Units sold", totals["qty"], INT),
        ],
        tables=[table],
        charts=[
            Chart(
                title=f"Net sales after returns by {GROUPS[by].lower()}",
                type="line" if by in PERIODS and len(shown) > 12 else "bar",
                labels=[r["group"] for r in shown],
                datasets=[
                    {"label": "Net sales", "data": [r["net"] for r in shown]},
                    {"label": "Returns", "data": [r["ret_net"] for r in shown]},
                ],
            )
        ],
        notes=[
            "Confirmed and fulfilled orders by order date; returns by return date, at the "
            "order's exchange-rate snapshot."
        ],
    )
    progress(95)
    return report

"""The daily sales figures (SalesFigure): written by the order and return services in their
own transaction, merged per day by a job, rebuilt from the orders after a bulk load.

Rows are only ever inserted by the services (a confirmation adds, a cancellation adds the
negative, a return adds a return row), so concurrent orders never wait on a shared row;
`sales_figures_compact` then replaces each day's rows by one row per key. The sum of the
rows of any day range equals the sum of the order and return lines at every moment.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Max, Sum

from apps.core.sql import insert_all

from .models import OPEN_STATUSES, Order, OrderLine, Return, ReturnLine, SalesFigure

Grain, Kind = SalesFigure.Grain, SalesFigure.Kind
AMOUNTS = ("quantity", "net", "tax", "gross", "lines")
WIDE = DecimalField(max_digits=32, decimal_places=10)
KEYS = ("grain", "kind", "day", "store_id", "product_id", "customer_id")


def _rows(
    *, kind: str, day: dt.date, order: Order, items: Iterable[tuple[OrderLine, int, tuple]]
) -> list[SimpleNamespace]:
    """One PRODUCT row per item plus one DAY and one CUSTOMER row for them all; an item is
    (order line, quantity, (net, tax, total) in the order's currency). Plain rows of
    SalesFigure's column values by attname (its defaults where not given), for
    `insert_sql`/`insert_all`: cheaper to build than model instances, the same rows."""
    rate = order.exchange_rate
    rows, day_row = [], _figure(grain=Grain.DAY, kind=kind, day=day, store_id=order.store_id)
    for line, quantity, amounts in items:
        row = _figure(
            grain=Grain.PRODUCT,
            kind=kind,
            day=day,
            store_id=order.store_id,
            product_id=line.product_id,
            label=line.product_name,
            lines=1 if quantity > 0 else -1,
            quantity=quantity,
            net=amounts[0] * rate,
            tax=amounts[1] * rate,
            gross=amounts[2] * rate,
        )
        rows.append(row)
        for field in AMOUNTS:
            setattr(day_row, field, getattr(day_row, field) + getattr(row, field))
    customer_row = _figure(
        grain=Grain.CUSTOMER,
        kind=kind,
        day=day,
        store_id=order.store_id,
        customer_id=order.customer_id,
        **{field: getattr(day_row, field) for field in AMOUNTS},
    )
    return [day_row, customer_row, *rows]


@functools.cache
def _defaults() -> dict:
    return {
        f.attname: f.get_default() for f in SalesFigure._meta.concrete_fields if not f.primary_key
    }


def _figure(**values) -> SimpleNamespace:
    return SimpleNamespace(**{**_defaults(), **values})


def sales_figures_order(*, order: Order, lines: list[OrderLine], sign: int = 1) -> None:
    """A confirmation (sign 1) or the cancellation of a confirmed order (sign -1): one
    INSERT, inside the caller's transaction."""
    insert_all(sales_figures_rows(order=order, lines=lines, sign=sign), SalesFigure)


def sales_figures_rows(*, order: Order, lines: list[OrderLine], sign: int = 1) -> list:
    """The unsaved rows `sales_figures_order` inserts (order_confirm writes them in its
    own statement on PostgreSQL)."""
    items = [
        (line, sign * line.quantity, (sign * line.net, sign * line.tax, sign * line.total))
        for line in lines
    ]
    return _rows(kind=Kind.SALE, day=order.order_date, order=order, items=items)


def sales_figures_return(*, doc: Return, lines: list[ReturnLine]) -> None:
    """A return: its lines on the return date, with the order's store and customer."""
    items = [(rl.order_line, rl.quantity, (rl.net, rl.tax, rl.total)) for rl in lines]
    insert_all(
        _rows(kind=Kind.RETURN, day=doc.return_date, order=doc.order, items=items), SalesFigure
    )


@transaction.atomic
def sales_figures_compact() -> dict:
    """Merge the rows of every day that has new rows into one row per key (idempotent).

    The rows merged are read and locked first, then deleted by id: a row inserted meanwhile
    by a confirmation is not among them and stays as it is, so no sale is lost or counted
    twice."""
    days = set(SalesFigure.objects.filter(compacted=False).values_list("day", flat=True))
    if not days:
        return {"days": 0, "rows": 0}
    ids = list(
        SalesFigure.objects.select_for_update()
        .filter(day__in=days)
        .values_list("pk", flat=True)
        .order_by()
    )
    merged = (
        SalesFigure.objects.filter(pk__in=ids)
        .values(*KEYS)
        .annotate(
            label_=Max("label"),
            **{f"{field}_": Sum(field) for field in AMOUNTS},
        )
        .order_by()
    )
    rows = [
        SalesFigure(
            **{key: m[key] for key in KEYS},
            label=m["label_"] or "",
            compacted=True,
            **{field: m[f"{field}_"] or 0 for field in AMOUNTS},
        )
        for m in merged
        if m["lines_"] or any(m[f"{field}_"] for field in ("quantity", "net", "tax", "gross"))
    ]
    for part in range(0, len(ids), 5000):
        SalesFigure.objects.filter(pk__in=ids[part : part + 5000]).delete()
    SalesFigure.objects.bulk_create(rows, batch_size=2000)
    return {"days": len(days), "rows": len(rows)}


def _sql(kind: str, grain: str) -> str:
    """INSERT ... SELECT of one kind and grain from the order (or return) lines."""
    figure = SalesFigure._meta.db_table
    orders, order_lines = Order._meta.db_table, OrderLine._meta.db_table
    returns, return_lines = Return._meta.db_table, ReturnLine._meta.db_table
    product = "ol.product_id" if grain == Grain.PRODUCT else "NULL"
    customer = "o.customer_id" if grain == Grain.CUSTOMER else "NULL"
    label = "MAX(ol.product_name)" if grain == Grain.PRODUCT else "''"
    keys = ", ".join(k for k in ("o.store_id", product, customer) if k != "NULL")
    if kind == Kind.SALE:
        day, src = "o.order_date", "ol"
        source = (
            f"FROM {order_lines} ol JOIN {orders} o ON o.id = ol.order_id "
            f"WHERE o.status IN ({', '.join(repr(str(s)) for s in OPEN_STATUSES)}) "
            "AND o.deleted_at IS NULL"
        )
    else:
        day, src = "r.return_date", "rl"
        source = (
            f"FROM {return_lines} rl JOIN {returns} r ON r.id = rl.return_doc_id "
            f"JOIN {order_lines} ol ON ol.id = rl.order_line_id "
            f"JOIN {orders} o ON o.id = ol.order_id WHERE r.deleted_at IS NULL"
        )
    return (
        f"INSERT INTO {figure} (grain, kind, day, store_id, product_id, customer_id, label, "
        "lines, quantity, net, tax, gross, compacted) "
        f"SELECT '{grain}', '{kind}', {day}, o.store_id, {product}, {customer}, {label}, "
        f"COUNT(*), SUM({src}.quantity), SUM({src}.net * o.exchange_rate), "
        f"SUM({src}.tax * o.exchange_rate), SUM({src}.total * o.exchange_rate), %s "
        f"{source} GROUP BY {day}, {keys}"
    )


@transaction.atomic
def sales_figures_rebuild() -> int:
    """Every row again from the order and return lines (after a bulk load that bypassed
    the services). The table is locked meanwhile (PostgreSQL), so a confirmation waits
    for the rebuild instead of being counted twice or not at all."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {SalesFigure._meta.db_table} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {SalesFigure._meta.db_table}")
        rows = 0
        for kind in Kind.values:
            for grain in Grain.values:
                cursor.execute(_sql(kind, grain), [True])
                rows += cursor.rowcount
    return rows


def sales_figures_check() -> list[str]:
    """Differences between the figures and the order and return lines, per grain and kind
    (empty when they agree): what a test or an operator runs after a bulk load."""
    problems = []
    sums = {field: Sum(field) for field in ("quantity", "net", "tax", "gross")}
    sold = OrderLine.objects.filter(order__status__in=OPEN_STATUSES, order__deleted_at=None)
    back = ReturnLine.objects.filter(return_doc__deleted_at=None)
    rate = {"net": "net", "tax": "tax", "gross": "total"}
    for kind, lines, order in (
        (Kind.SALE, sold, "order__"),
        (Kind.RETURN, back, "order_line__order__"),
    ):
        source = lines.aggregate(
            quantity=Sum("quantity"),
            **{
                field: Sum(
                    ExpressionWrapper(F(col) * F(f"{order}exchange_rate"), output_field=WIDE)
                )
                for field, col in rate.items()
            },
        )
        for grain in Grain.values:
            kept = SalesFigure.objects.filter(grain=grain, kind=kind).aggregate(**sums)
            for field in sums:
                want = Decimal(str(source[field] or 0)).quantize(Decimal("0.01"))
                have = Decimal(str(kept[field] or 0)).quantize(Decimal("0.01"))
                if want != have:
                    problems.append(f"{grain}{kind} {field}: figures {have}, lines {want}")
    return problems

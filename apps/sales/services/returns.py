"""Returns: goods back from a confirmed order, restocked or written off."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apps.core.audit import audit_build
from apps.core.sequences import sequence_next
from apps.core.sql import server_binding
from apps.finance import money
from apps.inventory.models import Store
from apps.inventory.services import stock_restock

from ..figures import sales_figures_return
from ..models import (
    OPEN_STATUSES,
    Order,
    OrderLine,
    Return,
    ReturnDisposition,
    ReturnLine,
)
from ..pricing import returned_share
from .common import (
    ZERO,
    OrderError,
    _check_store,
    _lock,
    _user,
)


@server_binding()
@transaction.atomic
def return_create(
    *,
    order: Order,
    quantities: dict[int, int],
    reason: str,
    disposition: str,
    store: Store | None = None,
    return_date: dt.date | None = None,
    user=None,
) -> Return:
    """Take back some units of a confirmed or fulfilled order.

    `quantities` maps order-line ids to units (never more than sold minus already
    returned). Restocked goods come back to `store` as RETURN movements; written-off goods
    move no stock. The order's returned amounts grow by the lines' share (cumulative
    rounding: returning everything gives back exactly the order total).
    """
    user = _user(user)
    reason = (reason or "").strip()
    if not reason:
        raise OrderError({"reason": "Give a reason for the return."})
    if disposition not in ReturnDisposition.values:
        raise OrderError({"disposition": "Choose restock or write off."})
    order = _lock(order)
    if order.status not in OPEN_STATUSES:
        raise OrderError(
            f"Order {order.number} is {order.get_status_display().lower()}; only confirmed or fulfilled orders take returns."
        )
    store = _check_store(store or order.store) if disposition == ReturnDisposition.RESTOCK else None
    lines = {line.pk: line for line in order.lines.select_related("product__category")}
    wanted: list[tuple[OrderLine, int]] = []
    errors = []
    for line_id, quantity in quantities.items():
        line = lines.get(line_id)
        if line is None:
            errors.append("A returned line does not belong to this order.")
            continue
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            errors.append(f"{line.product_sku}: enter a whole number of units, 0 or more.")
            continue
        if quantity > line.returnable_quantity:
            errors.append(
                f"{line.product_sku}: at most {line.returnable_quantity} can be returned "
                f"({line.quantity} sold, {line.returned_quantity} already returned)."
            )
            continue
        if quantity:
            wanted.append((line, quantity))
    if errors:
        raise OrderError(errors)
    if not wanted:
        raise OrderError("Enter the quantity of at least one line to return.")
    return_date = return_date or timezone.localdate()
    number = f"RET-{return_date.year}-{sequence_next(name=f'RET-{return_date.year}'):05d}"
    doc = Return.objects.create(
        number=number,
        order=order,
        return_date=return_date,
        reason=reason,
        disposition=disposition,
        store=store,
    )
    minor = order.currency.minor_units
    rows = []
    for line, quantity in wanted:
        shares = {
            part: returned_share(
                amount=getattr(line, part),
                quantity=line.quantity,
                before=line.returned_quantity,
                now=quantity,
                minor_units=minor,
            )
            for part in ("net", "tax")
        }
        cost = (
            returned_share(
                amount=line.cost,
                quantity=line.quantity,
                before=line.returned_quantity,
                now=quantity,
                minor_units=2,
            )
            if store is not None
            else ZERO
        )
        rows.append(
            ReturnLine(
                return_doc=doc,
                order_line=line,
                quantity=quantity,
                net=shares["net"],
                tax=shares["tax"],
                total=shares["net"] + shares["tax"],
                cost=cost,
            )
        )
        line.returned_quantity += quantity
    ReturnLine.objects.bulk_create(rows)
    sales_figures_return(doc=doc, lines=rows)
    OrderLine.objects.bulk_update([line for line, _ in wanted], ["returned_quantity"])
    doc.net = sum((r.net for r in rows), ZERO)
    doc.tax = sum((r.tax for r in rows), ZERO)
    doc.total = sum((r.total for r in rows), ZERO)
    doc.save(update_fields=["net", "tax", "total"])
    order.returned_total += doc.total
    order.returned_base = money.to_base(order.returned_total, order.exchange_rate)
    order.save(update_fields=["returned_total", "returned_base"])
    returned = audit_build(
        subject=order,
        event="order.returned",
        actor=user,
        changes={
            "return": number,
            "lines": {line.product_sku: quantity for line, quantity in wanted},
            "total": f"{doc.total} {order.currency_id}",
            "disposition": disposition,
        },
        message=reason,
    )
    if store is not None:
        stock_restock(
            store=store,
            lines=[
                (line.product, row.quantity, row.cost)
                for (line, _), row in zip(wanted, rows, strict=True)
            ],
            reference=number,
            notes=f"Return of {order.number}: {reason}"[:500],
            source=doc,
            events=[returned],  # the order's event lists the movements (no event each)
            user=user,
        )
    else:
        returned.save()
    return doc


# --- the customer portal ----------------------------------------------------------------

"""Draft invoices (free or from an order) and their lines (DESIGN.md §11); issue.py
issues and voids them.

Lock order, the same everywhere: the order row (from-order), the invoice row, the series
counter, the hash-chain counter, then the ledger accounts (journal_post, pk order).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.catalog.models import Product
from apps.core.audit import audit_record
from apps.core.models import CompanySettings
from apps.customers.models import AddressKind, Customer
from apps.finance.documents import document_currency_problem
from apps.finance.models import Currency, TaxRate
from apps.finance.selectors import MissingExchangeRate, rate_on
from apps.sales.models import OPEN_STATUSES, Order, OrderLine
from apps.sales.pricing import LineInput, returned_share

from ..models import (
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Series,
)
from ..selectors import invoiceable_quantities, invoiced_quantities
from ..totals import invoice_figures
from .common import (
    ZERO,
    InvoicingError,
    acting,
    check_amount,
    check_percent,
    check_quantity,
    check_series,
    check_tax_rate,
)

LINE_FIELDS = (
    "description",
    "sku",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "tax_rate",
    "product",
)
HEADER_FIELDS = (
    "issue_date",
    "payment_terms_days",
    "customer_reference",
    "terms",
    "notes",
    "discount_amount",
    "billing_name",
    "billing_address",
    "billing_tax_id",
)


# --- small pieces -----------------------------------------------------------------------


def lock_invoice(invoice: Invoice) -> Invoice:
    return (
        Invoice.all_objects.select_for_update(of=("self",))
        .select_related("currency", "customer", "series")
        .get(pk=invoice.pk)
    )


def _require_draft(invoice: Invoice, action: str) -> None:
    if invoice.status != InvoiceStatus.DRAFT:
        raise InvoicingError(
            f"Invoice {invoice.number} is {invoice.get_status_display().lower()}; "
            f"only drafts can be {action}."
        )


def rate_for(currency: Currency, date: dt.date) -> Decimal:
    try:
        return rate_on(currency, date)
    except MissingExchangeRate as exc:
        raise InvoicingError({"currency": str(exc)}) from exc


def _billing(customer: Customer) -> dict[str, str]:
    address = customer.default_address(AddressKind.BILLING)
    return {
        "billing_name": customer.name,
        "billing_address": address.as_text() if address else "",
        "billing_tax_id": customer.tax_id,
    }


def _line_values(data: dict[str, Any], currency: Currency) -> dict[str, Any]:
    unknown = set(data) - set(LINE_FIELDS) - {"order_line"}
    if unknown:
        raise TypeError(f"unknown invoice line fields: {', '.join(sorted(unknown))}")
    product = data.get("product")
    if product is not None and not isinstance(product, Product):
        raise InvoicingError({"product": "Unknown product."})
    description = (data.get("description") or (product.name if product else "")).strip()
    if not description:
        raise InvoicingError({"description": "Describe what is invoiced."})
    tax_rate = check_tax_rate(data.get("tax_rate"))
    values = {
        "description": description[:300],
        "sku": (data.get("sku") or (product.sku if product else "")).strip()[:64],
        "quantity": check_quantity(data.get("quantity")),
        "unit": (data.get("unit") or "pcs").strip()[:20],
        "unit_price": check_amount(
            data.get("unit_price"), "unit_price", minor_units=currency.minor_units
        ),
        "discount_percent": check_percent(data.get("discount_percent") or ZERO),
        "tax_rate": tax_rate,
        "tax_name": tax_rate.name if tax_rate else "",
        "tax_percent": tax_rate.rate if tax_rate else ZERO,
        "product": product,
    }
    if "order_line" in data:
        values["order_line"] = data["order_line"]
    return values


def invoice_recompute(invoice: Invoice, lines: list[InvoiceLine] | None = None) -> None:
    """Write every line figure and the totals from the lines (drafts only)."""
    if lines is None:
        lines = list(invoice.lines.all())
    figures = invoice_figures(
        [
            LineInput(line.quantity, line.unit_price, line.discount_percent, line.tax_percent)
            for line in lines
        ],
        discount_amount=invoice.discount_amount,
        minor_units=invoice.currency.minor_units,
    )
    for line, result in zip(lines, figures.lines, strict=True):
        line.gross, line.discount = result.gross, result.discount
        line.document_discount = result.coupon_discount
        line.net, line.tax, line.total = result.net, result.tax, result.total
    if lines:
        InvoiceLine.objects.bulk_update(
            lines, ["gross", "discount", "document_discount", "net", "tax", "total"]
        )
    invoice.subtotal = figures.subtotal
    invoice.discount_total = figures.discount
    invoice.net_total = figures.net
    invoice.tax_total = figures.tax
    invoice.total = figures.total
    invoice.save(update_fields=["subtotal", "discount_total", "net_total", "tax_total", "total"])


def _add_lines(invoice: Invoice, rows: list[dict[str, Any]]) -> None:
    start = invoice.lines.order_by("-position").values_list("position", flat=True).first() or 0
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(invoice=invoice, position=start + n, **_line_values(row, invoice.currency))
            for n, row in enumerate(rows, start=1)
        ]
    )


# --- drafts -----------------------------------------------------------------------------


@transaction.atomic
def invoice_create(
    *,
    customer: Customer,
    currency: Currency | None = None,
    series: Series | None = None,
    lines: list[dict[str, Any]] = (),
    order: Order | None = None,
    issue_date: dt.date | None = None,
    payment_terms_days: int | None = None,
    customer_reference: str = "",
    terms: str | None = None,
    notes: str = "",
    discount_amount=ZERO,
    user=None,
) -> Invoice:
    """A draft invoice (free lines, e.g. services); `invoice_create_from_order` fills one
    from an order. Nothing is numbered or posted until `invoice_issue`."""
    user = acting(user)
    if not isinstance(customer, Customer) or customer.is_deleted or not customer.active:
        raise InvoicingError({"customer": "Choose an active customer."})
    currency = currency or customer.currency
    problem = document_currency_problem(currency)
    if problem:
        raise InvoicingError({"currency": problem})
    company = CompanySettings.load()
    rate_for(currency, issue_date or company.today())  # a missing rate is refused now, not at issue
    terms_days = company.invoice_due_days if payment_terms_days is None else payment_terms_days
    if (
        isinstance(terms_days, bool)
        or not isinstance(terms_days, int)
        or not 0 <= terms_days <= 365
    ):
        raise InvoicingError({"payment_terms_days": "Enter between 0 and 365 days."})
    invoice = Invoice.objects.create(
        customer=customer,
        currency=currency,
        series=check_series(series, DocumentKind.INVOICE),
        order=order,
        issue_date=issue_date,
        payment_terms_days=terms_days,
        customer_reference=(customer_reference or "").strip()[:100],
        terms=company.invoice_terms if terms is None else terms,
        notes=notes or "",
        discount_amount=check_amount(
            discount_amount, "discount_amount", minor_units=currency.minor_units
        ),
        **_billing(customer),
        created_by=user,
    )
    _add_lines(invoice, list(lines))
    invoice_recompute(invoice)
    audit_record(
        subject=invoice, event="invoice.created", actor=user, changes={"lines": len(lines)}
    )
    return invoice


@transaction.atomic
def invoice_update(*, invoice: Invoice, user=None, **changes: Any) -> Invoice:
    """Change a draft's header (dates, terms, texts, invoice discount, billing snapshot)."""
    unknown = set(changes) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"unknown invoice fields: {', '.join(sorted(unknown))}")
    invoice = lock_invoice(invoice)
    _require_draft(invoice, "edited")
    if "discount_amount" in changes:
        changes["discount_amount"] = check_amount(
            changes["discount_amount"], "discount_amount", minor_units=invoice.currency.minor_units
        )
    days = changes.get("payment_terms_days", invoice.payment_terms_days)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 365:
        raise InvoicingError({"payment_terms_days": "Enter between 0 and 365 days."})
    for key, value in changes.items():
        setattr(invoice, key, value)
    invoice.save()
    invoice_recompute(invoice)
    audit_record(
        subject=invoice,
        event="invoice.updated",
        actor=acting(user),
        changes={k: str(v) for k, v in changes.items()},
    )
    return invoice


@transaction.atomic
def invoice_line_add(*, invoice: Invoice, user=None, **fields: Any) -> InvoiceLine:
    invoice = lock_invoice(invoice)
    _require_draft(invoice, "edited")
    if "order_line" in fields:
        raise TypeError("order lines come through invoice_create_from_order")
    _add_lines(invoice, [fields])
    invoice_recompute(invoice)
    return invoice.lines.order_by("-position", "-id").first()


@transaction.atomic
def invoice_line_update(*, line: InvoiceLine, user=None, **changes: Any) -> InvoiceLine:
    invoice = lock_invoice(line.invoice)
    _require_draft(invoice, "edited")
    line = InvoiceLine.objects.get(pk=line.pk)
    if line.order_line_id and "quantity" in changes:
        quantity = check_quantity(changes["quantity"])
        allowed = invoiceable_quantities(line.order_line.order.lines.all(), exclude_invoice=invoice)
        if quantity > allowed.get(line.order_line_id, ZERO):
            raise InvoicingError(
                {
                    "quantity": f"At most {allowed.get(line.order_line_id, ZERO).normalize():f} "
                    f"of {line.sku} is left to invoice."
                }
            )
    current = {field: getattr(line, field) for field in LINE_FIELDS}
    values = _line_values({**current, **changes}, invoice.currency)
    for key, value in values.items():
        setattr(line, key, value)
    line.save()
    invoice_recompute(invoice)
    return line


@transaction.atomic
def invoice_line_remove(*, line: InvoiceLine, user=None) -> Invoice:
    invoice = lock_invoice(line.invoice)
    _require_draft(invoice, "edited")
    InvoiceLine.objects.filter(pk=line.pk, invoice=invoice).delete()
    invoice_recompute(invoice)
    return invoice


@transaction.atomic
def invoice_delete(*, invoice: Invoice, user=None) -> None:
    """Drafts only (they have no number); an issued invoice is voided instead."""
    invoice = lock_invoice(invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        raise InvoicingError(
            f"Invoice {invoice.number} is issued and can never be deleted; void it instead."
        )
    audit_record(subject=invoice, event="invoice.draft_deleted", actor=acting(user))
    invoice.delete()


def _order_tax(line: OrderLine) -> dict[str, Any]:
    """The order line's tax snapshot (the rate row may have changed since)."""
    rate = None
    if line.tax_name:
        rate = TaxRate.objects.filter(name=line.tax_name, rate=line.tax_percent).first()
    return {"tax_rate": rate, "tax_name": line.tax_name, "tax_percent": line.tax_percent}


# --- from an order ----------------------------------------------------------------------


@transaction.atomic
def invoice_create_from_order(
    *,
    order: Order,
    quantities: dict[int, Any] | None = None,
    series: Series | None = None,
    issue_date: dt.date | None = None,
    user=None,
) -> Invoice:
    """A draft invoice of a confirmed (or fulfilled) order's uninvoiced units.

    `quantities` maps order-line ids to units (default: everything left); never more than
    ordered minus returned minus already invoiced. The order's coupon follows the units:
    the invoice discount is the invoiced units' cumulative share of each line's coupon part.
    """
    order = (
        Order.all_objects.select_for_update(of=("self",))
        .select_related("customer", "currency")
        .get(pk=order.pk)
    )
    if order.status not in OPEN_STATUSES:
        raise InvoicingError(
            f"Order {order.number} is {order.get_status_display().lower()}; only confirmed "
            "or fulfilled orders are invoiced."
        )
    lines = {line.pk: line for line in order.lines.all()}
    left = invoiceable_quantities(lines.values())
    if not any(left.values()):
        raise InvoicingError(f"Order {order.number} is fully invoiced.")
    if quantities is None:
        wanted = {pk: q for pk, q in left.items() if q}
    else:
        wanted, errors = {}, []
        for pk, value in quantities.items():
            line = lines.get(pk)
            if line is None:
                errors.append("A line does not belong to this order.")
                continue
            if value in (0, "0", None, ""):
                continue
            quantity = check_quantity(value)
            if quantity > left[pk]:
                errors.append(
                    f"{line.product_sku}: at most {left[pk].normalize():f} can be invoiced "
                    f"({line.quantity} ordered, {line.returned_quantity} returned, "
                    f"{(line.quantity - line.returned_quantity - left[pk]).normalize():f} invoiced)."
                )
                continue
            wanted[pk] = quantity
        if errors:
            raise InvoicingError(errors)
        if not wanted:
            raise InvoicingError("Enter the quantity of at least one line to invoice.")
    billed = invoiced_quantities(list(wanted))
    minor = order.currency.minor_units
    discount = sum(
        (
            returned_share(
                amount=lines[pk].coupon_discount,
                quantity=lines[pk].quantity,
                before=billed[pk],
                now=quantity,
                minor_units=minor,
            )
            for pk, quantity in wanted.items()
        ),
        ZERO,
    )
    rows = []
    for pk in sorted(wanted, key=lambda pk: (lines[pk].position, pk)):
        line: OrderLine = lines[pk]
        rows.append(
            {
                "order_line": line,
                "product": line.product,
                "description": line.product_name,
                "sku": line.product_sku,
                "quantity": wanted[pk],
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
            }
        )
    invoice = invoice_create(
        customer=order.customer,
        currency=order.currency,
        series=series,
        order=order,
        issue_date=issue_date,
        customer_reference=order.reference,
        discount_amount=discount,
        user=user,
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=n,
                **{**_line_values(row, invoice.currency), **_order_tax(row["order_line"])},
            )
            for n, row in enumerate(rows, start=1)
        ]
    )
    invoice_recompute(invoice)
    audit_record(
        subject=invoice,
        event="invoice.from_order",
        actor=acting(user),
        changes={
            "order": order.number,
            "lines": {lines[pk].product_sku: str(q) for pk, q in wanted.items()},
        },
    )
    return invoice

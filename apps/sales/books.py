"""Order invariants for check_books (DESIGN.md §4.4).

Amount comparisons happen in Python on Decimals (SQLite computes decimal arithmetic in
floating point); rows are streamed, so the checks stay linear at benchmark scale.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from apps.core.books import CheckResult, register
from apps.core.models import NumberSequence
from apps.customers.models import Customer
from apps.finance import money
from apps.finance.models import Currency
from apps.inventory.models import MovementType, StockMovement

from .models import OPEN_STATUSES, Coupon, Order, OrderLine, OrderStatus, Return, ReturnLine

ZERO = Decimal("0")
CHUNK = 5000
LIMIT = 200  # violations listed per check


def _minor_units() -> dict[str, int]:
    return dict(Currency.all_objects.values_list("code", "minor_units"))


@register(
    "sales.order_totals",
    "Each order line is priced under the rounding policy and each order's totals are the sums of its rounded lines.",
)
def order_totals() -> CheckResult:
    minor = _minor_units()
    orders = {
        pk: (number, currency, (subtotal, discount, tax, total))
        for pk, number, currency, subtotal, discount, tax, total in Order.all_objects.values_list(
            "pk", "number", "currency_id", "subtotal", "discount_total", "tax_total", "total"
        ).iterator(chunk_size=CHUNK)
    }
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    violations: list[str] = []
    fields = (
        "order_id",
        "product_sku",
        "quantity",
        "unit_price",
        "discount_percent",
        "tax_percent",
        "gross",
        "discount",
        "coupon_discount",
        "net",
        "tax",
        "total",
    )
    for row in OrderLine.objects.values_list(*fields).iterator(chunk_size=CHUNK):
        order_id, sku, qty, price, disc_pct, tax_pct, gross, disc, coupon, net, tax, total = row
        number, currency, _ = orders.get(order_id, ("?", "USD", None))
        units = minor.get(currency, 2)
        expected_gross = money.quantize(qty * price, units)
        problems = []
        if gross != expected_gross:
            problems.append(f"gross {gross} != {expected_gross}")
        if disc != money.percent_of(gross, disc_pct, units):
            problems.append(f"discount {disc} != {disc_pct}% of {gross}")
        if net != gross - disc - coupon:
            problems.append(f"net {net} != {gross} - {disc} - {coupon}")
        if tax != money.percent_of(net, tax_pct, units):
            problems.append(f"tax {tax} != {tax_pct}% of {net}")
        if total != net + tax:
            problems.append(f"total {total} != {net} + {tax}")
        if problems and len(violations) < LIMIT:
            violations.append(f"{number} line {sku}: " + "; ".join(problems))
        acc = sums[order_id]
        acc[0] += gross
        acc[1] += disc + coupon
        acc[2] += tax
        acc[3] += total
    names = ("subtotal", "discount", "tax", "total")
    for pk, (number, _currency, stored) in orders.items():
        computed = sums.get(pk, [ZERO] * 4)
        wrong = [
            f"{name} {s} != lines {c}"
            for name, s, c in zip(names, stored, computed, strict=True)
            if s != c
        ]
        if wrong and len(violations) < LIMIT:
            violations.append(f"{number}: " + "; ".join(wrong))
    return CheckResult(counted=len(orders), violations=violations)


@register(
    "sales.order_stock",
    "A confirmed order has one SALE movement per line; a cancelled order nets to zero stock; a draft moves none.",
)
def order_stock() -> CheckResult:
    moved: dict[str, dict[int, list[int]]] = defaultdict(
        dict
    )  # number -> product -> [sales, sold, net]
    for reference, product_id, kind, n, quantity in (
        StockMovement.objects.filter(reference__startswith="SO-")
        .order_by()
        .values_list("reference", "product_id", "movement_type")
        .annotate(n=Count("pk"), q=Sum("quantity"))
    ):
        entry = moved[reference].setdefault(product_id, [0, 0, 0])
        if kind == MovementType.SALE:
            entry[0] += n
            entry[1] += -quantity
        entry[2] += quantity
    lines: dict[int, dict[int, int]] = defaultdict(dict)
    for order_id, product_id, quantity in OrderLine.objects.values_list(
        "order_id", "product_id", "quantity"
    ).iterator(chunk_size=CHUNK):
        lines[order_id][product_id] = quantity
    violations: list[str] = []
    counted = 0
    for pk, number, status in Order.all_objects.values_list("pk", "number", "status").iterator(
        chunk_size=CHUNK
    ):
        counted += 1
        movements = moved.pop(number, {})
        problems = []
        if status == OrderStatus.DRAFT and movements:
            problems.append("a draft has stock movements")
        elif status in OPEN_STATUSES:
            for product_id, quantity in lines[pk].items():
                sales, sold, net = movements.get(product_id, [0, 0, 0])
                if sales != 1 or sold != quantity or net != -quantity:
                    problems.append(
                        f"product {product_id}: {sales} SALE movements for {sold} units "
                        f"(net {net}), the line has {quantity}"
                    )
            extra = set(movements) - set(lines[pk])
            if extra:
                problems.append(f"movements for products not on the order: {sorted(extra)}")
        elif status == OrderStatus.CANCELLED:
            for product_id, (sales, _sold, net) in movements.items():
                if net != 0 or sales > 1:
                    problems.append(f"product {product_id}: nets to {net} after cancellation")
        if problems and len(violations) < LIMIT:
            violations.append(f"{number} ({status}): " + "; ".join(problems))
    for number in list(moved)[: max(LIMIT - len(violations), 0)]:
        violations.append(f"movements reference {number}, which is no order")
    return CheckResult(counted=counted, violations=violations)


@register(
    "sales.returns",
    "Returned quantities and amounts agree with the return documents and never exceed what was sold.",
)
def returns() -> CheckResult:
    per_line: dict[int, int] = defaultdict(int)
    per_doc: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line_id, doc_id, quantity, _net, _tax, total in ReturnLine.objects.values_list(
        "order_line_id", "return_doc_id", "quantity", "net", "tax", "total"
    ).iterator(chunk_size=CHUNK):
        per_line[line_id] += quantity
        per_doc[doc_id] += total
    violations: list[str] = []
    per_order: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pk, number, order_id, total in Return.all_objects.values_list(
        "pk", "number", "order_id", "total"
    ).iterator(chunk_size=CHUNK):
        per_order[order_id] += total
        if per_doc.get(pk, ZERO) != total:
            violations.append(f"{number}: total {total} != lines {per_doc.get(pk, ZERO)}")
    for line_id, order_id, sku, sold, returned in OrderLine.objects.filter(
        returned_quantity__gt=0
    ).values_list("pk", "order_id", "product_sku", "quantity", "returned_quantity"):
        if returned != per_line.pop(line_id, 0) or returned > sold:
            violations.append(
                f"order {order_id} {sku}: returned {returned} of {sold} disagrees with returns"
            )
    for line_id in per_line:
        violations.append(f"order line {line_id}: returns recorded but returned quantity is 0")
    for pk, number, returned_total, total in Order.all_objects.filter(
        returned_total__gt=0
    ).values_list("pk", "number", "returned_total", "total"):
        if returned_total != per_order.pop(pk, ZERO) or returned_total > total:
            violations.append(f"{number}: returned {returned_total} disagrees with its returns")
    for order_id in per_order:
        violations.append(f"order {order_id}: has returns but a returned total of 0")
    return CheckResult(counted=Return.all_objects.count(), violations=violations[:LIMIT])


@register(
    "sales.coupon_usage",
    "Each coupon's use count equals its confirmed and fulfilled orders and stays within its maximum.",
)
def coupon_usage() -> CheckResult:
    used = dict(
        Order.all_objects.filter(status__in=OPEN_STATUSES, coupon__isnull=False)
        .order_by()
        .values_list("coupon_id")
        .annotate(n=Count("pk"))
    )
    violations = []
    counted = 0
    for pk, code, times_used, max_uses in Coupon.all_objects.values_list(
        "pk", "code", "times_used", "max_uses"
    ):
        counted += 1
        if times_used != used.get(pk, 0):
            violations.append(f"{code}: used {times_used} times, {used.get(pk, 0)} orders")
        if max_uses is not None and times_used > max_uses:
            violations.append(f"{code}: used {times_used} times, maximum {max_uses}")
    return CheckResult(counted=counted, violations=violations)


def _series(numbers) -> dict[str, list[int]]:
    series: dict[str, list[int]] = defaultdict(list)
    for number in numbers:
        head, _, tail = number.rpartition("-")
        series[head].append(int(tail))
    return series


@register(
    "sales.numbering",
    "Order, return and customer numbers are unique and gapless in each series.",
)
def numbering() -> CheckResult:
    counters = dict(NumberSequence.objects.values_list("name", "last_value"))
    violations = []
    counted = 0
    sources = (
        Order.all_objects.values_list("number", flat=True),
        Return.all_objects.values_list("number", flat=True),
        Customer.all_objects.values_list("code", flat=True),
    )
    for source in sources:
        for name, values in _series(source.iterator(chunk_size=CHUNK)).items():
            counted += len(values)
            last = counters.get(name, 0)
            if len(values) != last or max(values) != last or len(set(values)) != len(values):
                missing = sorted(set(range(1, last + 1)) - set(values))[:10]
                violations.append(
                    f"{name}: {len(values)} numbers, counter at {last}, max {max(values)}"
                    + (f", missing {missing}" if missing else "")
                )
    return CheckResult(counted=counted, violations=violations)


@register(
    "sales.figures",
    "The daily sales figures the reports read add up, per grain, to the confirmed order and return lines.",
)
def figures() -> CheckResult:
    from .figures import sales_figures_check
    from .models import SalesFigure

    return CheckResult(counted=SalesFigure.objects.count(), violations=sales_figures_check())

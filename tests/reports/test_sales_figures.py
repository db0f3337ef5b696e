"""The sales report read from the daily sales figures equals the report read from the order
lines, to the cent, whatever the filters: after compaction, with rows not yet compacted (a
sale of a day already merged, a cancellation of a merged order), returns in a later month,
and after a rebuild from the lines."""

from __future__ import annotations

import pytest

from apps.reports.builders import sales
from apps.reports.registry import REPORTS
from apps.sales.figures import sales_figures_check, sales_figures_compact, sales_figures_rebuild
from apps.sales.models import OrderLine, SalesFigure
from apps.sales.services import order_cancel, order_confirm, return_create
from tests.sales.factories import make_order

from .conftest import day

GROUPS = ("day", "week", "month", "product", "category", "customer", "store")


def _params(**data) -> dict:
    form = REPORTS["sales"].form_class(data={k: str(v) for k, v in data.items()})
    assert form.is_valid(), form.errors
    return form.parameters()


def _both(**data) -> tuple[dict, dict]:
    params = _params(start=day(6, 1), end=day(7, 31), **data)
    kept = sales.build(dict(params), lambda pct: None).as_json()
    lines = sales.build(dict(params), lambda pct: None, use_figures=False).as_json()
    return kept, lines


def _filters(s) -> list[dict]:
    return [
        {},
        {"store": s.main.pk},
        {"store": s.second.pk},
        {"category": s.tools.pk},
        {"category": s.toys.pk, "store": s.second.pk},
        {"customer": s.acme.code},
    ]


def assert_same_everywhere(s) -> int:
    """Every grouping under every filter; returns how many answered from the figures."""
    from_figures = 0
    for by in GROUPS:
        for filters in _filters(s):
            kept, lines = _both(group_by=by, **filters)
            assert kept == lines, (by, filters)
            from_figures += sales.figures_grain(by, filters) is not None
    return from_figures


def test_figures_equal_the_lines_with_returns_cancellations_and_fresh_rows(sales_scenario):
    s = sales_scenario
    assert sales_figures_check() == []
    assert assert_same_everywhere(s) == 33  # all but the customer filter and customer-in-category
    sales_figures_compact()
    assert not SalesFigure.objects.filter(compacted=False).exists()
    assert assert_same_everywhere(s) == 33
    # after the merge: a sale on a merged day (June 15), the cancellation of a merged order,
    # a second return in July of the EUR order
    late = make_order(s.euro, s.main, [(s.alpha, 4)], order_date=day(6, 15))
    order_confirm(order=late)
    cancelled = make_order(s.acme, s.second, [(s.beta, 1)], order_date=day(6, 16))
    order_confirm(order=cancelled)
    sales_figures_compact()
    order_cancel(order=cancelled, reason="wrong store")
    euro_order = OrderLine.objects.get(product=s.beta, order__customer=s.euro).order
    return_create(
        order=euro_order,
        quantities={euro_order.lines.get().pk: 1},
        reason="late",
        disposition="write_off",
        return_date=day(7, 20),
    )
    assert SalesFigure.objects.filter(compacted=False).exists()
    assert sales_figures_check() == []
    assert assert_same_everywhere(s) == 33
    kept, _ = _both(group_by="month")
    assert [(r["group"], r["net"], r["ret_net"]) for r in kept["tables"][0]["rows"]] == [
        ("2026-06", "125.00", "0.00"),  # 85.00 + 4 x 10.00; the cancelled order not at all
        ("2026-07", "0.00", "37.50"),  # 10.00 + 25.00 EUR x 1.10
    ]
    sales_figures_compact()
    assert sales_figures_compact() == {"days": 0, "rows": 0}
    assert assert_same_everywhere(s) == 33


def test_a_cancelled_order_leaves_no_row_behind(sales_scenario):
    """O4 (June 25) was confirmed then cancelled: after the merge nothing is left of it."""
    sales_figures_compact()
    assert not SalesFigure.objects.filter(day=day(6, 25)).exists()
    kept, _ = _both(group_by="day")
    assert "2026-06-25" not in [r["group"] for r in kept["tables"][0]["rows"]]


def test_rebuild_gives_the_rows_the_services_wrote(sales_scenario):
    def summed():
        return sorted(
            (f.grain, f.kind, f.day, f.store_id, f.product_id, f.customer_id, f.quantity)
            for f in SalesFigure.objects.all()
            if f.lines
        )

    sales_figures_compact()
    written = summed()
    assert sales_figures_rebuild() == len(written)
    assert summed() == written
    assert sales_figures_check() == []
    assert assert_same_everywhere(sales_scenario) == 33


def test_a_bulk_load_that_bypasses_the_services_shows_until_rebuilt(sales_scenario):
    SalesFigure.objects.filter(grain=SalesFigure.Grain.PRODUCT).delete()
    problems = sales_figures_check()
    assert "ps quantity: figures 0.00, lines 5.00" in problems
    sales_figures_rebuild()
    assert sales_figures_check() == []


@pytest.mark.parametrize("by", ["month", "product", "customer"])
def test_reading_the_figures_costs_a_fixed_number_of_queries(
    sales_scenario, by, django_assert_num_queries
):
    params = _params(start=day(6, 1), end=day(7, 31), group_by=by)
    # the figures and the base currency, however many orders
    with django_assert_num_queries(2):
        sales.build(dict(params), lambda pct: None)
    s = sales_scenario
    order_confirm(order=make_order(s.euro, s.main, [(s.alpha, 1)], order_date=day(6, 9)))
    with django_assert_num_queries(2):
        sales.build(dict(params), lambda pct: None)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_confirms_cancels_and_merges_at_the_same_time_keep_the_figures_exact():
    """Twelve confirmations of one product and store on one day (the rows every order of
    that day would share if they were updated in place), three cancellations and three
    merges, all at once: nothing waits on a shared row, nothing is lost or counted twice."""
    from tests.inventory.factories import StoreFactory
    from tests.inventory.test_concurrency import run_together
    from tests.sales.factories import make_customer, make_product, stocked

    store = StoreFactory()
    product = stocked(store, make_product("10.00", sku="HOT"), 100)
    customer = make_customer()
    drafts = [make_order(customer, store, [(product, 2)], order_date=day(6, 1)) for _ in range(12)]
    confirmed = [
        make_order(customer, store, [(product, 1)], order_date=day(6, 1)) for _ in range(3)
    ]
    for order in confirmed:
        order_confirm(order=order)
    jobs = [lambda o=o: order_confirm(order=o) for o in drafts]
    jobs += [lambda o=o: order_cancel(order=o, reason="test") for o in confirmed]
    jobs += [sales_figures_compact] * 3
    results = run_together(jobs)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sales_figures_check() == []
    sales_figures_compact()
    row = SalesFigure.objects.get(grain=SalesFigure.Grain.PRODUCT, day=day(6, 1))
    assert (row.lines, row.quantity, row.net) == (12, 24, 240)


def test_seed_demo_scale_rebuilds_the_figures_after_the_bulk_builders(sales_scenario):
    """seed_demo --scale runs the reports' `after_scale` after the sales builders, which
    bulk-create orders without the services: the figures then match the lines."""
    from io import StringIO

    from apps.reports import demo_scale

    s = sales_scenario
    SalesFigure.objects.all().delete()  # as if every order had been bulk-created
    assert sales_figures_check()
    demo_scale.after_scale(scale=1, stdout=StringIO())
    assert sales_figures_check() == []
    assert assert_same_everywhere(s) == 33

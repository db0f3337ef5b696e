"""The stores' low and out-of-stock counters (issue 14 item 3): moved by the stock
services with the levels, and by the writers of thresholds, active flags, the trash and
the company default; equal to a recount (check_books inventory.stock_alerts)."""

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from apps.catalog import services as catalog
from apps.catalog.models import Product
from apps.core.company import company_settings_save
from apps.core.forms import CompanySettingsForm
from apps.core.models import CompanySettings
from apps.inventory.books import stock_alerts
from apps.inventory.models import MovementReason, StoreTotal
from apps.inventory.selectors import (
    alert_counts,
    dashboard_figures,
    low_stock_count,
    low_stock_levels,
    store_summaries,
)
from apps.inventory.services import (
    onhand_rebuild,
    stock_adjust,
    stock_receive,
    stock_remove,
    stock_transfer,
)
from apps.inventory.services.alerts import alert_recount
from tests.catalog.factories import ProductFactory

from .conftest import assert_stock_books_ok
from .factories import StoreFactory

pytestmark = pytest.mark.django_db

COUNT = MovementReason.COUNT_CORRECTION


def set_default(threshold: int) -> None:
    """Change the company default through the settings page's service."""
    settings = CompanySettings.load()
    data = {k: v for k, v in model_to_dict(settings).items() if v is not None and k != "logo"}
    form = CompanySettingsForm(
        data={**data, "default_low_stock_threshold": threshold}, instance=settings
    )
    assert form.is_valid(), form.errors
    company_settings_save(form=form)


def counts(store) -> tuple[int, int]:
    return alert_counts().get(store.pk, (0, 0))


def test_movements_move_the_counters(stores):
    a, b, _ = stores
    set_default(10)
    tea = ProductFactory(sku="TEA", low_stock_threshold=5)
    cup = ProductFactory(sku="CUP")  # the default, 10
    stock_receive(store=a, product=tea, quantity=5)  # a new level: low at 5
    stock_receive(store=a, product=cup, quantity=20)
    assert counts(a) == (1, 0)
    stock_remove(store=a, product=cup, quantity=10, reason=MovementReason.DAMAGED)
    assert counts(a) == (2, 0)  # cup at 10: low
    stock_remove(store=a, product=tea, quantity=5, reason=MovementReason.DAMAGED)
    assert counts(a) == (1, 1)  # tea out
    stock_transfer(from_store=a, to_store=b, product=cup, quantity=4)  # b's level is new
    assert (counts(a), counts(b)) == ((1, 1), (1, 0))
    stock_adjust(store=a, product=tea, counted_quantity=50, reason=COUNT)
    assert counts(a) == (1, 0)
    summaries = {s.store.code: s.low for s in store_summaries()}
    assert summaries == {"A": 1, "B": 1, "C": 0}
    assert dict(dashboard_figures())["Low stock"] == "2"
    assert low_stock_count() == low_stock_levels().count() == 2
    assert_stock_books_ok()


def test_threshold_active_and_trash_writers_move_the_counters(stores):
    a, b, _ = stores
    set_default(10)
    tea = ProductFactory(sku="TEA")
    stock_receive(store=a, product=tea, quantity=8)  # low (default 10)
    stock_receive(store=b, product=tea, quantity=3)
    stock_remove(store=b, product=tea, quantity=3, reason=MovementReason.DAMAGED)  # out
    assert (counts(a), counts(b)) == ((1, 0), (0, 1))

    tea = catalog.product_update(product=tea, low_stock_threshold=5)
    assert (counts(a), counts(b)) == ((0, 0), (0, 1))
    tea = catalog.product_update(product=tea, low_stock_threshold=8)
    assert counts(a) == (1, 0)
    tea = catalog.product_update(product=tea, active=False)
    assert (counts(a), counts(b)) == ((0, 0), (0, 0))
    stock_receive(store=a, product=tea, quantity=1)  # an inactive product counts nowhere
    tea = catalog.product_update(product=tea, active=True, low_stock_threshold=None)
    assert (counts(a), counts(b)) == ((1, 0), (0, 1))  # 9 <= default 10
    set_default(5)
    assert (counts(a), counts(b)) == ((0, 0), (0, 1))
    set_default(9)
    assert counts(a) == (1, 0)

    stock_remove(store=a, product=tea, quantity=9, reason=MovementReason.DAMAGED)
    catalog.product_delete(product=Product.objects.get(pk=tea.pk))  # every level at 0
    assert (counts(a), counts(b)) == ((0, 0), (0, 0))
    Product.all_objects.get(pk=tea.pk).restore()
    assert (counts(a), counts(b)) == ((0, 1), (0, 1))
    assert low_stock_count() == low_stock_levels().count() == 2
    stored = Product.all_objects.get(pk=tea.pk).alert_threshold
    assert stored == 9
    assert_stock_books_ok()


def test_the_check_names_a_wrong_counter_and_a_wrong_threshold(stores):
    a = stores[0]
    tea = ProductFactory(sku="TEA", low_stock_threshold=4)
    stock_receive(store=a, product=tea, quantity=3)
    assert stock_alerts().violations == []
    StoreTotal.objects.filter(store=a).update(low=0, out=2)
    Product.all_objects.filter(pk=tea.pk).update(alert_threshold=7)
    assert stock_alerts().violations == [
        f"product {tea.pk} (TEA): alert threshold 7, should be 4",
        f"store {a.pk}: counts 0 low and 2 out, levels hold 1 low and 0 out",
    ]
    onhand_rebuild()
    assert stock_alerts().violations == []
    assert alert_recount() == {a.pk: (1, 0)}


def test_statements_of_a_threshold_change(stores):
    tea = ProductFactory(sku="TEA", low_stock_threshold=5)
    stock_receive(store=stores[0], product=tea, quantity=3)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        catalog.product_update(product=tea, low_stock_threshold=2)
    assert counts(stores[0]) == (0, 0)
    # the price-record-free update: levels and product locks (PostgreSQL), the product's
    # lock and reads, its save, the default's read, the recount, the counters, the threshold
    assert len(queries) == (20 if connection.vendor == "postgresql" else 18)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_parallel_movements_and_threshold_changes_keep_the_counters_exact():
    """Sales, receipts, transfers into new levels and threshold, active-flag and
    company-default changes of the same products at once: no deadlock (PostgreSQL's row
    locks; SQLite's writers queue), and the counters equal the recount."""
    from .test_concurrency import run_together

    a, b = StoreFactory(code="A"), StoreFactory(code="B")
    products = [ProductFactory(sku=f"C-{n}", low_stock_threshold=None) for n in range(4)]
    for product in products:
        stock_receive(store=a, product=product, quantity=30, unit_cost="1.00")

    def sell(product):
        return lambda: [
            stock_remove(store=a, product=product, quantity=1, reason=MovementReason.DAMAGED)
            for _ in range(8)
        ]

    def thresholds(product):
        def run():
            for n in (25, 2, None, 28, None):
                fresh = Product.objects.get(pk=product.pk)
                catalog.product_update(product=fresh, low_stock_threshold=n)

        return run

    def flip(product):
        def run():
            for active in (False, True, False, True):
                fresh = Product.objects.get(pk=product.pk)
                catalog.product_update(product=fresh, active=active)

        return run

    jobs = [
        sell(products[0]),
        sell(products[1]),
        lambda: [
            stock_transfer(from_store=a, to_store=b, product=p, quantity=1)
            for p in products
            for _ in range(2)
        ],
        thresholds(products[0]),
        thresholds(products[2]),
        flip(products[1]),
        lambda: [set_default(n) for n in (30, 3, 22, 10)],
        lambda: [
            stock_receive(store=b, product=products[3], quantity=1, unit_cost="1.00")
            for _ in range(4)
        ],
    ]
    results = run_together(jobs)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert {t.store_id: (t.low, t.out) for t in StoreTotal.objects.all()} == {
        store: figures for store, figures in alert_recount().items()
    }
    assert stock_alerts().violations == []
    assert_stock_books_ok()

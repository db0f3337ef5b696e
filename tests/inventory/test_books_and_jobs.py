"""The stock invariant in check_books, the daily low-stock digest, and the demo data."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django_q.models import Schedule

from apps.catalog.models import Product
from apps.core.jobs import schedules_ensure
from apps.inventory.books import movement_chain, stock_levels_match_movements
from apps.inventory.models import StockLevel, StockMovement
from apps.inventory.services import stock_receive, stock_remove, stock_transfer
from apps.inventory.tasks import low_stock_digest_task
from tests.catalog.factories import ProductFactory

from .conftest import assert_stock_books_ok

pytestmark = pytest.mark.django_db


def test_books_hold_after_every_kind_of_movement(stores):
    product = ProductFactory()
    stock_receive(store=stores[0], product=product, quantity=9)
    stock_transfer(from_store=stores[0], to_store=stores[1], product=product, quantity=4)
    stock_remove(store=stores[1], product=product, quantity=1, reason="damaged")
    result = stock_levels_match_movements()
    assert (result.counted, result.violations) == (2, [])
    assert (movement_chain().counted, movement_chain().violations) == (4, [])


def test_a_level_that_drifted_from_its_movements_is_reported(stores):
    product = ProductFactory()
    stock_receive(store=stores[0], product=product, quantity=5)
    StockLevel.objects.filter(store=stores[0]).update(quantity=F("quantity") + 2)
    assert stock_levels_match_movements().violations == [
        f"store {stores[0].pk} product {product.pk}: level 7, movements sum to 5"
    ]


def test_movements_without_a_level_and_a_broken_chain_are_reported(stores):
    product = ProductFactory(sku="TEA-1")
    stock_receive(store=stores[0], product=product, quantity=5)
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                store=stores[0],
                product=product,
                movement_type="receipt",
                quantity=1,
                previous_quantity=2,  # the chain says 5
                new_quantity=3,
                product_sku="TEA-1",
                product_name="x",
            ),
            StockMovement(
                store=stores[1],
                product=product,
                movement_type="receipt",
                quantity=4,
                previous_quantity=0,
                new_quantity=4,
                product_sku="TEA-1",
                product_name="x",
            ),
        ]
    )
    broken = StockMovement.objects.get(previous_quantity=2)
    assert movement_chain().violations == [
        f"movement {broken.pk} (TEA-1 @ store {stores[0].pk}): starts at 2, previous ended at 5"
    ]
    assert stock_levels_match_movements().violations == [
        f"store {stores[0].pk} product {product.pk}: level 5, movements sum to 6",
        f"store {stores[1].pk} product {product.pk}: no level, movements sum to 4",
    ]


def test_check_books_command_lists_the_stock_checks(stores):
    stock_receive(store=stores[0], product=ProductFactory(), quantity=1)
    out = StringIO()
    call_command("check_books", stdout=out)
    text = out.getvalue()
    assert "OK   inventory.stock_levels_match_movements: 1 checked, 0 violations" in text
    assert "OK   inventory.movement_chain: 1 checked, 0 violations" in text


def test_digest_emails_admin_and_warehouse_the_low_rows(stores, make_user):
    make_user("Admin", email="ada@example.test")
    make_user("Warehouse", email="wes@example.test")
    make_user("Warehouse", email="gone@example.test", is_active=False)
    make_user("Sales", email="sam@example.test")
    low = ProductFactory(sku="LOW-1", name="Low tea", low_stock_threshold=5)
    fine = ProductFactory(sku="OK-1")
    stock_receive(store=stores[0], product=low, quantity=2)
    stock_receive(store=stores[1], product=low, quantity=1)
    stock_remove(store=stores[1], product=low, quantity=1, reason="lost")
    stock_receive(store=stores[0], product=fine, quantity=50)
    assert low_stock_digest_task() == {"low": 2, "sent": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.test", "wes@example.test"]
    message = mail.outbox[0]
    assert message.subject == "Low stock: 2 items at or below alert level"
    assert "- LOW-1 Low tea @ Store B: 0 (alert at 5) OUT OF STOCK" in message.body
    assert "- LOW-1 Low tea @ Store A: 2 (alert at 5)" in message.body
    assert "OK-1" not in message.body
    assert "/inventory/low-stock/" in message.body
    html = message.alternatives[0][0]
    assert "<td>LOW-1</td>" in html


def test_no_digest_when_nothing_is_low(stores, make_user):
    make_user("Warehouse")
    stock_receive(store=stores[0], product=ProductFactory(), quantity=50)
    assert low_stock_digest_task() == {"low": 0, "sent": 0}
    assert mail.outbox == []


def test_digest_is_a_daily_schedule():
    schedules_ensure()
    schedule = Schedule.objects.get(name="backoffice:low-stock-digest")
    assert (schedule.func, schedule.schedule_type) == (
        "apps.inventory.tasks.low_stock_digest_task",
        Schedule.DAILY,
    )


def seed(scale=None):
    out = StringIO()
    from apps.accounts import demo as accounts_demo
    from apps.catalog import demo as catalog_demo
    from apps.core import demo as core_demo
    from apps.finance import demo as finance_demo
    from apps.inventory import demo as inventory_demo

    for module in (core_demo, accounts_demo, finance_demo, catalog_demo, inventory_demo):
        module.seed(stdout=out)
    if scale:
        from apps.catalog import demo_scale as catalog_scale
        from apps.inventory import demo_scale as inventory_scale

        catalog_scale.seed_scale(scale=scale, stdout=out)
        inventory_scale.seed_scale(scale=scale, stdout=out)
    return out.getvalue()


def test_demo_data_is_idempotent_and_balanced():
    text = seed()
    assert "50 products in 6 categories" in text
    assert Product.objects.count() == 50
    assert StockLevel.objects.values("store").distinct().count() == 3
    movements = StockMovement.objects.count()
    assert movements > 300
    assert set(StockMovement.objects.values_list("movement_type", flat=True)) >= {
        "receipt",
        "transfer_out",
        "transfer_in",
        "manual_removal",
        "adjustment",
    }
    assert StockLevel.objects.filter(quantity=0).exists()  # some alerts to show
    assert Product.objects.get(sku="BEV-001").price_records.count() == 4
    assert seed() == ""  # nothing new the second time
    assert StockMovement.objects.count() == movements
    assert_stock_books_ok()


def test_scale_seed_builds_products_and_about_ten_movements_each():
    seed(scale=40)
    scaled = Product.objects.filter(sku__startswith="SC-")
    assert scaled.count() == 40
    movements = StockMovement.objects.filter(product__in=scaled).count()
    assert 8 * 40 <= movements <= 12 * 40
    times = list(
        StockMovement.objects.filter(product__in=scaled)
        .values_list("created_at", flat=True)
        .order_by("id")
    )
    assert times == sorted(times)  # ids follow time, as in real use
    seed(scale=40)
    assert StockMovement.objects.filter(product__in=scaled).count() == movements
    assert_stock_books_ok()

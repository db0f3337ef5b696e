"""Perpetual stock valuation (DESIGN.md §4.8): exact values on levels, movements, order
lines and the journal entries each document posts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from apps.core.books import registered_checks
from apps.inventory.models import MovementReason, MovementType, StockLevel
from apps.inventory.opening_value import REFERENCE, stock_value_open
from apps.inventory.services import (
    stock_adjust,
    stock_receive,
    stock_remove,
    stock_sell,
    stock_transfer,
)
from apps.ledger import chart
from apps.ledger.models import Account, JournalEntry
from apps.ledger.services import Cr, Dr, journal_post
from apps.sales import services as sales
from apps.sales.models import ReturnDisposition
from tests.catalog.factories import ProductFactory
from tests.sales.factories import make_order, rate

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def tea(db):
    return ProductFactory(sku="TEA-1", name="Green tea", cost_price=D("2.50"))


def balance(code: str) -> Decimal:
    return Account.objects.get(code=code).balance


def lines_of(entry) -> list[tuple[str, Decimal, Decimal]]:
    return [(line.account.code, line.debit, line.credit) for line in entry.lines.all()]


def level_of(store, product) -> tuple[int, Decimal, Decimal]:
    row = StockLevel.objects.get(store=store, product=product)
    return row.quantity, row.value, row.unit_cost


def stock_value_check():
    [check] = [c for c in registered_checks() if c.name == "inventory.stock_value"]
    return check.func()


def test_a_receipt_posts_inventory_against_stock_received_not_billed(stores, tea):
    movement = stock_receive(store=stores[0], product=tea, quantity=4, unit_cost="3.125")
    assert (movement.unit_cost, movement.value) == (D("3.1250"), D("12.50"))
    assert level_of(stores[0], tea) == (4, D("12.50"), D("3.1250"))
    [entry] = JournalEntry.objects.for_source(movement)
    assert lines_of(entry) == [
        (chart.INVENTORY, D("12.50"), D("0")),
        (chart.STOCK_RECEIVED_NOT_BILLED, D("0"), D("12.50")),
    ]
    assert entry.memo == "Receipt +4 × TEA-1 @ A"
    assert (balance(chart.INVENTORY), balance(chart.STOCK_RECEIVED_NOT_BILLED)) == (
        D("12.50"),
        D("12.50"),
    )


def test_the_default_unit_cost_is_the_product_cost_in_the_base_currency(stores):
    rate("EUR", "1.1")
    euro_tea = ProductFactory(cost_price=D("10.00"), currency_id="EUR")
    movement = stock_receive(store=stores[0], product=euro_tea, quantity=3)
    assert (movement.unit_cost, movement.value) == (D("11.0000"), D("33.00"))
    plain = stock_receive(store=stores[0], product=ProductFactory(cost_price=D("6.00")), quantity=2)
    assert (plain.unit_cost, plain.value) == (D("6.0000"), D("12.00"))


def test_a_product_without_a_rate_needs_its_cost_typed(stores):
    rate_less = ProductFactory(currency_id="EUR")
    with pytest.raises(ValidationError) as info:
        stock_receive(store=stores[0], product=rate_less, quantity=1)
    assert list(info.value.message_dict) == ["unit_cost"]
    assert info.value.message_dict["unit_cost"][0].endswith("Enter the unit cost in USD.")
    assert not StockLevel.objects.filter(product=rate_less).exists()
    movement = stock_receive(store=stores[0], product=rate_less, quantity=1, unit_cost="4")
    assert movement.value == D("4.00")


@pytest.mark.parametrize(
    ("cost", "message"),
    [
        ("-1", "A unit cost cannot be negative."),
        ("1.23456", "Use at most 4 decimal places."),
        ("abc", "Not a number: 'abc'"),
    ],
)
def test_a_bad_unit_cost_is_an_error_on_the_field_and_changes_nothing(stores, tea, cost, message):
    with pytest.raises(ValidationError) as info:
        stock_receive(store=stores[0], product=tea, quantity=1, unit_cost=cost)
    assert info.value.message_dict == {"unit_cost": [message]}
    assert not StockLevel.objects.filter(product=tea).exists()
    assert balance(chart.INVENTORY) == D("0")


def test_issues_take_their_share_and_the_last_units_take_the_rest(stores, tea):
    stock_receive(store=stores[0], product=tea, quantity=3, unit_cost="3.3333")
    assert level_of(stores[0], tea) == (3, D("10.00"), D("3.3333"))
    first = stock_remove(
        store=stores[0], product=tea, quantity=1, movement_type=MovementType.SALE, reference="S1"
    )
    assert (first.unit_cost, first.value) == (D("3.3333"), D("-3.33"))
    assert level_of(stores[0], tea) == (2, D("6.67"), D("3.3350"))
    [entry] = JournalEntry.objects.for_source(first)
    assert lines_of(entry) == [
        (chart.INVENTORY, D("0"), D("3.33")),
        (chart.COGS, D("3.33"), D("0")),
    ]
    last = stock_remove(
        store=stores[0], product=tea, quantity=2, reason=MovementReason.DAMAGED, reference="R1"
    )
    assert last.value == D("-6.67")
    assert level_of(stores[0], tea) == (0, D("0.00"), D("3.3350"))  # keeps its last average
    assert balance(chart.INVENTORY) == D("0.00")
    assert (balance(chart.COGS), balance(chart.STOCK_ADJUSTMENTS)) == (D("3.33"), D("6.67"))
    assert stock_value_check().violations == []


def test_receipts_at_different_costs_average(stores, tea):
    stock_receive(store=stores[0], product=tea, quantity=3, unit_cost="3.00")
    stock_receive(store=stores[0], product=tea, quantity=1, unit_cost="4.00")
    assert level_of(stores[0], tea) == (4, D("13.00"), D("3.2500"))
    stock_receive(store=stores[0], product=tea, quantity=2, unit_cost="3.3333")
    assert level_of(stores[0], tea) == (6, D("19.67"), D("3.2783"))


def test_counts_value_found_units_at_the_average_and_missing_units_leave_at_it(stores, tea):
    stock_receive(store=stores[0], product=tea, quantity=4, unit_cost="1.25")
    up = stock_adjust(
        store=stores[0], product=tea, counted_quantity=6, reason=MovementReason.COUNT_CORRECTION
    )
    assert (up.quantity, up.unit_cost, up.value) == (2, D("1.2500"), D("2.50"))
    [entry] = JournalEntry.objects.for_source(up)
    assert lines_of(entry) == [
        (chart.INVENTORY, D("2.50"), D("0")),
        (chart.STOCK_ADJUSTMENTS, D("0"), D("2.50")),
    ]
    down = stock_adjust(
        store=stores[0], product=tea, counted_quantity=1, reason=MovementReason.LOST
    )
    assert (down.quantity, down.value) == (-5, D("-6.25"))
    assert level_of(stores[0], tea) == (1, D("1.25"), D("1.2500"))
    assert balance(chart.STOCK_ADJUSTMENTS) == D("3.75")  # 6.25 lost - 2.50 found


def test_units_found_on_a_level_that_never_had_a_cost_take_the_product_cost(stores, tea):
    found = stock_adjust(
        store=stores[1], product=tea, counted_quantity=3, reason=MovementReason.COUNT_CORRECTION
    )
    assert (found.unit_cost, found.value) == (D("2.5000"), D("7.50"))


def test_a_transfer_moves_value_between_stores_and_posts_nothing(stores, tea):
    stock_receive(store=stores[0], product=tea, quantity=3, unit_cost="3.3333")
    stock_receive(store=stores[1], product=tea, quantity=1, unit_cost="5.00")
    entries = JournalEntry.objects.count()
    out, into = stock_transfer(from_store=stores[0], to_store=stores[1], product=tea, quantity=1)
    assert (out.value, into.value, into.unit_cost) == (D("-3.33"), D("3.33"), D("3.3333"))
    assert level_of(stores[0], tea) == (2, D("6.67"), D("3.3350"))
    assert level_of(stores[1], tea) == (2, D("8.33"), D("4.1650"))
    assert JournalEntry.objects.count() == entries
    assert balance(chart.INVENTORY) == D("15.00")
    assert stock_value_check().violations == []


def test_opening_stock_posts_against_opening_balance_equity(stores, tea):
    movement = stock_receive(store=stores[0], product=tea, quantity=10, opening=True)
    [entry] = JournalEntry.objects.for_source(movement)
    assert lines_of(entry) == [
        (chart.INVENTORY, D("25.00"), D("0")),
        (chart.OPENING_BALANCE_EQUITY, D("0"), D("25.00")),
    ]
    assert entry.memo == "Opening stock Receipt +10 × TEA-1 @ A"


def test_goods_at_cost_zero_move_without_an_entry(stores, tea):
    movement = stock_receive(store=stores[0], product=tea, quantity=2, unit_cost="0")
    assert movement.value == D("0.00")
    assert not JournalEntry.objects.for_source(movement).exists()


def test_stock_sell_posts_one_entry_for_all_lines(stores, tea):
    cup = ProductFactory(sku="CUP-1", cost_price=D("1.10"))
    stock_receive(store=stores[0], product=tea, quantity=5)
    stock_receive(store=stores[0], product=cup, quantity=5)
    movements = stock_sell(store=stores[0], lines=[(tea, 2), (cup, 3)], reference="SO-1")
    assert [m.value for m in movements] == [D("-5.00"), D("-3.30")]
    [entry] = JournalEntry.objects.filter(reference="SO-1")
    assert lines_of(entry) == [
        (chart.INVENTORY, D("0"), D("8.30")),
        (chart.COGS, D("8.30"), D("0")),
    ]


# --- orders and returns ------------------------------------------------------------------


@pytest.fixture
def sold(stores, tea):
    """An order for 3 tea (average 3.3333: 10.00 for 3) and 2 cups, confirmed."""
    cup = ProductFactory(sku="CUP-1", cost_price=D("1.10"), selling_price=D("4.00"))
    stock_receive(store=stores[0], product=tea, quantity=6, unit_cost="3.3333")  # 20.00
    stock_receive(store=stores[0], product=cup, quantity=2)
    order = make_order(store=stores[0], lines=[(tea, 3), (cup, 2)])
    return sales.order_confirm(order=order)


def test_confirming_an_order_snapshots_the_cost_and_posts_cost_of_goods_sold(sold, stores, tea):
    lines = {line.product_sku: line for line in sold.lines.all()}
    assert (lines["TEA-1"].unit_cost, lines["TEA-1"].cost) == (D("3.3333"), D("10.00"))
    assert (lines["CUP-1"].unit_cost, lines["CUP-1"].cost) == (D("1.1000"), D("2.20"))
    [entry] = JournalEntry.objects.for_source(sold)
    assert entry.reference == sold.number
    assert lines_of(entry) == [
        (chart.INVENTORY, D("0"), D("12.20")),
        (chart.COGS, D("12.20"), D("0")),
    ]
    assert level_of(stores[0], tea) == (3, D("10.00"), D("3.3333"))


def test_a_restocked_return_reverses_the_sale_cost_in_shares_that_add_up(sold, stores, tea):
    tea_line = sold.lines.get(product_sku="TEA-1")
    stock_receive(store=stores[0], product=tea, quantity=1, unit_cost="9.00")  # average moves
    first = sales.return_create(
        order=sold,
        quantities={tea_line.pk: 1},
        reason="Too strong",
        disposition=ReturnDisposition.RESTOCK,
    )
    assert first.lines.get().cost == D("3.33")
    [entry] = JournalEntry.objects.for_source(first)
    assert lines_of(entry) == [
        (chart.INVENTORY, D("3.33"), D("0")),
        (chart.COGS, D("0"), D("3.33")),
    ]
    second = sales.return_create(
        order=sold,
        quantities={tea_line.pk: 2},
        reason="Too strong",
        disposition=ReturnDisposition.RESTOCK,
    )
    assert second.lines.get().cost == D("6.67")  # 3.33 + 6.67 = the 10.00 sold
    assert level_of(stores[0], tea) == (7, D("29.00"), D("4.1429"))
    assert balance(chart.COGS) == D("2.20")  # only the cups remain sold
    assert stock_value_check().violations == []


def test_a_written_off_return_keeps_the_cost_of_goods_sold(sold):
    cup_line = sold.lines.get(product_sku="CUP-1")
    doc = sales.return_create(
        order=sold,
        quantities={cup_line.pk: 1},
        reason="Broken",
        disposition=ReturnDisposition.WRITE_OFF,
    )
    assert doc.lines.get().cost == D("0")
    assert not JournalEntry.objects.for_source(doc).exists()
    assert balance(chart.COGS) == D("12.20")


def test_cancelling_a_confirmed_order_brings_the_cost_back(sold, stores, tea):
    sales.order_cancel(order=sold, reason="Customer changed mind")
    assert balance(chart.COGS) == D("0.00")
    assert level_of(stores[0], tea) == (6, D("20.00"), D("3.3333"))
    assert balance(chart.INVENTORY) == D("22.20")
    entries = JournalEntry.objects.for_source(sold).order_by("posted_at")
    assert [e.memo for e in entries] == [
        f"Cost of goods sold {sold.number}",
        f"Cost of goods returned {sold.number}",
    ]


def test_confirming_costs_the_same_statements_for_one_line_as_for_six(stores):
    """A confirm's statements do not grow with its lines: one conditional UPDATE of every
    level, one of the products' on-hand totals, one upsert of the store's totals (on
    PostgreSQL these three are one statement), one INSERT of the movements, one of their
    audit events and the order's, one journal entry, one UPDATE of the lines' cost
    snapshots, one INSERT of the daily sales figures (before: three more per line)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.sales.test_services import CONFIRM_STATEMENTS

    products = [ProductFactory(sku=f"Q-{i}") for i in range(6)]
    for product in products:
        stock_receive(store=stores[0], product=product, quantity=10)
    counts = []
    for size in (1, 6):
        order = make_order(store=stores[0], lines=[(p, 1) for p in products[:size]])
        with CaptureQueriesContext(connection) as queries:
            sales.order_confirm(order=order)
        counts.append(len(queries))
    expected = CONFIRM_STATEMENTS[connection.vendor]
    assert counts == [expected, expected]


# --- check_books -------------------------------------------------------------------------


def test_a_tampered_level_value_is_reported_exactly(stores, tea):
    stock_receive(store=stores[0], product=tea, quantity=4, unit_cost="3.125")
    StockLevel.objects.filter(product=tea).update(value=D("12.49"))
    store, product = stores[0].pk, tea.pk
    assert stock_value_check().violations == [
        f"store {store} product {product}: unit cost 3.1250, value 12.49 / 4 units = 3.1225",
        "Inventory account 1200: balance 12.50, stock levels are worth 12.49 (off by 0.01)",
    ]


def test_a_posting_to_inventory_without_stock_is_reported(stores, tea):
    stock_receive(store=stores[0], product=tea, quantity=2)
    journal_post(
        date=dt.date(2026, 3, 1),
        memo="forged",
        lines=[Dr(chart.INVENTORY, "1"), Cr(chart.CASH, "1")],
    )
    assert stock_value_check().violations == [
        "Inventory account 1200: balance 6.00, stock levels are worth 5.00 (off by 1.00)"
    ]


# --- stock from before valuation (data migration inventory 0004) -------------------------


def test_existing_stock_is_valued_once_at_product_cost(stores, tea):
    rate("EUR", "1.2")
    euro = ProductFactory(cost_price=D("0.35"), currency_id="EUR")
    StockLevel.objects.create(store=stores[0], product=tea, quantity=4)
    StockLevel.objects.create(store=stores[1], product=euro, quantity=3)
    StockLevel.objects.create(store=stores[2], product=euro, quantity=0)
    assert stock_value_open(apps.get_model) == D("11.26")  # 4 x 2.50 + 3 x 0.42
    assert level_of(stores[1], euro) == (3, D("1.26"), D("0.4200"))
    [entry] = JournalEntry.objects.filter(reference=REFERENCE)
    assert lines_of(entry) == [
        (chart.INVENTORY, D("11.26"), D("0")),
        (chart.OPENING_BALANCE_EQUITY, D("0"), D("11.26")),
    ]
    assert entry.total == D("11.26")  # the entry's stored amount (ledger.entry_totals)
    assert stock_value_open(apps.get_model) == D("0")  # twice posts once
    assert JournalEntry.objects.filter(reference=REFERENCE).count() == 1
    assert balance(chart.INVENTORY) == D("11.26")
    assert stock_value_check().violations == []

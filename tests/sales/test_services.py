import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.audit import events_for
from apps.core.models import AuditEvent, CompanySettings, NumberSequence
from apps.inventory.models import MovementType, StockLevel, StockMovement
from apps.invoicing.selectors import customer_exposure
from apps.sales import services
from apps.sales.models import Coupon, CouponKind, Order, OrderStatus, ReturnDisposition
from apps.sales.services import CreditLimitExceeded, OrderError, StockShortage
from tests.inventory.factories import StoreFactory

from .conftest import assert_sales_books_ok
from .factories import currency, make_customer, make_order, make_product, rate, stocked, tax

pytestmark = pytest.mark.django_db
CONFIRM_STATEMENTS = {"sqlite": 16, "postgresql": 9}

D = Decimal


def level(store, product) -> int:
    return (
        StockLevel.objects.filter(store=store, product=product)
        .values_list("quantity", flat=True)
        .first()
        or 0
    )


# --- numbering, prices, totals -----------------------------------------------------------


def test_numbers_are_gapless_per_year_and_a_failed_create_takes_none(customer, store):
    first = services.order_create(customer=customer, store=store, order_date=dt.date(2026, 3, 1))
    with pytest.raises(OrderError, match="No exchange rate for EUR"):
        services.order_create(
            customer=customer, store=store, currency=currency("EUR"), order_date=dt.date(2026, 3, 2)
        )
    second = services.order_create(customer=customer, store=store, order_date=dt.date(2026, 4, 1))
    other_year = services.order_create(
        customer=customer, store=store, order_date=dt.date(2025, 12, 31)
    )
    assert [first.number, second.number, other_year.number] == [
        "SO-2026-00001",
        "SO-2026-00002",
        "SO-2025-00001",
    ]
    assert Order.objects.count() == 3
    assert NumberSequence.objects.get(name="SO-2026").last_value == 2


def test_default_price_is_converted_at_the_rate_on_the_order_date(customer, store):
    rate("EUR", "1.10", dt.date(2026, 1, 1))
    rate("EUR", "1.20", dt.date(2026, 2, 1))
    product = make_product("10.00", currency=currency("EUR"))
    january = make_order(customer, store, [(product, 1)], order_date=dt.date(2026, 1, 31))
    february = make_order(customer, store, [(product, 1)], order_date=dt.date(2026, 2, 1))
    assert january.lines.get().unit_price == D("11.00")  # 10 EUR x 1.10 USD/EUR
    assert february.lines.get().unit_price == D("12.00")
    # an order in JPY (0 decimals) of a EUR product: 10 x 1.20 / 0.0067 = 1791.04... -> 1791
    rate("JPY", "0.0067", dt.date(2026, 1, 1))
    yen = make_order(
        customer, store, [(product, 1)], currency=currency("JPY"), order_date=dt.date(2026, 2, 2)
    )
    assert yen.lines.get().unit_price == D("1791")
    assert yen.exchange_rate == D("0.0067")
    assert yen.total_base == D("12.00")  # 1791 x 0.0067 = 11.9997 -> 12.00


def test_totals_are_sums_of_lines_rounded_per_line(customer, store):
    a = make_product("10.00", tax_rate=tax("20"))
    b = make_product("0.99", tax_rate=tax("5"))
    order = make_order(customer, store, [(a, 3, {"discount_percent": D("10")}), (b, 1)])
    line_a, line_b = order.lines.order_by("position")
    assert (line_a.gross, line_a.discount, line_a.net, line_a.tax, line_a.total) == (
        D("30.00"),
        D("3.00"),
        D("27.00"),
        D("5.40"),
        D("32.40"),
    )
    assert (line_b.net, line_b.tax, line_b.total) == (
        D("0.99"),
        D("0.05"),
        D("1.04"),
    )  # 0.0495 -> 0.05
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        D("30.99"),
        D("3.00"),
        D("5.45"),
        D("33.44"),
    )


def test_adding_a_product_again_raises_its_quantity(customer, store, widget):
    order = make_order(customer, store, [(widget, 2), (widget, 3)])
    assert [(line.product_sku, line.quantity) for line in order.lines.all()] == [("WID-1", 5)]
    assert order.total == D("50.00")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity": 0}, "quantity", "at least 1"),
        ({"quantity": -3}, "quantity", "at least 1"),
        ({"quantity": "2"}, "quantity", "whole number"),
        ({"discount_percent": D("100.01")}, "discount_percent", "between 0 and 100"),
        ({"discount_percent": D("-1")}, "discount_percent", "between 0 and 100"),
        ({"unit_price": D("1.234")}, "unit_price", "at most 2 decimal places"),
        ({"unit_price": D("-1")}, "unit_price", "cannot be negative"),
        ({"unit_price": 1.5}, "unit_price", "never float"),
    ],
)
def test_bad_line_input_is_a_clear_error_and_changes_nothing(
    customer, store, widget, changes, field, message
):
    order = make_order(customer, store, [(widget, 2)])
    line = order.lines.get()
    with pytest.raises(OrderError) as info:
        services.order_line_update(line=line, **changes)
    assert message in " ".join(info.value.message_dict[field])
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.quantity, line.unit_price, line.discount_percent, order.total) == (
        2,
        D("10.00"),
        D("0.00"),
        D("20.00"),
    )


def test_unknown_or_inactive_product_cannot_be_added(customer, store):
    order = make_order(customer, store)
    with pytest.raises(OrderError, match="Choose a product"):
        services.order_line_add(order=order, product=None, quantity=1)
    retired = make_product(active=False)
    with pytest.raises(OrderError, match="not available for sale"):
        services.order_line_add(order=order, product=retired, quantity=1)
    assert not order.lines.exists()


def test_yen_prices_take_no_decimals(customer, store, widget):
    rate("JPY", "0.0067")
    order = make_order(customer, store, [(widget, 1)], currency=currency("JPY"))
    with pytest.raises(OrderError, match="JPY prices have at most 0 decimal places"):
        services.order_line_update(line=order.lines.get(), unit_price=D("1500.5"))


def test_a_three_decimal_currency_is_refused_for_orders(customer, store):
    rate("KWD", "3.25")
    with pytest.raises(OrderError, match="KWD has 3 decimal places"):
        services.order_create(customer=customer, store=store, currency=currency("KWD"))
    assert not Order.objects.exists()


# --- confirm ----------------------------------------------------------------------------


def test_confirm_takes_stock_with_one_sale_movement_per_line(customer, store, widget):
    gadget = stocked(store, make_product("4.00", sku="GAD-1"), 5)
    order = make_order(customer, store, [(widget, 3), (gadget, 5)])
    services.order_confirm(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.confirmed_at is not None
    assert (level(store, widget), level(store, gadget)) == (17, 0)
    sales = StockMovement.objects.filter(reference=order.number).order_by("product_sku")
    assert [(m.movement_type, m.product_sku, m.quantity) for m in sales] == [
        (MovementType.SALE, "GAD-1", -5),
        (MovementType.SALE, "WID-1", -3),
    ]
    assert [e.event for e in events_for(order)][0] == "order.confirmed"
    assert_sales_books_ok()


def test_an_order_event_lists_its_movements_and_they_write_no_event_each(customer, store, widget):
    """The order's confirmation and cancellation events say, for each movement, what moved
    (who and when are the event's and the movement row's): no stock.sale or stock.return
    event of their own (one event a document, not one more a movement)."""
    gadget = stocked(store, make_product("4.00", sku="GAD-1"), 5)
    order = make_order(customer, store, [(widget, 3), (gadget, 5)])
    services.order_confirm(order=order)
    services.order_cancel(order=order, reason="Customer called")
    moves = list(StockMovement.objects.filter(reference=order.number).order_by("id"))
    told = {
        e.event: e.changes["movements"]
        for e in events_for(order).filter(event__in=["order.confirmed", "order.cancelled"])
    }
    assert told == {
        "order.confirmed": [
            {"id": moves[0].pk, "store": "MAIN", "sku": "WID-1", "quantity": -3,
             "level": [20, 17], "unit_cost": "6.0000", "value": "-18.00"},
            {"id": moves[1].pk, "store": "MAIN", "sku": "GAD-1", "quantity": -5,
             "level": [5, 0], "unit_cost": "6.0000", "value": "-30.00"},
        ],
        "order.cancelled": [
            {"id": moves[2].pk, "store": "MAIN", "sku": "WID-1", "quantity": 3,
             "level": [17, 20], "unit_cost": "6.0000", "value": "18.00"},
            {"id": moves[3].pk, "store": "MAIN", "sku": "GAD-1", "quantity": 5,
             "level": [0, 5], "unit_cost": "6.0000", "value": "30.00"},
        ],
    }  # fmt: skip
    assert not AuditEvent.objects.filter(event__startswith="stock.", object_id__in=[
        str(m.pk) for m in moves
    ]).exists()  # fmt: skip
    # a movement without a document event still writes its own
    assert events_for(StockMovement.objects.exclude(reference=order.number).first())


def test_confirm_is_all_or_nothing_and_names_every_short_line(customer, store, widget):
    short_a = stocked(store, make_product(sku="SHORT-A", name="Alpha"), 1)
    short_b = make_product(sku="SHORT-B", name="Beta")  # never stocked
    order = make_order(customer, store, [(widget, 5), (short_a, 2), (short_b, 4)])
    with pytest.raises(StockShortage) as info:
        services.order_confirm(order=order)
    text = info.value.messages
    assert text[0] == "Not enough stock for 2 lines; nothing was confirmed."
    assert text[1:] == [
        "SHORT-A (Alpha): 2 ordered, 1 available in Main Store.",
        "SHORT-B (Beta): 4 ordered, 0 available in Main Store.",
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT
    assert (level(store, widget), level(store, short_a)) == (20, 1)
    assert not StockMovement.objects.filter(reference=order.number).exists()


def test_only_drafts_confirm(customer, store, widget):
    order = make_order(customer, store, [(widget, 1)])
    services.order_cancel(order=order, reason="Not needed")
    with pytest.raises(OrderError, match="is cancelled; only drafts can be confirmed"):
        services.order_confirm(order=order)
    empty = make_order(customer, store)
    with pytest.raises(OrderError, match="Add at least one line"):
        services.order_confirm(order=empty)
    assert level(store, widget) == 20


def test_credit_limit_refuses_and_only_an_admin_overrides_with_a_reason(store, widget, make_user):
    customer = make_customer("Tight Ltd", opening_balance=D("50.00"), credit_limit=D("100.00"))
    order = make_order(customer, store, [(widget, 6)])  # 60.00: 50 + 60 > 100
    with pytest.raises(CreditLimitExceeded, match="owes 50.00 USD, this order adds 60.00 USD"):
        services.order_confirm(order=order)
    sales = make_user(Role.SALES)
    with pytest.raises(CreditLimitExceeded) as info:
        services.order_confirm(order=order, user=sales, override_reason="Good customer")
    assert info.value.message_dict == {
        "override_reason": ["Only an Admin can override a credit limit."]
    }
    assert level(store, widget) == 20
    admin = make_user(Role.ADMIN)
    services.order_confirm(order=order, user=admin, override_reason="Paid by wire today")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.credit_override_reason == "Paid by wire today"
    event = events_for(order).get(event="order.confirmed")
    assert event.actor == admin and "Overridden: Paid by wire today" in event.message
    # within the limit: no override needed
    small = make_order(make_customer("Roomy", credit_limit=D("1000")), store, [(widget, 1)])
    services.order_confirm(order=small)


def test_open_balance_counts_confirmed_orders_less_returns(store, widget):
    customer = make_customer("Counted", opening_balance=D("5.00"))
    order = make_order(customer, store, [(widget, 3)])
    assert customer_exposure(customer) == D("5.00")
    services.order_confirm(order=order)
    assert customer_exposure(customer) == D("35.00")
    line = order.lines.get()
    services.return_create(
        order=order,
        quantities={line.pk: 1},
        reason="Broken",
        disposition=ReturnDisposition.WRITE_OFF,
    )
    assert customer_exposure(customer) == D("25.00")


# --- cancel and fulfil ------------------------------------------------------------------


def test_cancelling_a_confirmed_order_puts_the_stock_back(customer, store, widget):
    order = make_order(customer, store, [(widget, 4)])
    services.order_confirm(order=order)
    with pytest.raises(OrderError, match="Give a reason"):
        services.order_cancel(order=order, reason="  ")
    services.order_cancel(order=order, reason="Customer called")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "Customer called"
    assert level(store, widget) == 20
    moves = StockMovement.objects.filter(reference=order.number).order_by("id")
    assert [(m.movement_type, m.quantity) for m in moves] == [
        (MovementType.SALE, -4),
        (MovementType.RETURN, 4),
    ]
    assert [e.event for e in events_for(order)][:2] == ["order.cancelled", "order.confirmed"]
    assert_sales_books_ok()


def test_fulfilled_orders_cannot_be_cancelled_and_only_confirmed_orders_fulfil(
    customer, store, widget
):
    order = make_order(customer, store, [(widget, 1)])
    with pytest.raises(OrderError, match="only confirmed orders can be fulfilled"):
        services.order_fulfil(order=order)
    services.order_confirm(order=order)
    services.order_fulfil(order=order)
    with pytest.raises(OrderError, match="cannot be cancelled. Record a return instead"):
        services.order_cancel(order=order, reason="Too late")
    assert Order.objects.get().status == OrderStatus.FULFILLED


# --- returns ----------------------------------------------------------------------------


def test_returns_restock_or_write_off_and_never_exceed_what_was_sold(customer, store, widget):
    shop = StoreFactory(name="Shop", code="SHOP")
    order = make_order(customer, store, [(widget, 3, {"unit_price": D("3.33")})])
    services.order_confirm(order=order)
    services.order_fulfil(order=order)
    line = order.lines.get()
    assert line.total == D("9.99")
    with pytest.raises(
        OrderError, match=r"WID-1: at most 3 can be returned \(3 sold, 0 already returned\)"
    ):
        services.return_create(
            order=order, quantities={line.pk: 4}, reason="x", disposition="restock"
        )
    first = services.return_create(
        order=order,
        quantities={line.pk: 1},
        reason="Damaged",
        disposition=ReturnDisposition.RESTOCK,
        store=shop,
    )
    second = services.return_create(
        order=order,
        quantities={line.pk: 1},
        reason="Broken",
        disposition=ReturnDisposition.WRITE_OFF,
    )
    with pytest.raises(OrderError, match="at most 1 can be returned"):
        services.return_create(
            order=order, quantities={line.pk: 2}, reason="x", disposition="restock"
        )
    third = services.return_create(
        order=order, quantities={line.pk: 1}, reason="Late", disposition="restock"
    )
    assert [first.number, second.number, third.number] == [
        f"RET-{timezone.localdate().year}-0000{n}" for n in (1, 2, 3)
    ]
    assert [r.total for r in (first, second, third)] == [D("3.33"), D("3.33"), D("3.33")]
    order.refresh_from_db()
    line.refresh_from_db()
    assert (line.returned_quantity, order.returned_total) == (3, D("9.99"))
    # one unit restocked to the shop, one written off, one back to the order's store
    assert (level(shop, widget), level(store, widget)) == (1, 18)
    assert_sales_books_ok()


def test_returned_amounts_round_cumulatively_to_the_line_total(customer, store, widget):
    order = make_order(
        customer,
        store,
        [(widget, 3, {"unit_price": D("3.34")})],
    )
    line = order.lines.get()
    services.order_line_update(line=line, unit_price=D("10.00"), discount_percent=D("66.67"))
    services.order_confirm(order=order)
    line.refresh_from_db()
    assert line.total == D("10.00")  # 30.00 - 20.00 discount
    totals = [
        services.return_create(
            order=order, quantities={line.pk: 1}, reason="r", disposition="write_off"
        ).total
        for _ in range(3)
    ]
    assert totals == [D("3.33"), D("3.34"), D("3.33")] and sum(totals) == line.total


def test_returns_need_a_confirmed_order_and_a_reason(customer, store, widget):
    order = make_order(customer, store, [(widget, 2)])
    line = order.lines.get()
    with pytest.raises(OrderError, match="only confirmed or fulfilled orders take returns"):
        services.return_create(
            order=order, quantities={line.pk: 1}, reason="r", disposition="restock"
        )
    services.order_confirm(order=order)
    with pytest.raises(OrderError, match="Give a reason"):
        services.return_create(
            order=order, quantities={line.pk: 1}, reason="", disposition="restock"
        )
    with pytest.raises(OrderError, match="at least one line"):
        services.return_create(
            order=order, quantities={line.pk: 0}, reason="r", disposition="restock"
        )
    with pytest.raises(OrderError, match="does not belong"):
        services.return_create(
            order=order, quantities={999999: 1}, reason="r", disposition="restock"
        )
    with pytest.raises(OrderError, match="has returns"):
        services.return_create(
            order=order, quantities={line.pk: 1}, reason="r", disposition="restock"
        )
        services.order_cancel(order=order, reason="after a return")
    assert level(store, widget) == 19


# --- coupons ----------------------------------------------------------------------------


def make_coupon(code="TEN", kind=CouponKind.PERCENT, value="10", **fields):
    return Coupon.objects.create(code=code, kind=kind, value=D(value), **fields)


def test_percent_coupon_is_spread_over_lines_and_counted_on_confirm(customer, store, widget):
    coupon = make_coupon(max_uses=5)
    other = stocked(store, make_product("0.35", tax_rate=tax("20")), 10)
    order = make_order(customer, store, [(widget, 1), (other, 1)])
    services.order_coupon_set(order=order, code="ten")
    order.refresh_from_db()
    assert order.coupon_code == "TEN"
    lines = list(order.lines.order_by("position"))
    # goods 10.35 -> coupon 1.04 (1.035 rounds half up), split 10.00 : 0.35 -> 1.00 + 0.04
    assert [line.coupon_discount for line in lines] == [D("1.00"), D("0.04")]
    assert lines[1].tax == D("0.06")  # 20 % of 0.31
    assert order.discount_total == D("1.04") and order.total == D("9.37")
    assert Coupon.objects.get().times_used == 0
    services.order_confirm(order=order)
    assert Coupon.objects.get().times_used == 1
    services.order_cancel(order=order, reason="undo")
    assert Coupon.objects.get().times_used == 0
    coupon.refresh_from_db()
    assert_sales_books_ok()


def test_fixed_coupon_is_in_base_currency_and_has_a_minimum(customer, store, widget):
    make_coupon("FIVE", CouponKind.FIXED, "5.00", min_order_total=D("30.00"))
    rate("EUR", "1.25")
    order = make_order(make_customer("Euro Co", "EUR"), store, [(widget, 2)])  # 10 USD = 8 EUR each
    assert order.subtotal == D("16.00")
    with pytest.raises(
        OrderError, match="needs goods worth at least 30.00 USD; this order has 20.00 USD"
    ):
        services.order_coupon_set(order=order, code="FIVE")
    services.order_line_update(line=order.lines.get(), quantity=4)
    order = services.order_coupon_set(order=order, code="FIVE")
    assert (order.subtotal, order.discount_total, order.total) == (
        D("32.00"),
        D("4.00"),
        D("28.00"),
    )
    # going under the minimum again keeps the coupon on the draft but refuses to confirm
    services.order_line_update(line=order.lines.get(), quantity=2)
    order.refresh_from_db()
    assert order.discount_total == D("0.00")
    with pytest.raises(OrderError, match="needs goods worth at least"):
        services.order_confirm(order=order)


def test_expired_inactive_and_unknown_coupons_are_refused(customer, store, widget):
    make_coupon("OLD", valid_to=dt.date(2020, 1, 31))
    make_coupon("SOON", valid_from=dt.date(2099, 1, 1))
    make_coupon("OFF", active=False)
    make_coupon("GONE", max_uses=1)
    Coupon.objects.filter(code="GONE").update(times_used=1)
    order = make_order(customer, store, [(widget, 1)])
    for code, message in [
        ("OLD", "expired on 2020-01-31"),
        ("SOON", "valid from 2099-01-01"),
        ("OFF", "not active"),
        ("GONE", "used up"),
        ("NOPE", "No coupon with code"),
    ]:
        with pytest.raises(OrderError, match=message):
            services.order_coupon_set(order=order, code=code)
    order.refresh_from_db()
    assert order.coupon is None and order.total == D("10.00")


# --- portal -----------------------------------------------------------------------------


def test_portal_orders_arrive_as_drafts_or_confirm_when_the_company_says_so(
    customer, store, widget
):
    outcome = services.portal_order_place(customer=customer, items=[(widget, 2)], reference="PO-1")
    assert outcome.order.status == OrderStatus.DRAFT and not outcome.confirmed
    assert outcome.order.source == "portal" and outcome.order.reference == "PO-1"
    company = CompanySettings.load()
    company.portal_orders_auto_confirm = True
    company.save()
    confirmed = services.portal_order_place(customer=customer, items=[(widget, 3)])
    assert confirmed.confirmed and confirmed.order.status == OrderStatus.CONFIRMED
    assert level(store, widget) == 17
    refused = services.portal_order_place(customer=customer, items=[(widget, 50)])
    assert not refused.confirmed and refused.order.status == OrderStatus.DRAFT
    assert "Not enough stock" in refused.problem
    assert level(store, widget) == 17
    assert_sales_books_ok()


def test_confirm_costs_a_fixed_number_of_statements_whatever_its_lines(
    customer, store, django_assert_num_queries
):
    products = [stocked(store, make_product(sku=f"Q-{n}"), 10) for n in range(5)]
    order = make_order(customer, store, [(p, 1) for p in products])
    # savepoint, order lock (PostgreSQL: its own SELECT ... FOR UPDATE first, so the lines
    # are read after any writer it waited for), the order with its lines (one SELECT), lock levels (a missing one is a
    # shortage: nothing to create), one UPDATE of every level, the products' on-hand totals,
    # the store's totals upsert (PostgreSQL: these three in one statement), movements
    # INSERT, their audit events and the order's INSERT, journal entry (accounts with the
    # base currency, entry, lines, balances; PostgreSQL: the last three in one statement),
    # lines' cost UPDATE, the daily sales figures INSERT, status, release: 16 on SQLite, 13
    # on PostgreSQL, for any number of lines
    with django_assert_num_queries(CONFIRM_STATEMENTS[connection.vendor]):
        services.order_confirm(order=order)


def test_header_update_records_only_what_changed(customer, store):
    order = make_order(customer, store)
    services.order_update(order=order, store=store, reference="PO-1 ", notes="")
    event = events_for(order).get(event="order.updated")
    assert event.changes == {"reference": ["", "PO-1"]}
    services.order_update(order=order, store=store, reference="PO-1")
    assert events_for(order).filter(event="order.updated").count() == 1

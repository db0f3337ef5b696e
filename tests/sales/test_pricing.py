"""Totals and rounding, checked by hypothesis against a plain reference computation."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.finance import money
from apps.finance.models import ExchangeRate
from apps.sales import services
from apps.sales.books import order_totals
from apps.sales.pricing import CouponTerms, LineInput, order_amounts, returned_share

from .factories import currency, make_customer, make_product, tax

RATES = {"EUR": "1.085", "JPY": "0.0067"}
TAXES = [Decimal(t) for t in ("0", "5", "7.5", "8.875", "19.6", "20", "25")]


def places(minor: int) -> Decimal:
    return Decimal(1).scaleb(-minor)


def reference_round(value: Decimal, minor: int) -> Decimal:
    return value.quantize(places(minor), rounding=ROUND_HALF_UP)


@st.composite
def lines(draw, minor: int):
    count = draw(st.integers(1, 8))
    cents = 10**minor
    return [
        LineInput(
            quantity=draw(st.integers(1, 5000)),
            unit_price=Decimal(draw(st.integers(0, 5_000_000))) / cents,
            discount_percent=Decimal(draw(st.integers(0, 10000))) / 100,
            tax_percent=draw(st.sampled_from(TAXES)),
        )
        for _ in range(count)
    ]


@st.composite
def orders(draw):
    minor = draw(st.sampled_from([0, 2]))
    coupon = draw(
        st.one_of(
            st.none(),
            st.builds(CouponTerms, percent=st.integers(0, 100).map(Decimal)),
            st.builds(
                CouponTerms,
                amount=st.integers(0, 10_000_000).map(lambda n: Decimal(n) / 100),
            ),
        )
    )
    return minor, draw(lines(minor)), coupon


@given(orders())
@settings(max_examples=300, deadline=None)
def test_total_is_the_sum_of_lines_each_rounded_under_the_policy(case):
    minor, inputs, coupon = case
    result = order_amounts(inputs, minor_units=minor, coupon=coupon)
    unit = places(minor)
    for line, out in zip(inputs, result.lines, strict=True):
        gross = reference_round(line.quantity * line.unit_price, minor)
        discount = reference_round(gross * line.discount_percent / 100, minor)
        assert (out.gross, out.discount) == (gross, discount)
        assert out.net == gross - discount - out.coupon_discount >= 0
        assert out.tax == reference_round(out.net * line.tax_percent / 100, minor)
        assert out.total == out.net + out.tax
        for value in (out.gross, out.discount, out.coupon_discount, out.net, out.tax, out.total):
            assert value == value.quantize(unit)
    assert result.total == sum(r.total for r in result.lines)
    assert result.subtotal == sum(r.gross for r in result.lines)
    assert result.tax == sum(r.tax for r in result.lines)
    assert result.discount == sum(r.discount + r.coupon_discount for r in result.lines)
    assert sum(r.coupon_discount for r in result.lines) == result.coupon <= result.goods_value
    if coupon is None:
        assert result.coupon == 0


@given(
    amount=st.integers(0, 10_000_000).map(lambda n: Decimal(n) / 100),
    quantity=st.integers(1, 50),
    data=st.data(),
)
@settings(max_examples=200, deadline=None)
def test_returning_every_unit_in_any_steps_gives_back_exactly_the_line(amount, quantity, data):
    steps, left, before = [], quantity, 0
    while left:
        now = data.draw(st.integers(1, left))
        steps.append(
            returned_share(amount=amount, quantity=quantity, before=before, now=now, minor_units=2)
        )
        before += now
        left -= now
    assert sum(steps) == amount


@pytest.mark.django_db
@given(data=st.data())
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_orders_built_through_the_services_pass_the_books(store, data):
    """Random lines in random currencies through the real services: stored totals are the
    sums of the stored lines, and the conversion used the rate of the order's date."""
    code = data.draw(st.sampled_from(["USD", "EUR", "JPY"]))
    day = dt.date(2026, 1, data.draw(st.integers(1, 28)))
    for other, january in RATES.items():
        for date, value in ((dt.date(2026, 1, 1), january), (dt.date(2026, 2, 1), "9")):
            ExchangeRate.objects.get_or_create(
                currency=currency(other), date=date, defaults={"rate": Decimal(value)}
            )
    customer = make_customer(f"C{code}", code)
    order = services.order_create(customer=customer, store=store, order_date=day)
    for _ in range(data.draw(st.integers(1, 4))):
        product = make_product(
            str(Decimal(data.draw(st.integers(1, 100000))) / 100),
            tax_rate=tax(str(data.draw(st.sampled_from([0, 5, 20])))),
        )
        services.order_line_add(
            order=order,
            product=product,
            quantity=data.draw(st.integers(1, 99)),
            discount_percent=Decimal(data.draw(st.integers(0, 100))),
        )
    order.refresh_from_db()
    expected_rate = Decimal(RATES.get(code, "1"))  # January's, never February's
    assert order.exchange_rate == expected_rate
    for line in order.lines.all():
        price = money.convert(
            line.product.selling_price,
            from_rate=Decimal(1),
            to_rate=expected_rate,
            minor_units=currency(code).minor_units,
        )
        assert line.unit_price == price
    assert order.total == sum(line.total for line in order.lines.all())
    assert order.total_base == money.to_base(order.total, expected_rate)
    assert order_totals().violations == []

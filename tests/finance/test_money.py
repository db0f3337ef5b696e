"""The rounding policy, by example and by property (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.finance import money
from apps.finance.money import LineAmounts, MoneyError

D = Decimal


@pytest.mark.parametrize(
    ("amount", "places", "expected"),
    [
        ("2.345", 2, "2.35"),
        ("2.344", 2, "2.34"),
        ("-2.345", 2, "-2.35"),
        ("0.5", 0, "1"),
        ("1.0005", 3, "1.001"),
        ("10", 2, "10.00"),
    ],
)
def test_quantize_is_half_up_away_from_zero(amount, places, expected):
    assert money.quantize(D(amount), places) == D(expected)


@pytest.mark.parametrize("bad", [1.1, "NaN", "Infinity", "-inf", "abc", "", True])
def test_non_money_is_refused(bad):
    with pytest.raises(MoneyError):
        money.to_decimal(bad)


def test_line_amounts_round_each_part():
    line = money.line_amounts(
        quantity=3, unit_price=D("19.99"), discount_percent=D("12.5"), tax_percent=D("20")
    )
    assert line == LineAmounts(
        gross=D("59.97"), discount=D("7.50"), net=D("52.47"), tax=D("10.49"), total=D("62.96")
    )


def test_document_total_is_sum_of_rounded_lines_not_rounded_sum():
    # three lines of 0.333... tax each: per-line rounding gives 0.99, a rounded sum would give 1.00
    lines = [
        money.line_amounts(quantity=1, unit_price=D("1.00"), tax_percent=D("33.3333"))
        for _ in range(3)
    ]
    totals = money.document_totals(lines)
    assert totals.tax == D("0.99")
    assert totals.total == D("3.99")


def test_zero_minor_units_currency():
    line = money.line_amounts(quantity=3, unit_price=D("333"), tax_percent=D("10"), minor_units=0)
    assert (line.net, line.tax, line.total) == (D("999"), D("100"), D("1099"))


def test_discount_above_100_is_refused():
    with pytest.raises(MoneyError, match="between 0 and 100"):
        money.line_amounts(quantity=1, unit_price=D("1"), discount_percent=D("100.01"))


def test_conversion_examples():
    assert money.to_base(D("100.00"), D("1.085")) == D("108.50")
    assert money.from_base(D("108.50"), D("1.085")) == D("100.00")
    assert money.convert(D("100"), from_rate=D("1.27"), to_rate=D("1.085")) == D("117.05")
    with pytest.raises(MoneyError):
        money.from_base(D("1"), D("0"))


def test_has_more_places():
    assert money.has_more_places(D("1.005")) is True
    assert money.has_more_places(D("1.50")) is False
    assert money.has_more_places(D("1.5"), 0) is True


def test_format_money():
    assert money.format_money(D("1234.5"), "EUR") == "1,234.50 EUR"
    assert money.format_money(D("1234.5"), "JPY", 0) == "1,235 JPY"


amounts = st.decimals(
    min_value=D("-1000000"), max_value=D("1000000"), places=4, allow_nan=False, allow_infinity=False
)
prices = st.decimals(
    min_value=D("0"), max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False
)
percents = st.decimals(
    min_value=D("0"), max_value=D("100"), places=3, allow_nan=False, allow_infinity=False
)
rates = st.decimals(
    min_value=D("0.0001"), max_value=D("10000"), places=8, allow_nan=False, allow_infinity=False
)
minor = st.integers(min_value=0, max_value=3)


@given(amounts, minor)
def test_quantize_is_idempotent_and_within_half_a_unit(amount, places):
    once = money.quantize(amount, places)
    assert money.quantize(once, places) == once
    assert abs(once - amount) <= money.exponent(places) / 2
    assert -once.as_tuple().exponent == places


@given(st.integers(min_value=1, max_value=10_000), prices, percents, percents, minor)
def test_line_parts_add_up_exactly(quantity, price, discount, tax, places):
    line = money.line_amounts(
        quantity=quantity,
        unit_price=price,
        discount_percent=discount,
        tax_percent=tax,
        minor_units=places,
    )
    assert line.gross - line.discount == line.net
    assert line.net + line.tax == line.total
    for part in (line.gross, line.discount, line.net, line.tax, line.total):
        assert part == money.quantize(part, places)
    assert D(0) <= line.discount <= line.gross
    assert line.tax >= 0


@given(
    st.lists(st.tuples(st.integers(1, 500), prices, percents, percents), min_size=1, max_size=20)
)
def test_document_totals_equal_sum_of_rounded_lines(raw_lines):
    lines = [
        money.line_amounts(quantity=q, unit_price=p, discount_percent=d, tax_percent=t)
        for q, p, d, t in raw_lines
    ]
    totals = money.document_totals(lines)
    assert totals.total == sum(line.total for line in lines)
    assert totals.subtotal - totals.discount + totals.tax == totals.total


@given(prices, rates)
def test_round_trip_through_base_loses_at_most_the_rounding(amount, rate):
    base = money.to_base(amount, rate)
    back = money.from_base(base, rate)
    # the error of one rounding in base currency, seen in document currency, plus one more rounding
    assert abs(back - amount) <= (D("0.005") / rate) + D("0.005")


@given(prices, rates, rates)
def test_convert_is_rounded_once(amount, r1, r2):
    converted = money.convert(amount, from_rate=r1, to_rate=r2)
    assert converted == money.quantize(amount * r1 / r2)


@given(
    prices,
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(
        lambda w: sum(w) > 0
    ),
)
def test_allocate_sums_exactly(amount, weights):
    parts = money.allocate(amount, weights)
    assert sum(parts) == amount
    assert all(p == money.quantize(p) for p in parts)
    # no part strays more than one cent from its exact share
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - amount * weight / total) < D("0.01")

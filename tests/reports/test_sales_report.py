"""The sales report against the hand-computed scenario (tests/reports/conftest.py)."""

from .conftest import day
from .helpers import compute, figures, rows, totals

ALL = (
    "group",
    "qty",
    "net",
    "tax",
    "gross",
    "ret_qty",
    "ret_net",
    "ret_tax",
    "ret_gross",
    "net_qty",
    "net_net",
    "net_gross",
)


def test_by_month_returns_count_in_the_month_they_happen(sales_scenario):
    result = compute("sales", start=day(6, 1), end=day(7, 31), group_by="month")
    assert rows(result, *ALL) == [
        ("2026-06", 5, "85.00", "11.50", "96.50", 0, "0.00", "0.00", "0.00", 5, "85.00", "96.50"),
        ("2026-07", 0, "0.00", "0.00", "0.00", 1, "10.00", "2.00", "12.00", -1, "-10.00", "-12.00"),
    ]
    assert totals(result, *ALL[1:]) == (
        5,
        "85.00",
        "11.50",
        "96.50",
        1,
        "10.00",
        "2.00",
        "12.00",
        4,
        "75.00",
        "84.50",
    )
    assert figures(result) == {
        "Net sales": "85.00",
        "Returns (net)": "10.00",
        "Net after returns": "75.00",
        "Tax after returns": "9.50",
        "Units sold": 5,
    }
    # June alone never sees the July return
    june = compute("sales", start=day(6, 1), end=day(6, 30), group_by="month")
    assert totals(june, "net", "ret_net", "net_net") == ("85.00", "0.00", "85.00")


def test_by_week_and_day(sales_scenario):
    weeks = compute("sales", start=day(6, 1), end=day(7, 31), group_by="week")
    assert rows(weeks, "group", "net", "ret_net") == [
        ("2026-W23", "30.00", "0.00"),
        ("2026-W25", "55.00", "0.00"),
        ("2026-W27", "0.00", "10.00"),
    ]
    days = compute("sales", start=day(6, 1), end=day(6, 30), group_by="day")
    assert rows(days, "group", "qty", "gross") == [
        ("2026-06-03", 3, "36.00"),
        ("2026-06-15", 2, "60.50"),
    ]


def test_by_product_category_customer_and_store(sales_scenario):
    period = {"start": day(6, 1), "end": day(7, 31)}
    keys = ("group", "qty", "net", "tax", "ret_qty", "ret_net", "net_net", "net_gross")
    product = compute("sales", group_by="product", **period)
    assert rows(product, *keys) == [
        ("Beta", 2, "55.00", "5.50", 0, "0.00", "55.00", "60.50"),
        ("Alpha", 3, "30.00", "6.00", 1, "10.00", "20.00", "24.00"),
    ]
    assert rows(compute("sales", group_by="category", **period), "group", "net_net") == [
        ("Toys", "55.00"),
        ("Tools", "20.00"),
    ]
    assert rows(compute("sales", group_by="customer", **period), "group", "net_net") == [
        ("Euro GmbH", "55.00"),
        ("Acme Retail", "20.00"),
    ]
    assert rows(compute("sales", group_by="store", **period), "group", "net_net") == [
        ("Second Store", "55.00"),
        ("Main Store", "20.00"),
    ]


def test_filters(sales_scenario):
    s = sales_scenario
    period = {"start": day(6, 1), "end": day(7, 31), "group_by": "month"}
    main = compute("sales", store=s.main.pk, **period)
    assert totals(main, "qty", "net", "tax", "ret_net", "net_net") == (
        3,
        "30.00",
        "6.00",
        "10.00",
        "20.00",
    )
    toys = compute("sales", category=s.toys.pk, **period)
    assert totals(toys, "qty", "net", "tax", "gross", "ret_net") == (
        2,
        "55.00",
        "5.50",
        "60.50",
        "0.00",
    )
    euro = compute("sales", customer=s.euro.code, **period)
    assert totals(euro, "net") == ("55.00",)
    assert (
        compute("sales", customer=s.acme.code, **period)["tables"][0]["rows"][1]["ret_net"]
        == "10.00"
    )


def test_unknown_customer_code_is_a_form_error(sales_scenario):
    from apps.reports.forms import SalesReportForm

    form = SalesReportForm(
        data={"start": "2026-06-01", "end": "2026-06-30", "group_by": "month", "customer": "NOPE"}
    )
    assert not form.is_valid()
    assert form.errors["customer"] == ["No customer with this code."]
    form = SalesReportForm(data={"start": "2026-06-30", "end": "2026-06-01", "group_by": "month"})
    assert form.errors["end"] == ["The end date is before the start date."]

"""P&L, balance sheet, gross profit and seller credit against the hand-computed ledger
scenario (tests/reports/conftest.py)."""

from decimal import Decimal

from apps.ledger import chart
from apps.ledger.selectors import account_by_code

from .conftest import day
from .helpers import compute, figures, rows, table, totals


def test_profit_and_loss_june_and_july(ledger_scenario):
    june = compute("profit_loss", start=day(6, 1), end=day(6, 30))
    assert rows(june, "code", "amount", index=0) == [
        (chart.SALES_REVENUE, "85.00"),
        (chart.CHARGE_REVENUE, "20.00"),
    ]
    assert rows(june, "code", "amount", index=1) == [(chart.COGS, "48.00")]
    assert figures(june) == {"Income": "105.00", "Expenses": "48.00", "Net income": "57.00"}

    july = compute("profit_loss", start=day(7, 1), end=day(7, 31))
    assert rows(july, "code", "amount", index=0) == [
        (chart.SALES_RETURNS, "-10.00"),
        (chart.CHARGE_REVENUE, "7.50"),
    ]
    assert rows(july, "code", "amount", index=1) == [(chart.COGS, "-6.00")]
    assert figures(july) == {"Income": "-2.50", "Expenses": "-6.00", "Net income": "3.50"}

    both = compute("profit_loss", start=day(6, 1), end=day(7, 31))
    assert figures(both)["Net income"] == "60.50"
    chart_data = both["charts"][0]
    assert chart_data["labels"] == ["2026-06", "2026-07"]
    assert chart_data["datasets"][2] == {"label": "Net income", "data": [57.0, 3.5]}


def test_balance_sheet_balances_on_every_date(ledger_scenario):
    may = compute("balance_sheet", end=day(5, 31))
    assert figures(may) == {
        "Assets": "1550.00",
        "Liabilities": "50.00",
        "Equity": "1500.00",
        "Assets − liabilities − equity": "0.00",
    }
    june = compute("balance_sheet", end=day(6, 30))
    assert rows(june, "code", "amount", index=0) == [
        (chart.BANK, "1150.00"),
        (chart.AR, "96.50"),
        (chart.INVENTORY, "452.00"),
    ]
    assert rows(june, "code", "amount", index=1) == [
        (chart.SELLER_CREDIT, "130.00"),  # seller 1's 80.00 and seller 2's 50.00, one row
        (chart.TAX_PAYABLE, "11.50"),
    ]
    assert rows(june, "account", "amount", index=2) == [
        ("Opening Balance Equity", "1500.00"),
        ("Earnings to date (profit and loss)", "57.00"),
    ]
    assert figures(june) == {
        "Assets": "1698.50",
        "Liabilities": "141.50",
        "Equity": "1557.00",
        "Assets − liabilities − equity": "0.00",
    }
    july = compute("balance_sheet", end=day(7, 31))
    assert figures(july) == {
        "Assets": "1692.50",
        "Liabilities": "132.00",
        "Equity": "1560.50",
        "Assets − liabilities − equity": "0.00",
    }
    # AR on the balance sheet is the AR account on that date
    assert table(july, 0)["rows"][1] == {
        "code": chart.AR,
        "account": "Accounts Receivable",
        "amount": "48.50",
    }
    assert account_by_code(chart.AR).balance == Decimal("48.50")


def test_net_income_equals_the_change_in_equity(ledger_scenario):
    def equity(on):
        return Decimal(table(compute("balance_sheet", end=on), 2)["totals"]["amount"])

    for start, end, before in (
        (day(6, 1), day(6, 30), day(5, 31)),
        (day(7, 1), day(7, 31), day(6, 30)),
        (day(6, 1), day(7, 31), day(5, 31)),
    ):
        net = Decimal(figures(compute("profit_loss", start=start, end=end))["Net income"])
        assert net == equity(end) - equity(before)


def test_gross_profit_puts_the_july_return_in_july(ledger_scenario):
    result = compute("gross_profit", start=day(6, 1), end=day(7, 31), group_by="month")
    assert rows(result) == [
        ("2026-06", "85.00", "0.00", "85.00", "48.00", "37.00", "43.5"),
        ("2026-07", "0.00", "10.00", "-10.00", "-6.00", "-4.00", "40.0"),
    ]
    assert totals(
        result, "revenue", "returns", "net_revenue", "cogs", "gross_profit", "margin"
    ) == ("85.00", "10.00", "75.00", "42.00", "33.00", "44.0")
    june = compute("gross_profit", start=day(6, 1), end=day(6, 30), group_by="month")
    assert figures(june)["Gross profit"] == "37.00"


def test_seller_credit_per_seller_and_period(ledger_scenario):
    keys = ("seller", "opening", "topups", "charges", "charges_reversed", "revenue", "closing")
    june = compute("seller_credit", start=day(6, 1), end=day(6, 30))
    assert rows(june, *keys) == [
        ("Seller One Ltd", "0.00", "100.00", "20.00", "0.00", "20.00", "80.00"),
        ("Seller Two Ltd", "50.00", "0.00", "0.00", "0.00", "0.00", "50.00"),
    ]
    assert figures(june) == {
        "Top-ups": "100.00",
        "Charges": "20.00",
        "Charge Revenue account": "20.00",
        "Credit outstanding at end": "130.00",
    }
    july = compute("seller_credit", start=day(7, 1), end=day(7, 31))
    assert rows(july, *keys) == [
        ("Seller One Ltd", "80.00", "0.00", "0.00", "0.00", "0.00", "80.00"),
        ("Seller Two Ltd", "50.00", "0.00", "7.50", "0.00", "7.50", "42.50"),
    ]
    one = compute(
        "seller_credit", start=day(6, 1), end=day(7, 31), seller=ledger_scenario.seller2.pk
    )
    assert rows(one, *keys) == [
        ("Seller Two Ltd", "50.00", "0.00", "7.50", "0.00", "7.50", "42.50")
    ]


def test_seller_credit_counts_a_reversed_charge_on_its_posting_date(ledger_scenario):
    from django.utils import timezone

    from apps.credit.models import TransactionLog
    from apps.credit.services import credit_reverse

    charge = TransactionLog.objects.get(idempotency_key="c2")
    credit_reverse(transaction_log=charge, reason="wrong number", by=None)
    today = timezone.localdate()
    result = compute("seller_credit", start=today, end=today)
    assert rows(result, "seller", "opening", "charges_reversed", "revenue", "closing") == [
        ("Seller One Ltd", "80.00", "5.00", "-5.00", "85.00"),
        ("Seller Two Ltd", "42.50", "0.00", "0.00", "42.50"),
    ]
    assert figures(result)["Charge Revenue account"] == "-5.00"

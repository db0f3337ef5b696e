"""Statements from the posted ledger by posting date (DESIGN.md §13): profit and loss,
balance sheet and gross profit. Amounts are the lines' base-currency amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from apps.finance.selectors import base_currency_code
from apps.ledger import chart
from apps.ledger.models import Account, AccountType, JournalLine, normal_sign

from ..result import MONEY, PERCENT, TEXT, Chart, Column, Report, Table, cents, parse_date, percent
from .periods import PERIODS, period_expression, period_label

ZERO = Decimal("0.00")
PNL_TYPES = (AccountType.INCOME, AccountType.EXPENSE)
BS_TYPES = (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY)


def movements(*, start: dt.date | None, end: dt.date, types=None, codes=None) -> dict[int, Decimal]:
    """{account pk: change on the account's normal side} of the lines dated in [start, end]."""
    lines = JournalLine.objects.filter(entry__date__lte=end)
    if start is not None:
        lines = lines.filter(entry__date__gte=start)
    if types is not None:
        lines = lines.filter(account__type__in=types)
    if codes is not None:  # the accounts first: their lines are then an index range each
        accounts = Account.all_objects.filter(code__in=codes).values_list("pk", flat=True)
        lines = lines.filter(account_id__in=list(accounts))
    rows = lines.values("account", "account__type").annotate(
        dr=Sum("base_debit"), cr=Sum("base_credit")
    )
    return {
        r["account"]: (cents(r["dr"]) - cents(r["cr"])) * normal_sign(r["account__type"])
        for r in rows.order_by()
    }


def _accounts(types) -> list[Account]:
    accounts = Account.all_objects.filter(is_group=False, type__in=types).select_related("parent")
    return list(accounts.order_by("code"))


def _account_table(title: str, accounts: list[Account], amounts: dict[int, Decimal]) -> Table:
    """One row per account with an amount; the sub-accounts of a per-party group (one per
    seller under Seller Credit and Charge Revenue) are summed into one row of the group."""
    table = Table(
        title=title,
        columns=[
            Column("code", "Code"),
            Column("account", "Account"),
            Column("amount", "Amount", MONEY),
        ],
    )
    rows: dict[str, dict] = {}
    for account in accounts:
        amount = amounts.get(account.pk, ZERO)
        if not amount:
            continue
        parent = account.parent
        shown = parent if parent is not None and parent.code in chart.PER_PARTY_GROUPS else account
        row = rows.setdefault(
            shown.code, {"code": shown.code, "account": shown.name, "amount": ZERO}
        )
        row["amount"] += amount
    table.rows.extend(row for row in rows.values() if row["amount"])
    table.total("amount", label_key="account", label=f"Total {title.lower()}")
    return table


def profit_and_loss(start: dt.date, end: dt.date) -> tuple[Decimal, Decimal]:
    """(income, expenses) of the period: what the balance-sheet earnings line adds up."""
    amounts = movements(start=start, end=end, types=PNL_TYPES)
    accounts = {a.pk: a.type for a in Account.all_objects.filter(pk__in=amounts)}
    income = sum((v for pk, v in amounts.items() if accounts[pk] == AccountType.INCOME), ZERO)
    expenses = sum((v for pk, v in amounts.items() if accounts[pk] == AccountType.EXPENSE), ZERO)
    return income, expenses


def build_profit_loss(params: dict, progress) -> Report:
    start, end = parse_date(params["start"]), parse_date(params["end"])
    amounts = movements(start=start, end=end, types=PNL_TYPES)
    progress(40)
    accounts = _accounts(PNL_TYPES)
    income = _account_table(
        "Income", [a for a in accounts if a.type == AccountType.INCOME], amounts
    )
    expenses = _account_table(
        "Expenses", [a for a in accounts if a.type == AccountType.EXPENSE], amounts
    )
    total_income, total_expenses = income.totals["amount"], expenses.totals["amount"]
    net = total_income - total_expenses
    monthly = (
        JournalLine.objects.filter(entry__date__range=(start, end), account__type__in=PNL_TYPES)
        .annotate(m=period_expression("month", "entry__date"))
        .values("m", "account__type")
        .annotate(dr=Sum("base_debit"), cr=Sum("base_credit"))
        .order_by("m")
    )
    months: dict[str, dict[str, Decimal]] = {}
    for row in monthly:
        bucket = months.setdefault(
            period_label(row["m"], "month"), {"income": ZERO, "expense": ZERO}
        )
        change = (cents(row["dr"]) - cents(row["cr"])) * normal_sign(row["account__type"])
        bucket[row["account__type"]] += change
    progress(80)
    labels = sorted(months)
    return Report(
        title="Profit and loss",
        subtitle=f"{start} to {end}, in {base_currency_code()}",
        figures=[
            ("Income", total_income, MONEY),
            ("Expenses", total_expenses, MONEY),
            ("Net income", net, MONEY),
        ],
        tables=[income, expenses],
        charts=[
            Chart(
                title="Income and expenses by month",
                labels=labels,
                datasets=[
                    {"label": "Income", "data": [months[m]["income"] for m in labels]},
                    {"label": "Expenses", "data": [months[m]["expense"] for m in labels]},
                    {
                        "label": "Net income",
                        "data": [months[m]["income"] - months[m]["expense"] for m in labels],
                    },
                ],
            )
        ],
        notes=["Posted journal lines by posting date, in the base currency."],
    )


def build_balance_sheet(params: dict, progress) -> Report:
    as_of = parse_date(params["end"])
    amounts = movements(start=None, end=as_of)
    progress(50)
    accounts = _accounts(BS_TYPES)
    assets = _account_table("Assets", [a for a in accounts if a.type == AccountType.ASSET], amounts)
    liabilities = _account_table(
        "Liabilities", [a for a in accounts if a.type == AccountType.LIABILITY], amounts
    )
    equity = _account_table(
        "Equity", [a for a in accounts if a.type == AccountType.EQUITY], amounts
    )
    types = dict(Account.all_objects.filter(pk__in=amounts).values_list("pk", "type"))
    earnings = sum(
        (v if types[pk] == AccountType.INCOME else -v)
        for pk, v in amounts.items()
        if types[pk] in PNL_TYPES
    )
    earnings = Decimal(earnings or 0)
    equity.rows.append(
        {"code": "", "account": "Earnings to date (profit and loss)", "amount": earnings}
    )
    equity.total("amount", label_key="account", label="Total equity")
    total_assets = assets.totals["amount"]
    total_liabilities = liabilities.totals["amount"]
    total_equity = equity.totals["amount"]
    return Report(
        title="Balance sheet",
        subtitle=f"as of {as_of}, in {base_currency_code()}",
        figures=[
            ("Assets", total_assets, MONEY),
            ("Liabilities", total_liabilities, MONEY),
            ("Equity", total_equity, MONEY),
            (
                "Assets − liabilities − equity",
                total_assets - total_liabilities - total_equity,
                MONEY,
            ),
        ],
        tables=[assets, liabilities, equity],
        charts=[
            Chart(
                title="Assets against liabilities and equity",
                labels=["Assets", "Liabilities", "Equity"],
                datasets=[
                    {"label": "Amount", "data": [total_assets, total_liabilities, total_equity]}
                ],
            )
        ],
        notes=[
            "Every posted line dated on or before the date; earnings to date are income minus "
            "expenses not yet closed to equity."
        ],
    )


GP_CODES = (chart.SALES_REVENUE, chart.SALES_RETURNS, chart.COGS)


def build_gross_profit(params: dict, progress) -> Report:
    start, end = parse_date(params["start"]), parse_date(params["end"])
    by = params.get("group_by") or "month"
    if by not in PERIODS:
        by = "month"
    rows = (
        JournalLine.objects.filter(entry__date__range=(start, end), account__code__in=GP_CODES)
        .annotate(p=period_expression(by, "entry__date"))
        .values("p", "account__code")
        .annotate(dr=Sum("base_debit"), cr=Sum("base_credit"))
        .order_by("p")
    )
    periods: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        bucket = periods.setdefault(period_label(row["p"], by), {c: ZERO for c in GP_CODES})
        bucket[row["account__code"]] += cents(row["dr"]) - cents(row["cr"])
    progress(70)
    table = Table(
        title=f"Gross profit by {by}",
        columns=[
            Column("period", by.title(), TEXT),
            Column("revenue", "Sales revenue", MONEY),
            Column("returns", "Returns", MONEY),
            Column("net_revenue", "Net revenue", MONEY),
            Column("cogs", "Cost of goods sold", MONEY),
            Column("gross_profit", "Gross profit", MONEY),
            Column("margin", "Margin %", PERCENT),
        ],
    )
    for label in sorted(periods):
        b = periods[label]
        revenue, returns, cogs = -b[chart.SALES_REVENUE], b[chart.SALES_RETURNS], b[chart.COGS]
        net_revenue = revenue - returns
        gross = net_revenue - cogs
        table.rows.append(
            {
                "period": label,
                "revenue": revenue,
                "returns": returns,
                "net_revenue": net_revenue,
                "cogs": cogs,
                "gross_profit": gross,
                "margin": percent(gross, net_revenue),
            }
        )
    table.total("revenue", "returns", "net_revenue", "cogs", "gross_profit")
    t = table.totals
    t["margin"] = percent(t["gross_profit"], t["net_revenue"])
    return Report(
        title="Gross profit",
        subtitle=f"{start} to {end}, by {by}, in {base_currency_code()}",
        figures=[
            ("Net revenue", t["net_revenue"], MONEY),
            ("Cost of goods sold", t["cogs"], MONEY),
            ("Gross profit", t["gross_profit"], MONEY),
            ("Margin %", t["margin"], PERCENT),
        ],
        tables=[table],
        charts=[
            Chart(
                title=f"Net revenue, cost of goods sold and gross profit by {by}",
                labels=[r["period"] for r in table.rows],
                datasets=[
                    {"label": "Net revenue", "data": [r["net_revenue"] for r in table.rows]},
                    {"label": "Cost of goods sold", "data": [r["cogs"] for r in table.rows]},
                    {"label": "Gross profit", "data": [r["gross_profit"] for r in table.rows]},
                ],
            )
        ],
        notes=[
            "Sales Revenue, Sales Returns and Cost of Goods Sold as posted, by posting date: "
            "a return lowers the period it is posted in, at the cost snapshotted on the sale."
        ],
    )


def balance_on(code: str, as_of: dt.date) -> Decimal:
    """An account's balance on `as_of` (normal side): its stored balance (== the sum of its
    lines, invariant 2, checked by check_books) minus the lines dated after `as_of`, so a
    recent date reads a short index range instead of every line since the beginning."""
    stored = Account.all_objects.filter(code=code).values_list("balance", flat=True).first()
    after = movements(start=as_of + dt.timedelta(days=1), end=dt.date.max, codes=[code])
    return cents(stored) - sum(after.values(), ZERO)

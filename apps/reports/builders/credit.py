"""Seller credit per seller and period: top-ups, charges, reversals and the revenue the
charges earned, from the lines posted to each seller's credit account (by posting date)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from apps.credit.models import Seller, TransactionType
from apps.finance.selectors import base_currency_code
from apps.ledger import chart
from apps.ledger.models import Account, JournalLine

from ..result import MONEY, TEXT, Chart, Column, Report, Table, cents, parse_date

ZERO = Decimal("0.00")
TOPUP, CHARGE, REVERSAL = TransactionType.TOPUP, TransactionType.CHARGE, TransactionType.REVERSAL


def build(params: dict, progress) -> Report:
    start, end = parse_date(params["start"]), parse_date(params["end"])
    # the sellers' credit accounts first: the lines are then an index range per account
    # (joining every journal line to the accounts scanned the whole ledger per query)
    sellers_of = Seller.all_objects.all()
    if params.get("seller"):
        sellers_of = sellers_of.filter(pk=params["seller"])
    account_seller = dict(sellers_of.values_list("account_id", "pk"))
    lines = JournalLine.objects.filter(account_id__in=list(account_seller))
    opening = {
        account_seller[r["account_id"]]: cents(r["cr"]) - cents(r["dr"])
        for r in lines.filter(entry__date__lt=start)
        .values("account_id")
        .annotate(dr=Sum("base_debit"), cr=Sum("base_credit"))
        .order_by()
    }
    progress(30)
    acc: dict = defaultdict(lambda: defaultdict(Decimal))
    rows = (
        lines.filter(entry__date__range=(start, end))
        .values(
            "account_id",
            "entry__credit_transaction__type",
            "entry__credit_transaction__reverses__type",
        )
        .annotate(dr=Sum("base_debit"), cr=Sum("base_credit"))
        .order_by()
    )
    for r in rows:
        b = acc[account_seller[r["account_id"]]]
        kind = r["entry__credit_transaction__type"]
        undone = r["entry__credit_transaction__reverses__type"]
        dr, cr = cents(r["dr"]), cents(r["cr"])
        if kind == TOPUP:
            b["topups"] += cr - dr
        elif kind == CHARGE:
            b["charges"] += dr - cr
        elif kind == REVERSAL and undone == CHARGE:
            b["charges_reversed"] += cr - dr
        elif kind == REVERSAL and undone == TOPUP:
            b["topups_reversed"] += dr - cr
        else:  # a posting with no transaction row (e.g. an opening balance)
            b["other"] += cr - dr
    progress(85)
    sellers = Seller.all_objects.filter(pk__in=set(acc) | set(opening)).order_by("company")
    table = Table(
        title="Seller credit",
        columns=[
            Column("seller", "Seller", TEXT),
            Column("opening", "Opening balance", MONEY),
            Column("topups", "Top-ups", MONEY),
            Column("topups_reversed", "Top-ups reversed", MONEY),
            Column("charges", "Charges", MONEY),
            Column("charges_reversed", "Charges reversed", MONEY),
            Column("other", "Other postings", MONEY),
            Column("revenue", "Charge revenue", MONEY),
            Column("closing", "Closing balance", MONEY),
        ],
    )
    for seller in sellers:
        b = acc[seller.pk]
        row = {"seller": seller.company, "opening": opening.get(seller.pk, ZERO)}
        for key in ("topups", "topups_reversed", "charges", "charges_reversed", "other"):
            row[key] = cents(b[key])
        row["revenue"] = row["charges"] - row["charges_reversed"]
        row["closing"] = (
            row["opening"] + row["topups"] - row["topups_reversed"] - row["revenue"] + row["other"]
        )
        table.rows.append(row)
    table.total(
        "opening",
        "topups",
        "topups_reversed",
        "charges",
        "charges_reversed",
        "other",
        "revenue",
        "closing",
    )
    revenue_accounts = Account.all_objects.filter(parent__code=chart.CHARGE_REVENUE)
    revenue_lines = JournalLine.objects.filter(
        account_id__in=list(revenue_accounts.values_list("pk", flat=True)),
        entry__date__range=(start, end),
    ).aggregate(dr=Sum("base_debit"), cr=Sum("base_credit"))
    ledger_revenue = cents(revenue_lines["cr"]) - cents(revenue_lines["dr"])
    t = table.totals
    top = sorted(table.rows, key=lambda r: -r["revenue"])[:15]
    return Report(
        title="Seller credit",
        subtitle=f"{start} to {end}, in {base_currency_code()}",
        figures=[
            ("Top-ups", t["topups"] - t["topups_reversed"], MONEY),
            ("Charges", t["revenue"], MONEY),
            ("Charge Revenue account", ledger_revenue, MONEY),
            ("Credit outstanding at end", t["closing"], MONEY),
        ],
        tables=[table],
        charts=[
            Chart(
                title="Charge revenue by seller",
                labels=[r["seller"] for r in top],
                datasets=[
                    {"label": "Charge revenue", "data": [r["revenue"] for r in top]},
                    {"label": "Top-ups", "data": [r["topups"] for r in top]},
                ],
            )
        ],
        notes=[
            "Lines posted to each seller's credit account by posting date; charges net of "
            "their reversals are the seller's charge revenue."
        ],
    )

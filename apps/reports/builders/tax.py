"""Output tax per rate of a period: issued invoices minus credit notes by issue date (the
posting date), in base currency, set against the Tax Payable account (DESIGN.md §4.9).

Per rate, a document's tax is converted at its rate snapshot; what the conversion of the
separate rates leaves against the tax the document posted (`tax_base`, rounded once per
document) is shown as its own line, so the table adds up to the posted tax exactly.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum

from apps.finance.selectors import base_currency_code
from apps.invoicing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from apps.ledger import chart

from ..result import MONEY, TEXT, Chart, Column, Report, Table, cents, parse_date
from .financial import balance_on, movements

ZERO = Decimal("0.00")
WIDE = DecimalField(max_digits=32, decimal_places=10)


def _base(field: str, rate: str):
    return ExpressionWrapper(F(field) * F(rate), output_field=WIDE)


def _per_rate(lines, doc: str) -> dict[tuple[str, Decimal], dict[str, Decimal]]:
    rate = f"{doc}__exchange_rate"
    rows = (
        lines.values("tax_name", "tax_percent")
        .annotate(net=Sum(_base("net", rate)), tax=Sum(_base("tax", rate)))
        .order_by()
    )
    return {
        (r["tax_name"] or "", Decimal(r["tax_percent"]).normalize()): {
            "net": cents(r["net"]),
            "tax": cents(r["tax"]),
        }
        for r in rows
    }


def build(params: dict, progress) -> Report:
    start, end = parse_date(params["start"]), parse_date(params["end"])
    invoices = Invoice.all_objects.issued().filter(issue_date__range=(start, end))
    notes = CreditNote.objects.issued().filter(issue_date__range=(start, end))
    sold = _per_rate(InvoiceLine.objects.filter(invoice__in=invoices), "invoice")
    progress(30)
    credited = _per_rate(CreditNoteLine.objects.filter(credit_note__in=notes), "credit_note")
    progress(55)
    posted_invoices = cents(invoices.aggregate(t=Sum("tax_base"))["t"])
    posted_notes = cents(notes.aggregate(t=Sum("tax_base"))["t"])

    acc: dict = defaultdict(lambda: defaultdict(Decimal))
    for key, amounts in sold.items():
        acc[key]["net"] += amounts["net"]
        acc[key]["tax"] += amounts["tax"]
    for key, amounts in credited.items():
        acc[key]["cn_net"] += amounts["net"]
        acc[key]["cn_tax"] += amounts["tax"]
    table = Table(
        title="Output tax by rate",
        columns=[
            Column("rate", "Tax rate", TEXT),
            Column("net", "Invoiced net", MONEY),
            Column("tax", "Invoiced tax", MONEY),
            Column("cn_net", "Credited net", MONEY),
            Column("cn_tax", "Credited tax", MONEY),
            Column("net_tax", "Output tax", MONEY),
        ],
    )
    for (name, percent), b in sorted(acc.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        label = f"{name} ({percent:f} %)" if name else f"{percent:f} %"
        row = {"rate": label, **{k: cents(b[k]) for k in ("net", "tax", "cn_net", "cn_tax")}}
        row["net_tax"] = row["tax"] - row["cn_tax"]
        table.rows.append(row)
    rounding_inv = posted_invoices - sum((r["tax"] for r in table.rows), ZERO)
    rounding_cn = posted_notes - sum((r["cn_tax"] for r in table.rows), ZERO)
    if rounding_inv or rounding_cn:
        table.rows.append(
            {
                "rate": "Currency conversion rounding",
                "net": None,
                "tax": rounding_inv,
                "cn_net": None,
                "cn_tax": rounding_cn,
                "net_tax": rounding_inv - rounding_cn,
            }
        )
    table.total("net", "tax", "cn_net", "cn_tax", "net_tax")
    t = table.totals
    output_tax = t["net_tax"]
    progress(70)
    account = sum(movements(start=start, end=end, codes=[chart.TAX_PAYABLE]).values(), ZERO)
    closing = balance_on(chart.TAX_PAYABLE, end)
    recon = Table(
        title="Reconciliation with Tax Payable",
        columns=[Column("line", "Line", TEXT), Column("amount", "Amount", MONEY)],
        rows=[
            {"line": "Output tax on invoices", "amount": t["tax"]},
            {"line": "Less tax on credit notes", "amount": ZERO - t["cn_tax"]},
            {"line": "Net output tax of the period", "amount": output_tax},
            {
                "line": f"Tax Payable ({chart.TAX_PAYABLE}): change in the period",
                "amount": account,
            },
            {
                "line": "Difference (other postings to Tax Payable, e.g. tax settled)",
                "amount": account - output_tax,
            },
            {"line": f"Tax Payable balance on {end}", "amount": closing},
        ],
    )
    progress(85)
    return Report(
        title="Tax",
        subtitle=f"{start} to {end}, in {base_currency_code()}",
        figures=[
            ("Output tax on invoices", t["tax"], MONEY),
            ("Tax on credit notes", t["cn_tax"], MONEY),
            ("Net output tax", output_tax, MONEY),
            ("Tax Payable change", account, MONEY),
        ],
        tables=[table, recon],
        charts=[
            Chart(
                title="Output tax by rate",
                labels=[r["rate"] for r in table.rows],
                datasets=[
                    {"label": "Invoiced tax", "data": [r["tax"] for r in table.rows]},
                    {"label": "Credited tax", "data": [r["cn_tax"] for r in table.rows]},
                ],
            )
        ],
        notes=[
            "Issued invoices (void ones included: their credit note takes them back) and "
            "issued credit notes by issue date, the date they were posted; a credit note in a "
            "later month lowers that month. Each document at its exchange-rate snapshot."
        ],
    )

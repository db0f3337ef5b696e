"""The report types: what each computes, its form, and who may run and read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apps.accounts.roles import Access, Area, user_access

from . import forms
from .builders import aging, credit, financial, sales, stock, tax

FINANCE = frozenset({Access.READ, Access.WRITE})
SALES_FIGURES = FINANCE | {Access.SALES_FIGURES}


@dataclass(frozen=True)
class ReportSpec:
    code: str
    title: str
    description: str
    form_class: type[forms.PeriodForm]
    build: Callable
    accesses: frozenset = FINANCE  # what the user's Ledger-area access must include

    @property
    def as_of(self) -> bool:
        return "start" not in self.form_class.base_fields

    def allowed(self, user) -> bool:
        return bool(user_access(user, Area.LEDGER) & self.accesses)


REPORTS: dict[str, ReportSpec] = {
    spec.code: spec
    for spec in (
        ReportSpec(
            "sales",
            "Sales",
            "Quantities, net, tax and gross by period, product, category, customer or store; "
            "returns shown separately and netted.",
            forms.SalesReportForm,
            sales.build,
            SALES_FIGURES,
        ),
        ReportSpec(
            "gross_profit",
            "Gross profit",
            "Net revenue minus cost of goods sold by period, from the ledger.",
            forms.GrossProfitForm,
            financial.build_gross_profit,
        ),
        ReportSpec(
            "profit_loss",
            "Profit and loss",
            "Income and expenses of any period, by account, from the posted ledger.",
            forms.PeriodForm,
            financial.build_profit_loss,
        ),
        ReportSpec(
            "balance_sheet",
            "Balance sheet",
            "Assets, liabilities and equity on any date, from the posted ledger.",
            forms.AsOfForm,
            financial.build_balance_sheet,
        ),
        ReportSpec(
            "tax",
            "Tax",
            "Output tax per rate from issued invoices minus credit notes, reconciled with "
            "the Tax Payable account.",
            forms.TaxReportForm,
            tax.build,
        ),
        ReportSpec(
            "ar_aging",
            "Receivables aging",
            "What each customer owed on any date by days past due (current, 1-30, 31-60, "
            "61-90, > 90), unapplied credit negative, with the open documents; equal to the "
            "Accounts Receivable account.",
            forms.AgingForm,
            aging.build,
        ),
        ReportSpec(
            "stock_valuation",
            "Stock valuation",
            "Units and value at moving-average cost on any date, per store, product or "
            "category; equal to the Inventory account.",
            forms.StockValuationForm,
            stock.build,
            FINANCE | {Access.STOCK_FIGURES},
        ),
        ReportSpec(
            "seller_credit",
            "Seller credit",
            "Top-ups, charges and charge revenue per seller and period.",
            forms.SellerCreditForm,
            credit.build,
        ),
    )
}


def report_spec(code: str) -> ReportSpec | None:
    return REPORTS.get(code)


def specs_for(user) -> list[ReportSpec]:
    return [spec for spec in REPORTS.values() if spec.allowed(user)]


def allowed_types(user) -> list[str]:
    return [spec.code for spec in specs_for(user)]

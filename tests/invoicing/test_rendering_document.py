"""The print model: per-rate breakdown and totals are sums of the rounded lines."""

from decimal import Decimal as D

from apps.invoicing.rendering.document import DocumentKind, TaxBreakdown, TaxCategory, summarize

from .documents import EXEMPTION, line, zero_rated


def test_breakdown_groups_by_category_and_rate_in_a_fixed_order():
    lines = [
        line(1, "A", "1", "10.00", "19"),
        line(2, "B", "3", "0.35", "7"),  # 1.05 net, 0.0735 -> 0.07 tax
        line(3, "C", "1", "0.05", "19"),  # 0.0095 -> 0.01 tax
        line(4, "D", "2", "4.50", "0", category=TaxCategory.ZERO_RATED),
    ]
    breakdown, totals = summarize(lines, paid=D("5.00"))
    assert breakdown == (
        TaxBreakdown(TaxCategory.STANDARD, D("7"), D("1.05"), D("0.07")),
        TaxBreakdown(TaxCategory.STANDARD, D("19"), D("10.05"), D("1.91")),
        TaxBreakdown(TaxCategory.ZERO_RATED, D("0"), D("9.00"), D("0.00")),
    )
    assert (totals.net, totals.tax, totals.gross, totals.amount_due) == (
        D("20.10"),
        D("1.98"),
        D("22.08"),
        D("17.08"),
    )


def test_line_discount_is_gross_minus_net():
    discounted = line(1, "Desk", "1", "649.00", "19", "10")
    assert (discounted.gross, discounted.discount, discounted.net) == (
        D("649.00"),
        D("64.90"),
        D("584.10"),
    )


def test_exemption_reason_is_carried_to_its_category():
    doc = zero_rated()
    reasons = {row.category: row.exemption_reason for row in doc.tax_breakdown}
    assert reasons[TaxCategory.EXEMPT] == EXEMPTION[TaxCategory.EXEMPT]
    assert reasons[TaxCategory.STANDARD] == ""


def test_kinds_map_to_untdid_1001_codes():
    assert DocumentKind.INVOICE.type_code == "380"
    assert DocumentKind.CREDIT_NOTE.type_code == "381"

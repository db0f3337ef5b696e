"""Factur-X EN 16931 XML: exact figures, XSD + Schematron for fixed and random documents."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from apps.finance.money import allocate, line_amounts, percent_of, quantize
from apps.invoicing.rendering.document import Line, TaxCategory
from apps.invoicing.rendering.facturx import NS, facturx_xml
from apps.invoicing.rendering.validation import (
    facturx_failures,
    schematron_failures,
    xsd_failures,
)

from .documents import credit_note, document, long_invoice, multi_rate, zero_rated


def texts(xml: bytes, path: str) -> list[str]:
    return [getattr(e, "text", e) for e in etree.fromstring(xml).xpath(path, namespaces=NS)]


SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"


def test_fixed_invoice_figures():
    xml = facturx_xml(multi_rate())
    assert texts(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["380"]
    assert texts(xml, "//rsm:ExchangedDocument/ram:ID") == ["INV-2026-0042"]
    assert texts(xml, "//ram:IssueDateTime/udt:DateTimeString") == ["20260314"]
    assert texts(xml, "//ram:LineTotalAmount[ancestor::ram:IncludedSupplyChainTradeLineItem]") == [
        "569.70",
        "584.10",
        "49.90",
        "162.50",
    ]
    assert texts(xml, "//ram:BilledQuantity") == ["3", "1", "2", "2.5"]
    assert texts(xml, "//ram:BilledQuantity/@unitCode") == ["H87", "H87", "H87", "HUR"]
    assert texts(xml, "//ram:NetPriceProductTradePrice/ram:ChargeAmount") == [
        "189.9",
        "649",
        "24.95",
        "65",
    ]
    # The 10 % line discount on the desk: 649.00 x 10 % = 64.90.
    assert texts(xml, "//ram:SpecifiedLineTradeSettlement//ram:ActualAmount") == ["64.90"]
    assert texts(xml, "//ram:SpecifiedLineTradeSettlement//ram:Reason") == ["Discount 10 %"]
    assert texts(xml, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:RateApplicablePercent") == [
        "7",
        "19",
    ]
    assert texts(xml, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:BasisAmount") == [
        "49.90",
        "1316.30",
    ]
    # 108.24 + 110.98 + 30.88 per line (30.875 rounds half up) = 250.10.
    assert texts(xml, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:CalculatedAmount") == [
        "3.49",
        "250.10",
    ]
    assert texts(xml, f"{SUMMATION}/*") == [
        "1366.20",  # line total
        "1366.20",  # tax basis
        "253.59",  # tax
        "1619.79",  # grand total
        "0.00",  # prepaid
        "1619.79",  # due
    ]
    assert texts(xml, f"{SUMMATION}/ram:TaxTotalAmount/@currencyID") == ["EUR"]
    assert texts(xml, f"{SETTLEMENT}/ram:PaymentReference") == ["RF73INV20260042"]
    assert texts(xml, "//ram:IBANID") == ["DE89370400440532013000"]
    assert texts(xml, "//ram:DueDateDateTime/udt:DateTimeString") == ["20260413"]
    assert texts(xml, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == [
        "DE123456789",
        "27/123/45678",
    ]
    assert texts(xml, "//ram:BuyerTradeParty/ram:ID") == ["C-0001"]


def test_credit_note_is_type_381_and_refers_to_the_invoice():
    xml = facturx_xml(credit_note())
    assert texts(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert texts(xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == ["INV-2026-0042"]
    assert texts(xml, "//ram:InvoiceReferencedDocument//qdt:DateTimeString") == ["20260314"]
    assert texts(xml, f"{SUMMATION}/ram:DuePayableAmount") == ["225.98"]
    assert texts(xml, "//ram:SpecifiedTradeSettlementPaymentMeans") == []


def test_same_document_same_bytes():
    assert facturx_xml(multi_rate()) == facturx_xml(multi_rate())


@pytest.mark.parametrize(
    "make", [multi_rate, zero_rated, credit_note, long_invoice], ids=lambda f: f.__name__
)
def test_fixed_documents_pass_xsd_and_schematron(make):
    xml = facturx_xml(make())
    assert xsd_failures(xml) == []
    assert [str(f) for f in schematron_failures(xml)] == []


def test_schematron_reports_a_wrong_line_sum():
    xml = facturx_xml(multi_rate()).replace(
        b"<ram:LineTotalAmount>569.70<", b"<ram:LineTotalAmount>569.71<"
    )
    assert xsd_failures(xml) == []
    assert {f.id for f in schematron_failures(xml)} == {"BR-CO-10", "BR-S-08"}


def test_schematron_reports_a_wrong_grand_total():
    doc = multi_rate()
    doc = replace(doc, totals=replace(doc.totals, gross=doc.totals.gross + D("0.01")))
    assert {f.id for f in facturx_failures(facturx_xml(doc))} == {"BR-CO-15"}


def test_schematron_reports_a_wrong_amount_due():
    doc = multi_rate()
    doc = replace(doc, totals=replace(doc.totals, due=D("1619.78")))
    assert {f.id for f in facturx_failures(facturx_xml(doc))} == {"BR-CO-16"}


def test_exempt_without_reason_is_reported():
    doc = zero_rated()
    breakdown = tuple(replace(row, exemption_reason="") for row in doc.tax_breakdown)
    failures = {f.id for f in facturx_failures(facturx_xml(replace(doc, tax_breakdown=breakdown)))}
    assert "BR-E-10" in failures


def test_xsd_reports_an_element_out_of_place():
    xml = facturx_xml(multi_rate()).replace(
        b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:Unknown>380</ram:Unknown>"
    )
    failures = xsd_failures(xml)
    assert [f.id for f in failures] == ["XSD"]
    assert "Unknown" in failures[0].text


# --- property: random lines, discounts and rates always give a valid EN 16931 invoice ---

RATES = [
    (TaxCategory.STANDARD, D("19")),
    (TaxCategory.STANDARD, D("7")),
    (TaxCategory.STANDARD, D("20")),
    (TaxCategory.STANDARD, D("5.5")),
    (TaxCategory.ZERO_RATED, D("0")),
    (TaxCategory.EXEMPT, D("0")),
]
money_st = st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2)
quantity_st = st.decimals(min_value=D("0.01"), max_value=D("500"), places=2)
discount_st = st.sampled_from([D("0"), D("0"), D("5"), D("12.5"), D("33.33"), D("100")])
line_st = st.tuples(quantity_st, money_st, discount_st, st.sampled_from(RATES))


def build_lines(raw, document_discount_percent) -> list[Line]:
    """Line % discounts, then a document discount allocated over the line nets
    (money.allocate, as the issuing service does), tax rounded per line."""
    first = [
        line_amounts(quantity=q, unit_price=p, discount_percent=d, tax_percent=rate)
        for q, p, d, (_category, rate) in raw
    ]
    nets = [f.net for f in first]
    total_net = sum(nets, D("0"))
    shares = [D("0")] * len(nets)
    if document_discount_percent and total_net > 0:
        shares = allocate(percent_of(total_net, document_discount_percent), nets)
    lines = []
    for position, ((q, p, d, (category, rate)), net, share) in enumerate(
        zip(raw, nets, shares, strict=True), start=1
    ):
        net = net - share
        tax = quantize(net * rate / 100)
        lines.append(
            Line(
                position=position,
                description=f"Item {position}",
                quantity=q,
                unit_price=p,
                discount_percent=d,
                net=net,
                tax_rate=rate,
                tax_category=category,
                tax=tax,
                total=net + tax,
            )
        )
    return lines


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    raw=st.lists(line_st, min_size=1, max_size=8),
    document_discount=st.sampled_from([D("0"), D("3"), D("10")]),
    paid_fraction=st.sampled_from([D("0"), D("0.5")]),
)
def test_random_documents_pass_the_schematron(raw, document_discount, paid_fraction):
    lines = build_lines(raw, document_discount)
    gross = sum((line.total for line in lines), D("0"))
    doc = document(lines, paid=quantize(gross * paid_fraction))
    failures = facturx_failures(facturx_xml(doc))
    assert [str(f) for f in failures] == []
    # The figures the rules BR-CO-10..16 compare, checked on our side too.
    assert doc.totals.net == sum((row.net for row in doc.tax_breakdown), D("0"))
    assert doc.totals.tax == sum((row.tax for row in doc.tax_breakdown), D("0"))
    assert doc.totals.gross == doc.totals.net + doc.totals.tax

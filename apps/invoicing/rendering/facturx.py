"""Factur-X / ZUGFeRD EN 16931 (CII D16B) XML from a `PrintDocument`.

Written element by element with lxml so each figure in the XML is visibly the same
Decimal the PDF prints: line nets, per-line allowances, the per-rate VAT breakdown and
the totals come straight from the document, nothing is recomputed here except the sums
EN 16931 asks for (BT-106 line total, BT-107/108 are zero: document discounts are
allocated to the lines, DESIGN.md §11). Element order follows the Factur-X XSD.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from .document import ZERO, Party, PrintDocument

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
SEPA_CREDIT_TRANSFER = "58"  # UNTDID 4461
DISCOUNT_REASON_CODE = "95"  # UNTDID 5189 "Discount"


def _q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def _sub(parent, tag: str, text: str | None = None, **attrib) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), attrib)
    if text is not None:
        element.text = text
    return element


def amount(value: Decimal) -> str:
    """Money with exactly two decimals (BR-DEC-*)."""
    return f"{value.quantize(Decimal('0.01')):f}"


def number(value: Decimal) -> str:
    """Quantities, unit prices and rates without trailing zeros: 3, 12.5, 19."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _date(parent, tag: str, value: dt.date, prefix: str = "udt") -> None:
    wrapper = _sub(parent, tag)
    _sub(wrapper, f"{prefix}:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent, tag: str, party: Party, *, buyer: bool) -> None:
    element = _sub(parent, tag)
    if buyer and party.code:
        _sub(element, "ram:ID", party.code)
    _sub(element, "ram:Name", party.name)
    if party.registration_id:
        organization = _sub(element, "ram:SpecifiedLegalOrganization")
        _sub(organization, "ram:ID", party.registration_id)
    if party.phone or party.email:
        contact = _sub(element, "ram:DefinedTradeContact")
        if party.phone:
            phone = _sub(contact, "ram:TelephoneUniversalCommunication")
            _sub(phone, "ram:CompleteNumber", party.phone)
        if party.email:
            email = _sub(contact, "ram:EmailURIUniversalCommunication")
            _sub(email, "ram:URIID", party.email)
    address = _sub(element, "ram:PostalTradeAddress")
    if party.postcode:
        _sub(address, "ram:PostcodeCode", party.postcode)
    for tag_name, line in zip(
        ("ram:LineOne", "ram:LineTwo", "ram:LineThree"), party.address_lines, strict=False
    ):
        _sub(address, tag_name, line)
    if party.city:
        _sub(address, "ram:CityName", party.city)
    _sub(address, "ram:CountryID", party.country_code)
    if party.email:
        uri = _sub(element, "ram:URIUniversalCommunication")
        _sub(uri, "ram:URIID", party.email, schemeID="EM")
    if party.vat_id:
        registration = _sub(element, "ram:SpecifiedTaxRegistration")
        _sub(registration, "ram:ID", party.vat_id, schemeID="VA")
    if party.tax_id and not buyer:
        registration = _sub(element, "ram:SpecifiedTaxRegistration")
        _sub(registration, "ram:ID", party.tax_id, schemeID="FC")


def _line(parent, doc: PrintDocument, line) -> None:
    item = _sub(parent, "ram:IncludedSupplyChainTradeLineItem")
    line_document = _sub(item, "ram:AssociatedDocumentLineDocument")
    _sub(line_document, "ram:LineID", str(line.position))
    product = _sub(item, "ram:SpecifiedTradeProduct")
    if line.sku:
        _sub(product, "ram:SellerAssignedID", line.sku)
    _sub(product, "ram:Name", line.description)
    agreement = _sub(item, "ram:SpecifiedLineTradeAgreement")
    price = _sub(agreement, "ram:NetPriceProductTradePrice")
    _sub(price, "ram:ChargeAmount", number(line.unit_price))
    delivery = _sub(item, "ram:SpecifiedLineTradeDelivery")
    _sub(delivery, "ram:BilledQuantity", number(line.quantity), unitCode=line.unit_code)
    settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ram:ApplicableTradeTax")
    _sub(tax, "ram:TypeCode", "VAT")
    _sub(tax, "ram:CategoryCode", str(line.tax_category))
    _sub(tax, "ram:RateApplicablePercent", number(line.tax_rate))
    if line.discount != ZERO:
        # BT-136: the whole reduction (line % and an allocated document discount).
        allowance = _sub(settlement, "ram:SpecifiedTradeAllowanceCharge")
        indicator = _sub(allowance, "ram:ChargeIndicator")
        _sub(indicator, "udt:Indicator", "false")
        _sub(allowance, "ram:ActualAmount", amount(line.discount))
        _sub(allowance, "ram:ReasonCode", DISCOUNT_REASON_CODE)
        reason = (
            f"Discount {number(line.discount_percent)} %" if line.discount_percent else "Discount"
        )
        _sub(allowance, "ram:Reason", reason)
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", amount(line.net))


def _settlement(parent, doc: PrintDocument) -> None:
    settlement = _sub(parent, "ram:ApplicableHeaderTradeSettlement")
    if doc.creditor_reference:
        _sub(settlement, "ram:PaymentReference", doc.creditor_reference)
    _sub(settlement, "ram:InvoiceCurrencyCode", doc.currency)
    if doc.seller.iban and not doc.is_credit_note:
        means = _sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _sub(means, "ram:TypeCode", SEPA_CREDIT_TRANSFER)
        account = _sub(means, "ram:PayeePartyCreditorFinancialAccount")
        _sub(account, "ram:IBANID", doc.seller.iban.replace(" ", ""))
        if doc.seller.bic:
            institution = _sub(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _sub(institution, "ram:BICID", doc.seller.bic)
    for row in doc.tax_breakdown:
        tax = _sub(settlement, "ram:ApplicableTradeTax")
        _sub(tax, "ram:CalculatedAmount", amount(row.tax))
        _sub(tax, "ram:TypeCode", "VAT")
        if row.exemption_reason:
            _sub(tax, "ram:ExemptionReason", row.exemption_reason)
        _sub(tax, "ram:BasisAmount", amount(row.net))
        _sub(tax, "ram:CategoryCode", str(row.category))
        _sub(tax, "ram:RateApplicablePercent", number(row.rate))
    if doc.payment_terms or doc.due_date:
        terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
        if doc.payment_terms:
            _sub(terms, "ram:Description", doc.payment_terms)
        if doc.due_date:
            _date(terms, "ram:DueDateDateTime", doc.due_date)
    totals = doc.totals
    line_total = sum((line.net for line in doc.lines), ZERO)
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", amount(line_total))
    _sub(summation, "ram:TaxBasisTotalAmount", amount(totals.net))
    _sub(summation, "ram:TaxTotalAmount", amount(totals.tax), currencyID=doc.currency)
    _sub(summation, "ram:GrandTotalAmount", amount(totals.gross))
    _sub(summation, "ram:TotalPrepaidAmount", amount(totals.paid))
    _sub(summation, "ram:DuePayableAmount", amount(totals.amount_due))
    if doc.original_number:
        referenced = _sub(settlement, "ram:InvoiceReferencedDocument")
        _sub(referenced, "ram:IssuerAssignedID", doc.original_number)
        if doc.original_issue_date:
            _date(referenced, "ram:FormattedIssueDateTime", doc.original_issue_date, "qdt")


def facturx_tree(doc: PrintDocument) -> etree._Element:
    root = etree.Element(_q("rsm:CrossIndustryInvoice"), nsmap=NS)
    context = _sub(root, "rsm:ExchangedDocumentContext")
    guideline = _sub(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _sub(guideline, "ram:ID", GUIDELINE_EN16931)

    header = _sub(root, "rsm:ExchangedDocument")
    _sub(header, "ram:ID", doc.number)
    _sub(header, "ram:TypeCode", doc.kind.type_code)
    _date(header, "ram:IssueDateTime", doc.issue_date)
    if doc.notes:
        note = _sub(header, "ram:IncludedNote")
        _sub(note, "ram:Content", doc.notes)

    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    for line in doc.lines:
        _line(transaction, doc, line)
    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    if doc.buyer_reference:
        _sub(agreement, "ram:BuyerReference", doc.buyer_reference)
    _party(agreement, "ram:SellerTradeParty", doc.seller, buyer=False)
    _party(agreement, "ram:BuyerTradeParty", doc.buyer, buyer=True)
    _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    _settlement(transaction, doc)
    return root


def facturx_xml(doc: PrintDocument) -> bytes:
    """The XML as UTF-8 bytes, byte-identical for the same document."""
    return etree.tostring(
        facturx_tree(doc), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )

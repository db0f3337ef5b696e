"""The printed invoice: HTML template -> WeasyPrint PDF/A-3b with the Factur-X XML inside.

One pass through WeasyPrint does everything (no post-processing with pypdf): the XML is
attached as ``factur-x.xml`` with ``/AFRelationship /Data``, the XMP carries the Factur-X
extension schema (fx:ConformanceLevel ``EN 16931``), and every date in the file comes
from the issue date, so rendering the same document twice gives the same bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

from django.template.loader import render_to_string

from apps.finance.money import format_money

from .document import ZERO, PrintDocument, TaxCategory
from .facturx import facturx_xml, number
from .reference import ReferenceError, creditor_reference_print, epc_payload, qr_svg

TEMPLATE = "invoicing/pdf/document.html"
PDF_VARIANT = "pdf/a-3b"
FACTURX_FILENAME = "factur-x.xml"
FACTURX_LEVEL = "EN 16931"

# UN/ECE Recommendation 20 codes as a reader expects to see them.
UNIT_LABELS = {
    "C62": "",
    "H87": "pcs",
    "EA": "ea",
    "HUR": "h",
    "DAY": "days",
    "MON": "months",
    "KGM": "kg",
    "GRM": "g",
    "MTR": "m",
    "MTK": "m²",
    "LTR": "l",
    "SET": "sets",
    "XBX": "boxes",
}
CATEGORY_LABELS = {
    TaxCategory.STANDARD: "VAT",
    TaxCategory.ZERO_RATED: "Zero-rated",
    TaxCategory.EXEMPT: "Exempt",
    TaxCategory.REVERSE_CHARGE: "Reverse charge",
}

FACTURX_RDF = f"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
  <rdf:Description rdf:about="">
    <fx:ConformanceLevel>{FACTURX_LEVEL}</fx:ConformanceLevel>
    <fx:DocumentFileName>{FACTURX_FILENAME}</fx:DocumentFileName>
    <fx:DocumentType>INVOICE</fx:DocumentType>
    <fx:Version>1.0</fx:Version>
  </rdf:Description>
  <rdf:Description rdf:about="">
    <pdfaExtension:schemas>
      <rdf:Bag>
        <rdf:li rdf:parseType="Resource">
          <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
          <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
          <pdfaSchema:prefix>fx</pdfaSchema:prefix>
          <pdfaSchema:property>
            <rdf:Seq>
              <rdf:li rdf:parseType="Resource">
                <pdfaProperty:name>DocumentFileName</pdfaProperty:name>
                <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                <pdfaProperty:category>external</pdfaProperty:category>
                <pdfaProperty:description>name of the embedded XML invoice file</pdfaProperty:description>
              </rdf:li>
              <rdf:li rdf:parseType="Resource">
                <pdfaProperty:name>DocumentType</pdfaProperty:name>
                <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                <pdfaProperty:category>external</pdfaProperty:category>
                <pdfaProperty:description>INVOICE</pdfaProperty:description>
              </rdf:li>
              <rdf:li rdf:parseType="Resource">
                <pdfaProperty:name>Version</pdfaProperty:name>
                <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                <pdfaProperty:category>external</pdfaProperty:category>
                <pdfaProperty:description>The actual version of the Factur-X XML schema</pdfaProperty:description>
              </rdf:li>
              <rdf:li rdf:parseType="Resource">
                <pdfaProperty:name>ConformanceLevel</pdfaProperty:name>
                <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                <pdfaProperty:category>external</pdfaProperty:category>
                <pdfaProperty:description>The conformance level of the embedded Factur-X data</pdfaProperty:description>
              </rdf:li>
            </rdf:Seq>
          </pdfaSchema:property>
        </rdf:li>
      </rdf:Bag>
    </pdfaExtension:schemas>
  </rdf:Description>
</rdf:RDF>
""".encode()


def _data_uri(content: bytes, mime_type: str) -> str:
    return f"data:{mime_type};base64,{base64.b64encode(content).decode()}"


def _address(party) -> list[str]:
    rows = list(party.address_lines)
    place = " ".join(part for part in (party.postcode, party.city) if part)
    if place:
        rows.append(place)
    rows.append(party.country_code)
    return rows


def _percent(value: Decimal) -> str:
    return f"{number(value)} %"


def _payment_qr(doc: PrintDocument, reference: str) -> str:
    """The EPC QR as an SVG data URI, or '' when a QR cannot apply (not euro, nothing due)."""
    if doc.is_credit_note or not doc.seller.iban:
        return ""
    try:
        payload = epc_payload(
            name=doc.seller.name,
            iban=doc.seller.iban,
            bic=doc.seller.bic,
            amount=doc.totals.amount_due,
            reference=reference,
            text="" if reference else doc.number,
            currency=doc.currency,
        )
    except ReferenceError:
        return ""
    return _data_uri(qr_svg(payload).encode(), "image/svg+xml")


def pdf_context(doc: PrintDocument) -> dict:
    """Template values: every amount formatted once here by the finance formatter."""

    def money(value: Decimal) -> str:
        return format_money(value)

    totals = doc.totals
    payable = not doc.is_credit_note and totals.amount_due > ZERO
    return {
        "doc": doc,
        "logo": _data_uri(doc.seller.logo, doc.seller.logo_mime_type) if doc.seller.logo else "",
        "seller_address": _address(doc.seller),
        "buyer_address": _address(doc.buyer),
        "iban": " ".join(doc.seller.iban[i : i + 4] for i in range(0, len(doc.seller.iban), 4)),
        "reference": creditor_reference_print(doc.creditor_reference)
        if doc.creditor_reference
        else "",
        "qr": _payment_qr(doc, doc.creditor_reference),
        "payable": payable,
        "show_payment": payable and bool(doc.seller.iban),
        "lines": [
            {
                "position": line.position,
                "sku": line.sku,
                "description": line.description,
                "quantity": number(line.quantity),
                "unit": UNIT_LABELS.get(line.unit_code, line.unit_code),
                "unit_price": money(line.unit_price)
                if line.unit_price == line.unit_price.quantize(Decimal("0.01"))
                else number(line.unit_price),
                "discount": _percent(line.discount_percent) if line.discount_percent else "",
                "net": money(line.net),
                "rate": _percent(line.tax_rate),
                "tax": money(line.tax),
                "total": money(line.total),
            }
            for line in doc.lines
        ],
        "breakdown": [
            {
                "label": f"{CATEGORY_LABELS.get(row.category, row.category)} {_percent(row.rate)}",
                "reason": row.exemption_reason,
                "net": money(row.net),
                "tax": money(row.tax),
            }
            for row in doc.tax_breakdown
        ],
        "totals": {
            "net": money(totals.net),
            "tax": money(totals.tax),
            "gross": money(totals.gross),
            "paid": money(totals.paid),
            "due": money(totals.amount_due),
            "show_paid": totals.paid != ZERO,
        },
    }


def pdf_html(doc: PrintDocument) -> str:
    return render_to_string(TEMPLATE, pdf_context(doc))


def _timestamp(doc: PrintDocument) -> dt.datetime:
    return dt.datetime.combine(doc.issue_date, dt.time(0, 0), tzinfo=dt.UTC)


def pdf_render(doc: PrintDocument, *, xml: bytes | None = None) -> bytes:
    """PDF/A-3b bytes with `facturx_xml(doc)` (or the given XML) attached."""
    # Imported here: WeasyPrint takes ~1 s to import, and this module is imported with the
    # URL configuration (views -> printing), which every web process and `make run`'s
    # preparation load; only the worker and a PDF download need it (issue 12).
    from weasyprint import HTML, Attachment
    from weasyprint.urls import URLFetcher

    xml = facturx_xml(doc) if xml is None else xml
    stamp = _timestamp(doc)
    # Only data: URLs (the logo, the QR code): a document never makes the worker fetch
    # from the network or read local files, whatever an uploaded SVG logo refers to.
    fetcher = URLFetcher(allowed_protocols=("data",), fail_on_errors=False)
    document = HTML(string=pdf_html(doc), url_fetcher=fetcher).render(pdf_variant=PDF_VARIANT)
    metadata = document.metadata
    metadata.created = metadata.modified = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata.attachments = [
        Attachment(
            string=xml,
            name=FACTURX_FILENAME,
            description=f"Factur-X {FACTURX_LEVEL} XML of {doc.title.lower()} {doc.number}",
            created=stamp,
            modified=stamp,
            relationship="Data",
        )
    ]
    metadata.xmp_metadata = [FACTURX_RDF]
    return document.write_pdf(pdf_variant=PDF_VARIANT, finisher=_single_af_entry)


def _single_af_entry(document, pdf) -> None:
    """WeasyPrint 70 lists an attachment twice in the catalog's /AF array (once from the
    EmbeddedFiles name tree, once from the file specs); PDF/A-3 wants each file once."""
    if "AF" in pdf.catalog:
        unique = list(dict.fromkeys(pdf.catalog["AF"]))
        pdf.catalog["AF"].clear()
        pdf.catalog["AF"].extend(unique)

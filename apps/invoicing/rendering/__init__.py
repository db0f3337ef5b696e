"""Printing and e-invoicing of invoices and credit notes, from plain values.

- `document`: what is printed (`PrintDocument`, `Party`, `Line`, `TaxBreakdown`, `Totals`),
  frozen dataclasses with Decimal amounts; `summarize(lines)` gives the per-rate
  breakdown and totals as sums of the rounded lines.
- `reference`: ISO 11649 creditor reference (RF...) from a document number, its check,
  and the EPC069-12 payment QR code (segno).
- `facturx`: the Factur-X EN 16931 CII XML (type 380 invoice, 381 credit note).
- `pdf`: the HTML template `invoicing/pdf/document.html` rendered by WeasyPrint as
  PDF/A-3b with the XML attached as `factur-x.xml`; byte-identical on re-render.
- `validation`: XSD and EN 16931 Schematron checks (saxonche, in-process).

Nothing here reads the database. The issuing service adapts its models with one
function, e.g. `print_document(invoice) -> PrintDocument`, then stores
`pdf_render(doc)` once and serves `facturx_xml(doc)` as the bare XML download.
"""

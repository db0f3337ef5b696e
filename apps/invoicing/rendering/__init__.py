"""Printing and e-invoicing of invoices and credit notes, from plain values.

`document` describes what is printed, `reference` makes the ISO 11649 creditor reference
and the EPC payment QR code, `facturx` the EN 16931 CII XML, `pdf` the PDF/A-3b with the
XML attached, and `validation` checks the XML against the XSD and the Schematron.
Nothing here reads the database: the issuing service adapts its models to `PrintDocument`.
"""
